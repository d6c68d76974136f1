"""How values read to people: one date format, times in the firm's timezone, words for codes.

Every page, table, message and CSV export shows a day as "7 Dec 2026" and a moment as
"7 Dec 2026, 14:05" in the firm's timezone (the stored rules' ``timezone``); an empty value as
nothing, never ``None``, ``NaT`` or ``nan``; a status or source as words. The console reaches
these through ``console.text``; they live here so that use cases describing a change in
words (the audit log) format dates the same way.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

import pandas as pd

from services.rows import parse_date

# moment.js formats for Streamlit's DateColumn / DatetimeColumn: the same reading as ``day``.
DATE_FORMAT = "D MMM YYYY"
DATETIME_FORMAT = "D MMM YYYY, HH:mm"

ALLOCATION_STATUS_WORDS = {
    "allocated": "Allocated",
    "writeback_pending": "Write-back pending",
    "writeback_failed": "Write-back failed",
    "unallocated": "Unallocated",
}
SOURCE_WORDS = {
    "webhook": "HubSpot webhook",
    "console": "Allocated in the console",
    "demo": "Demo data",
    "cli": "Command line",
}
SYNC_NAMES = {
    "hubspot_advisers": "HubSpot advisers",
    "hubspot_meetings": "HubSpot meetings",
    "hubspot_deals": "HubSpot open deals",
    "leave": "Employment Hero leave",
    "holidays": "public holidays",
    "writebacks": "HubSpot write-backs",
    "box_folders": "Box client folders",
}
# The stored settings' fields as the Settings page labels them (and errors and the audit name them).
SETTING_LABELS = {
    "buffer_weeks": "Buffer weeks",
    "horizon_weeks": "Horizon (weeks)",
    "weekly_max_new": "Weekly maximum of new clients",
    "default_monthly_limit": "Default monthly limit",
    "pod_monthly_limits": "Monthly limit by pod",
    "meeting_weights": "Meeting weights",
    "household_exempt_packages": "Packages exempt from household type",
    "timezone": "Timezone",
    "burst_weeks": "Burst weeks",
    "prestart_weeks": "Pre-start weeks",
    "agreement_lag_weeks": "Agreement lag (weeks)",
    "history_weeks": "History weeks",
    "editors": "Editors",
    "allowed_emails": "Allowed emails",
    "allowed_domains": "Allowed domains",
    "writeback_property": "HubSpot write-back property",
    "stale_after_hours": "Warn when a sync is older than (hours)",
    "service_packages": "Service packages",
    "household_types": "Household types",
    "outlook_target_weeks": "Outlook: target wait (weeks)",
    "outlook_alerts": "Outlook: Chat alerts and Monday digest",
    "outlook_min_places": "Outlook: alert under this many places within 8 weeks",
}
LOCAL_ACTOR = "local"  # the console's user when no sign-in is configured
REASSIGN = "reassign:"


def missing(value: object) -> bool:
    """None, pandas' NaT/NA and a float NaN: the cell is empty."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def as_date(value: object) -> dt.date | None:
    """A date from a date, datetime, pandas Timestamp or ISO text; None when empty."""
    if missing(value) or value == "":
        return None
    return parse_date(value if isinstance(value, dt.date | pd.Timestamp) else str(value))


def day(value: object) -> str:
    """'7 Dec 2026'; '' for no date. A datetime is read as the day it names (convert it to
    the firm's timezone first with ``local``)."""
    found = as_date(value)
    return "" if found is None else f"{found.day} {found:%b %Y}"


def local(value: object, zone: tzinfo) -> dt.datetime | None:
    """A stored moment (UTC, or naive meaning UTC) in the firm's timezone."""
    if missing(value) or value == "":
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise TypeError(f"{value!r} is not a moment")
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(zone)


def moment(value: object, zone: tzinfo) -> str:
    """'7 Dec 2026, 14:05' in the firm's timezone; '' for no moment."""
    found = local(value, zone)
    return "" if found is None else f"{day(found)}, {found:%H:%M}"


def week(value: object) -> str:
    """'week of 7 Dec 2026'; '—' for no week."""
    found = as_date(value)
    return "—" if found is None else f"week of {day(found)}"


def number(value: object, places: int = 2) -> str:
    """A figure as people write it: 1.5, 2, 0.33; '' for none."""
    if missing(value) or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        shown = f"{float(value):.{places}f}".rstrip("0").rstrip(".")
        return "0" if shown in ("-0", "") else shown
    return str(value)


def text(value: object) -> str:
    """Any cell as text a person reads: '' for empty, dates in the one format, numbers
    rounded, lists joined."""
    if missing(value):
        return ""
    if isinstance(value, dt.datetime | pd.Timestamp):
        return day(value) if _midnight(value) else f"{day(value)}, {value:%H:%M}"
    if isinstance(value, dt.date):
        return day(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return number(value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return ", ".join(text(v) for v in items)
    return str(value)


def _midnight(value: Any) -> bool:
    return bool(value.tzinfo is None and (value.hour, value.minute, value.second) == (0, 0, 0))


def status_words(status: object) -> str:
    """'Write-back pending' for ``writeback_pending``; an unknown code with its underscores
    as spaces, first letter up."""
    if missing(status) or status == "":
        return ""
    code = str(status)
    return ALLOCATION_STATUS_WORDS.get(code) or code.replace("_", " ").capitalize()


def actor_words(actor: object) -> str:
    """Who did it: an email or a name as stored; the no-sign-in user and the system in words."""
    if missing(actor) or actor == "":
        return ""
    who = str(actor)
    return {LOCAL_ACTOR: "Local user", "system": "The scheduler", "scheduler": "The scheduler"}.get(
        who, who
    )


def source_words(source: object) -> str:
    """How a decision came about: 'HubSpot webhook', 'Re-assigned in the console' …"""
    if missing(source) or source == "":
        return ""
    code = str(source)
    if code.startswith(REASSIGN):
        who = code[len(REASSIGN) :]
        by = "" if who in ("", LOCAL_ACTOR) else f" by {who}"
        return f"Re-assigned in the console{by}"
    return SOURCE_WORDS.get(code) or code.replace("_", " ").capitalize()
