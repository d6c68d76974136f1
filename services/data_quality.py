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
from services import policy
from services.context import Context
from services.notifiers import safely
from services.records import ExcludedRecord
from services.screening import describe, reaching_nobody, summary, without_region
from services.words import day

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

    def never_opens(self, adviser_id: str) -> list[str]:
        """Why this adviser can never take a new client at a limit in force now or later
        (their own, their pod's, an override's): a warning, never a refusal, as a zero limit
        is a legitimate stop (``services.policy.never_opens``)."""
        snapshot, today = self._context.snapshot(), self._context.today()
        rules = snapshot.rules
        found = [a for a in snapshot.advisers if a.id == adviser_id]
        if not found:
            return []
        words = []
        own = policy.never_opens(rules.limit_for(found[0]), rules)
        if own:
            words.append(f"Their monthly limit: {own}.")
        for override in sorted(snapshot.overrides, key=lambda o: o.start):
            if override.adviser_id != adviser_id or (override.end and override.end < today):
                continue
            why = policy.never_opens(override.monthly_limit, rules)
            if why:
                words.append(f"Override from {day(override.start)}: {why}.")
        return words

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
            log.warning("%s (new since the last alert)", summary(new))
        return new
