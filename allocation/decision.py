"""Who gets a deal, and from which week (rules §3, §5 and §6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from allocation import reasons
from allocation.ledger import build_ledger
from allocation.ledger_view import Ledger
from allocation.model import Adviser, Deal, Rules, Snapshot, normalise


@dataclass(frozen=True)
class Candidate:
    adviser_id: str
    eligible: bool
    reason: str | None
    earliest_week: dt.date | None
    utilisation: float | None
    blocked_weeks: tuple[tuple[dt.date, str], ...] = ()


@dataclass(frozen=True)
class Decision:
    deal_id: str
    adviser_id: str | None
    week: dt.date | None
    candidates: tuple[Candidate, ...]
    first_allowed_week: dt.date | None = None

    @property
    def allocated(self) -> bool:
        return self.adviser_id is not None


def exclusion_reason(adviser: Adviser, deal: Deal, rules: Rules) -> str | None:
    """The first eligibility rule (§3.1–3) the adviser fails for this deal, or ``None``."""
    if not adviser.taking_on_clients:
        return reasons.NOT_TAKING_CLIENTS
    if not adviser.offers(deal.service_package):
        return reasons.PACKAGE_MISMATCH
    household = normalise(deal.household_type)
    if (
        household
        and not rules.household_exempt(deal.service_package)
        and not adviser.accepts_household(household)
    ):
        return reasons.HOUSEHOLD_MISMATCH
    return None


def allocate(deal: Deal, snapshot: Snapshot, today: dt.date) -> Decision:
    """Decide which adviser takes ``deal`` and from which week, with every adviser ranked."""
    ledger = build_ledger(snapshot, today)
    first_allowed = ledger.first_allowed_index(deal.agreement_start)
    codes = ledger.reason_codes(first_allowed)
    earliest = ledger.earliest_indices(codes)
    advisers = snapshot.advisers
    excluded = [exclusion_reason(a, deal, snapshot.rules) for a in advisers]

    eligible_rows = np.array([i for i, r in enumerate(excluded) if r is None], dtype=np.int64)
    scheduled = eligible_rows[earliest[eligible_rows] >= 0] if len(eligible_rows) else eligible_rows
    utilisation = ledger.utilisation(scheduled, earliest[scheduled])
    util_of = dict(zip(scheduled.tolist(), utilisation.tolist(), strict=True))

    def name_key(row: int) -> tuple[str, str]:
        return (advisers[row].name.casefold(), advisers[row].id)

    ranked = sorted(util_of, key=lambda r: (earliest[r], util_of[r], *name_key(r)))
    unscheduled = sorted((int(r) for r in eligible_rows if r not in util_of), key=name_key)
    rejected = sorted((i for i, r in enumerate(excluded) if r is not None), key=name_key)

    candidates = (
        [_scheduled(ledger, codes, r, first_allowed, int(earliest[r]), util_of[r]) for r in ranked]
        + [_unscheduled(ledger, codes, r, first_allowed) for r in unscheduled]
        + [Candidate(advisers[r].id, False, excluded[r], None, None) for r in rejected]
    )
    chosen = candidates[0] if ranked else None
    return Decision(
        deal_id=deal.id,
        adviser_id=chosen.adviser_id if chosen else None,
        week=chosen.earliest_week if chosen else None,
        candidates=tuple(candidates),
        first_allowed_week=ledger.weeks[first_allowed]
        if first_allowed < len(ledger.weeks)
        else None,
    )


def _blocked(
    ledger: Ledger, codes: np.ndarray, row: int, start: int, stop: int
) -> tuple[tuple[dt.date, str], ...]:
    labels = reasons.WEEK_REASONS
    return tuple(
        (ledger.weeks[col], str(labels[codes[row, col]])) for col in range(max(start, 0), stop)
    )


def _scheduled(
    ledger: Ledger, codes: np.ndarray, row: int, first: int, earliest: int, utilisation: float
) -> Candidate:
    return Candidate(
        adviser_id=ledger.adviser_ids[row],
        eligible=True,
        reason=None,
        earliest_week=ledger.weeks[earliest],
        utilisation=utilisation,
        blocked_weeks=_blocked(ledger, codes, row, first, earliest),
    )


def _unscheduled(ledger: Ledger, codes: np.ndarray, row: int, first: int) -> Candidate:
    return Candidate(
        adviser_id=ledger.adviser_ids[row],
        eligible=True,
        reason=reasons.NO_CAPACITY_IN_HORIZON,
        earliest_week=None,
        utilisation=None,
        blocked_weeks=_blocked(ledger, codes, row, first, len(ledger.weeks)),
    )
