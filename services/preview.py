""" "If this deal signed today, who would take it?" — with optional unsaved what-if records.

Never writes: the what-if records are added to a copy of the snapshot, and the decision
without them is computed too, so the page can show before and after side by side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd

from allocation import (
    Adviser,
    Closure,
    Deal,
    Decision,
    InvalidInput,
    Leave,
    Override,
    Snapshot,
    allocate,
    explain,
    normalise,
)
from services.errors import BadRequest
from services.words import day

ANY_HOUSEHOLD = "Any"
PREVIEW_DEAL_ID = "preview"


@dataclass(frozen=True)
class WhatIf:
    """Unsaved records to try out; empty means a plain preview."""

    closures: tuple[Closure, ...] = ()
    leave: tuple[Leave, ...] = ()
    overrides: tuple[Override, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.closures or self.leave or self.overrides)


@dataclass(frozen=True)
class Preview:
    deal: Deal
    decision: Decision  # with the what-ifs applied (or the plain decision)
    before: Decision | None  # without the what-ifs; None for a plain preview
    advisers: tuple[Adviser, ...]

    @property
    def changed(self) -> bool:
        if self.before is None:
            return False
        return (self.before.adviser_id, self.before.week) != (
            self.decision.adviser_id,
            self.decision.week,
        )

    @property
    def candidates(self) -> pd.DataFrame:
        return candidates_frame(self.decision, self.advisers, self.before)

    def adviser_name(self, adviser_id: str | None) -> str | None:
        return next((a.name for a in self.advisers if a.id == adviser_id), adviser_id)


def preview_deal(
    package: str,
    household: str | None,
    agreement_start: dt.date | None,
) -> Deal:
    if not normalise(package):
        raise BadRequest("choose a service package to preview")
    if household is not None and normalise(household) in ("", normalise(ANY_HOUSEHOLD)):
        household = None
    return Deal(PREVIEW_DEAL_ID, package.strip(), household, agreement_start)


def preview(
    deal: Deal, snapshot: Snapshot, today: dt.date, what_if: WhatIf | None = None
) -> Preview:
    """The decision for ``deal`` on ``snapshot`` plus ``what_if``; and without, when given."""
    try:
        if what_if is None or what_if.empty:
            return Preview(deal, allocate(deal, snapshot, today), None, snapshot.advisers)
        trial = with_what_if(snapshot, what_if)
        after = allocate(deal, trial, today)
        before = allocate(deal, snapshot, today)
    except InvalidInput as exc:
        raise BadRequest(f"what-if: {exc}") from exc
    return Preview(deal, after, before, snapshot.advisers)


def with_what_if(snapshot: Snapshot, what_if: WhatIf) -> Snapshot:
    known = {a.id for a in snapshot.advisers}
    for rid, adviser_id in [(r.id, r.adviser_id) for r in what_if.leave] + [
        (r.id, r.adviser_id) for r in what_if.overrides
    ]:
        if adviser_id not in known:
            raise BadRequest(f"what-if {rid}: unknown adviser {adviser_id!r}")
    return replace(
        snapshot,
        closures=snapshot.closures + what_if.closures,
        leave=snapshot.leave + what_if.leave,
        overrides=snapshot.overrides + what_if.overrides,
    )


def candidates_frame(
    decision: Decision, advisers: tuple[Adviser, ...], before: Decision | None = None
) -> pd.DataFrame:
    """Every adviser ranked, with the reason in plain words (and the week before a what-if)."""
    names = {a.id: a for a in advisers}
    earlier = {c.adviser_id: c.earliest_week for c in before.candidates} if before else {}
    rows = []
    for rank, c in enumerate(decision.candidates, start=1):
        adviser = names.get(c.adviser_id)
        first_block = c.blocked_weeks[0][1] if c.blocked_weeks else None
        row = {
            "rank": rank,
            "adviser_id": c.adviser_id,
            "adviser": adviser.name if adviser else c.adviser_id,
            "pod": adviser.pod_type if adviser else None,
            "region": adviser.region if adviser else None,
            "eligible": c.eligible,
            "earliest_week": c.earliest_week,
            "utilisation": c.utilisation,
            "why": explain(c.reason) if c.reason else _why_open(c.earliest_week, first_block),
            "blocked_weeks": len(c.blocked_weeks),
        }
        if before is not None:
            row["earliest_week_before"] = earlier.get(c.adviser_id)
        rows.append(row)
    return pd.DataFrame(rows)


def _why_open(week: dt.date | None, first_block: str | None) -> str:
    if week is None:
        return explain(None)
    if first_block is None:
        return f"open from {day(week)}"
    return f"open from {day(week)} (before that: {explain(first_block)})"
