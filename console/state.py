"""Session-state keys and query parameters the console shares between pages.

Pages never spell a key inline: a typo would silently start a second, empty value.
"""

from __future__ import annotations

# Test hook: a ``services.Services`` put here is used instead of the one built from settings
# (see ``console.handle``).
SERVICES = "console.services"
# Test hook: a ``settings.Settings`` put here is used instead of ``Settings.load()``.
SETTINGS = "console.settings"
# The signed-in ``console.auth.User``: set by app.py's gate and dropped when its run ends, so
# a page that runs without app.py never finds a stale one (``console.navigation``).
USER = "console.user"
# Set when a page that ran without app.py handed over to it; app.py clears it. A page that
# runs alone again right after a handover asks the gate itself instead of rerunning again.
HANDED_OVER = "console.handed_over"
# A one-off message shown at the top of the next page run (after an edit and a rerun).
FLASH = "console.flash"

# The adviser whose schedule is open; the same id travels as ``?adviser=`` in the URL so a
# schedule link can be shared.
ADVISER = "console.adviser"
ADVISER_PARAM = "adviser"

# Availability page widgets
AV_PACKAGE = "availability.package"
AV_HOUSEHOLD = "availability.household"
AV_PODS = "availability.pods"
AV_REGIONS = "availability.regions"
AV_TAKING = "availability.taking_only"
AV_SORT = "availability.sort"
AV_METRIC = "availability.metric"
AV_CHART = "availability.chart"
AV_PICK = "availability.pick"
AV_GROUP = "availability.group"
# Each page's filters as last shown (``console.url_state``): they outlive a move to another page.
AV_VIEW = "availability.view"
SC_VIEW = "schedule.view"
PV_VIEW = "preview.view"

# Schedule page
SC_ADVISER = "schedule.adviser"
SC_WEEK = "schedule.week"

# Outlook page
OL_BASIS = "outlook.basis"

# Preview page: the what-if records not yet saved, as lists of core records.
PV_WHAT_IF = "preview.what_if"
PV_ASKED = "preview.asked"
PV_BATCH = "preview.batch"  # the batch what-if asked for: (count, weeks)
PV_PACKAGE = "preview.package"
PV_HOUSEHOLD = "preview.household"
PV_AGREEMENT = "preview.agreement"
PV_RANKING = "preview.ranking"

# Allocations page
AL_STATUS = "allocations.status"
AL_ADVISER = "allocations.adviser"
AL_PACKAGE = "allocations.package"
AL_SINCE = "allocations.since"
AL_UNTIL = "allocations.until"
AL_DEAL = "allocations.deal"
# Which part of the Allocations page is open (stable values, so it survives counts changing)
AL_VIEW = "allocations.view"
AL_URL = "allocations.url"  # the page's filters as last shown (console.url_state)

# Client folders page
FO_STATUS = "folders.status"
FO_DEAL = "folders.deal"
FO_CONFIRM = "folders.confirm"
FO_MISSING = "folders.missing"  # the last look for folders missing metadata (a list)
DEAL_PARAM = "deal"  # ?deal= in links from Chat cards
# Settings page, Box section
BOX_FORM = "settings.box"
