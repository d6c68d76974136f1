"""Who gets a deal, and from which week (rules §3, §5 and §6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from allocation import reasons
from allocation.eligibility import eligibility_of, exclusion_codes
from allocation.ledger import build_ledger
from allocation.ledger_view import Ledger
from allocation.model import Adviser, Deal, Rules, normalise
from allocation.snapshot import Snapshot


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


@dataclass(frozen=True)
class Choice:
    """Whom ``choose`` gives a deal to: ``allocate``'s pick without the explanation."""

    adviser_id: str
    row: int  # the adviser's row in the ledger
    week: dt.date
    week_index: int  # the week's column in the ledger
    utilisation: float


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
    eligibility = eligibility_of(snapshot)
    first_allowed = ledger.first_allowed_index(deal.agreement_start)
    codes = ledger.reason_codes(first_allowed)
    earliest = ledger.earliest_indices(codes)
    excluded = exclusion_codes(eligibility, deal)

    eligible = excluded == 0
    scheduled = np.flatnonzero(eligible & (earliest >= 0))
    utilisation = ledger.utilisation(scheduled, earliest[scheduled])
    ranking = np.lexsort((eligibility.name_rank[scheduled], utilisation, earliest[scheduled]))
    ranked, ranked_utilisation = scheduled[ranking], utilisation[ranking]
    by_name = eligibility.name_order
    unscheduled = by_name[(eligible & (earliest < 0))[by_name]]
    rejected = by_name[~eligible[by_name]]

    explain = _Explanation(ledger, codes, first_allowed, np.concatenate([ranked, unscheduled]))
    ids = ledger.adviser_ids
    candidates = [
        Candidate(ids[r], True, None, ledger.weeks[e], u, explain.blocked(r, e))
        for r, e, u in zip(
            ranked.tolist(), earliest[ranked].tolist(), ranked_utilisation.tolist(), strict=True
        )
    ]
    stop = len(ledger.weeks)
    candidates += [
        Candidate(
            ids[r], True, reasons.NO_CAPACITY_IN_HORIZON, None, None, explain.blocked(r, stop)
        )
        for r in unscheduled.tolist()
    ]
    candidates += [
        Candidate(ids[r], False, reasons.EXCLUSIONS[c], None, None)
        for r, c in zip(rejected.tolist(), excluded[rejected].tolist(), strict=True)
    ]
    chosen = candidates[0] if len(ranked) else None
    return Decision(
        deal_id=deal.id,
        adviser_id=chosen.adviser_id if chosen else None,
        week=chosen.earliest_week if chosen else None,
        candidates=tuple(candidates),
        first_allowed_week=ledger.weeks[first_allowed]
        if first_allowed < len(ledger.weeks)
        else None,
    )


def choose(deal: Deal, snapshot: Snapshot, ledger: Ledger) -> Choice | None:
    """The adviser and week ``allocate`` would give ``deal``, on a given ledger, or ``None``.

    ``ledger`` is ``build_ledger(snapshot, today)`` or one derived from it with
    ``Ledger.with_load``, so hypothetical deals can be booked one after another::

        ledger = build_ledger(snapshot, today)
        for deal in deals:
            choice = choose(deal, snapshot, ledger)
            if choice is not None:
                ledger = ledger.with_load(choice.row, choice.week_index)

    Same rules as ``allocate`` (§3, §5, §6) without building the explanation, so it costs
    well under a millisecond for 500 advisers.
    """
    eligibility = eligibility_of(snapshot)
    first_allowed = ledger.first_allowed_index(deal.agreement_start)
    eligible = exclusion_codes(eligibility, deal) == 0
    is_open = (ledger.week_codes[:, first_allowed:] == reasons.OPEN_CODE) & eligible[:, None]
    has_open = is_open.any(axis=1)
    if not has_open.any():
        return None
    first_open = is_open.argmax(axis=1)
    soonest = first_open[has_open].min()
    tied = np.flatnonzero(has_open & (first_open == soonest))
    column = first_allowed + int(soonest)
    utilisation = ledger.utilisation(tied, np.full(len(tied), column))
    best = int(np.lexsort((eligibility.name_rank[tied], utilisation))[0])
    row = int(tied[best])
    return Choice(
        ledger.adviser_ids[row], row, ledger.weeks[column], column, float(utilisation[best])
    )


class _Explanation:
    """The blocked weeks of §7 for many advisers, from one decision's reason codes."""

    def __init__(self, ledger: Ledger, codes: np.ndarray, first: int, rows: np.ndarray) -> None:
        self.first = first
        # One (week, reason) pair per week and code, shared by every adviser's tuple.
        labels = [str(label) for label in reasons.WEEK_REASONS]
        self.pairs = [[(week, label) for label in labels] for week in ledger.weeks]
        self.codes = dict(zip(rows.tolist(), codes[rows, first:].tolist(), strict=True))

    def blocked(self, row: int, stop: int) -> tuple[tuple[dt.date, str], ...]:
        """(week, reason) for the weeks from the first allowed one up to ``stop``."""
        first = self.first
        if stop <= first:
            return ()
        return tuple(map(list.__getitem__, self.pairs[first:stop], self.codes[row][: stop - first]))
