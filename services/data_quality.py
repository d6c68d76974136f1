"""Records left out of decisions, and why: one bad record never takes the console down.

The core refuses what it cannot decide on (``InvalidInput``) and keeps doing so for direct
callers; this layer decides what to leave out before the core sees it, so every other adviser
is still allocated and the page or webhook answers:

- a stored row that no longer reads as a record is skipped by the store
  (``Health.unreadable``);
- an adviser listed twice (ids differing only in spaces, a doubled HubSpot user) is kept once;
- an adviser whose end date is before their start date (a HubSpot typo) is left out: the
  rules make them never available anyway, and saying so is more use than silence.

What was left out is shown on the data-quality panel (Availability and Sync pages) and raised
to Chat once after a sync that finds a new one (``DataQuality.alert_new``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from allocation import Closure
from services.context import Context
from services.notifiers import safely
from services.records import ExcludedRecord
from services.screening import describe, reaching_nobody, summary, without_region

__all__ = ["DataQuality", "describe", "summary"]

log = logging.getLogger("console.data_quality")

# The keys of the bad records already raised to Chat, kept in the store so every instance
# (and the next start) agrees on what is new; a record fixed and broken again is raised again.
RAISED_TOKEN = "data-quality-raised"


class DataQuality:
    """``svc.quality``: what decisions leave out, for the panel and for Chat."""

    def __init__(self, context: Context) -> None:
        self._context = context

    def excluded(self) -> list[ExcludedRecord]:
        """What the current picture of the firm leaves out (no extra store read)."""
        return list(self._context.prepared().excluded)

    def closures_reaching_nobody(self, closures: Sequence[Closure] | None = None) -> str | None:
        """Which of the stored closures (or of ``closures``, a holiday import's preview, say)
        close nobody, in words."""
        snapshot = self._context.snapshot()
        chosen = snapshot.closures if closures is None else closures
        return reaching_nobody(chosen, snapshot.advisers)

    def advisers_without_region(self) -> int:
        """Advisers regional closures cannot reach (0 when there are none to reach them)."""
        snapshot = self._context.snapshot()
        return without_region(snapshot.closures, snapshot.advisers)

    def alert_new(self) -> list[ExcludedRecord]:
        """Post the excluded records not raised before to Chat, once; returns them."""
        context = self._context
        found = context.cache.reload(context.store, context.today()).excluded
        store = context.store
        held = store.load_token(RAISED_TOKEN) or {}
        raised = set(held.get("keys", []))
        new = [r for r in found if r.key not in raised]
        current = sorted({r.key for r in found})
        if current != sorted(raised):
            store.save_token(RAISED_TOKEN, {"keys": current})
        notifier = context.notifier
        if new and notifier is not None:
            safely(lambda: notifier.bad_records(new), f"{len(new)} excluded record(s)")
        if new:
            log.warning("%s newly excluded from decisions", summary(new))
        return new
