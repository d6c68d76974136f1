"""Hypothetical deals booked one after another on a working copy of the ledger arrays.

``Ledger.with_load`` makes a new frozen ledger per booking (six advisers × weeks arrays
copied); an outlook books a thousand deals in a row, so ``BookingSimulation`` copies the
arrays once and then changes one adviser's row in place per booking, with the very
operations of a full build (``allocation.balance``), so every figure equals the ledger
rebuilt with those bookings as pending deals (a property test checks it).

The choice of each deal is ``allocation.choose``'s, rule for rule (§3, §5, §6).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import numpy as np

from allocation import reasons
from allocation.balance import (
    TOLERANCE,
    balance_and_absorb,
    balance_and_absorb_row,
    week_reason_codes,
)
from allocation.decision import Choice
from allocation.eligibility import eligibility_of, exclusion_codes
from allocation.ledger_view import Ledger
from allocation.model import Deal, normalise
from allocation.snapshot import Snapshot

_CHANGED = ("pending_load", "load", "starts", "balance", "absorb", "week_codes")


class BookingSimulation:
    """Mutable: ``choose`` a deal's adviser and week, ``book`` it, repeat.

    Rows can be added (``add_rows``) for hypothetical advisers, e.g. a hire; they are
    eligible only for the deals ``offers`` says, and come last in the name order.
    """

    def __init__(self, snapshot: Snapshot, ledger: Ledger) -> None:
        eligibility = eligibility_of(snapshot)
        self._snapshot = snapshot
        self._eligibility = eligibility
        self.ledger = ledger
        self.adviser_ids: list[str] = list(ledger.adviser_ids)
        self._weekly_max = ledger.weekly_max_new
        self._current = ledger.current_index
        self.avail = ledger.avail
        self.earn = ledger.earn
        self.cap = ledger.cap
        self.meeting_load = ledger.meeting_load
        self.clarify_starts = ledger.starts - ledger.pending_load
        self.pending_load = ledger.pending_load.copy()
        self.load = ledger.load.copy()
        self.starts = ledger.starts.copy()
        self.balance = ledger.balance.copy()
        self.absorb = ledger.absorb.copy()
        self.week_codes = ledger.week_codes.copy()
        self.name_rank = eligibility.name_rank.copy()
        self._extra: list[tuple[str, str | None]] = []  # (package, household) per added row
        self._eligible: dict[tuple[str, str], np.ndarray] = {}
        self._rows: dict[tuple[str, str], np.ndarray] = {}
        self._first_allowed_by_date: dict[dt.date | None, int] = {}
        self._earliest_first = -1  # the first column ``_earliest`` is counted from; -1: none
        self._earliest = np.zeros(0, dtype=np.int64)
        self._lists: dict[int, tuple[list[float], list[float]]] = {}

    # -- choosing -------------------------------------------------------------------------

    def eligible(self, deal: Deal) -> np.ndarray:
        """Rules §3 per row for deals like ``deal`` (worked out once per package and household)."""
        key = (normalise(deal.service_package), normalise(deal.household_type))
        mask = self._eligible.get(key)
        if mask is None:
            real = exclusion_codes(self._eligibility, deal) == 0
            extra = np.array([_offers(p, h, key) for p, h in self._extra], dtype=bool)
            mask = np.concatenate([real, extra])
            self._eligible[key] = mask
        return mask

    def choose(self, deal: Deal) -> Choice | None:
        """The adviser and week ``allocation.choose`` gives ``deal`` on the current arrays."""
        first = self._first_allowed(deal.agreement_start)
        rows = self._eligible_rows(deal)
        if len(rows) == 0 or first >= self.week_codes.shape[1]:
            return None
        # The soonest week any eligible adviser is open in, then who is open in it (§6.1).
        earliest = self._earliest_from(first)[rows]
        found = earliest[earliest >= 0]
        if len(found) == 0:
            return None
        column = int(found.min())
        tied = rows[earliest == column]
        utilisation = self.utilisation(tied, column)
        best = int(np.lexsort((self.name_rank[tied], utilisation))[0])
        row = int(tied[best])
        week = self.ledger.weeks[column]
        return Choice(self.adviser_ids[row], row, week, column, float(utilisation[best]))

    def _earliest_from(self, first: int) -> np.ndarray:
        """Every row's first open column from ``first`` on (-1: none), kept up to date by
        ``refresh`` while deals keep the same first allowed week (a projection's deals come
        in order of arrival, so it moves about once a week)."""
        if first != self._earliest_first:
            self._earliest = self.earliest_columns(first, np.arange(len(self.adviser_ids)))
            self._earliest_first = first
        return self._earliest

    def _first_allowed(self, agreement_start: dt.date | None) -> int:
        first = self._first_allowed_by_date.get(agreement_start)
        if first is None:
            first = self.ledger.first_allowed_index(agreement_start)
            self._first_allowed_by_date[agreement_start] = first
        return first

    def _eligible_rows(self, deal: Deal) -> np.ndarray:
        key = (normalise(deal.service_package), normalise(deal.household_type))
        rows = self._rows.get(key)
        if rows is None:
            rows = self._rows[key] = np.flatnonzero(self.eligible(deal))
        return rows

    def utilisation(self, rows: np.ndarray, column: int) -> np.ndarray:
        """§6: Σ load / Σ earn up to ``column``, as ``Ledger.utilisation`` works it out."""
        # Running sums cut at the column: the same additions in the same order as
        # ``Ledger.utilisation``'s cumulative sums, so ties break the same way.
        load = np.cumsum(self.load[rows, : column + 1], axis=1)[:, -1]
        earn = np.cumsum(self.earn[rows, : column + 1], axis=1)[:, -1]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(earn > TOLERANCE, load / np.where(earn > 0, earn, 1), np.inf)

    # -- booking --------------------------------------------------------------------------

    def book(self, row: int, column: int, delta: float = 1.0) -> None:
        """One more pending deal for ``row`` in week ``column`` (§4: a past week counts now)."""
        column = max(int(column), self._current)
        if column >= self.pending_load.shape[1]:
            return
        self.pending_load[row, column] += delta
        self.refresh(np.array([row]))

    def book_rows(self, rows: np.ndarray, columns: np.ndarray) -> None:
        """One pending deal each for several distinct rows at once (one recomputation)."""
        self.pending_load[rows, np.maximum(columns, self._current)] += 1.0
        self.refresh(rows)

    def refresh(self, rows: np.ndarray) -> None:
        """Work out again what follows from the pending load of ``rows``."""
        load = self.meeting_load[rows] + self.pending_load[rows]
        if len(rows) == 1:
            row = int(rows[0])
            earn, cap = self._row_lists(row)
            one = balance_and_absorb_row(earn, cap, load[0].tolist())
            balance, absorb = np.array([one[0]]), np.array([one[1]])
        else:
            balance, absorb = balance_and_absorb(self.earn[rows], self.cap[rows], load)
        starts = self.clarify_starts[rows] + self.pending_load[rows]
        self.load[rows] = load
        self.starts[rows] = starts
        self.balance[rows] = balance
        self.absorb[rows] = absorb
        self.week_codes[rows] = week_reason_codes(
            self.avail[rows], starts, balance, absorb, self._weekly_max, self._current
        )
        if self._earliest_first >= 0:
            self._earliest[rows] = self.earliest_columns(self._earliest_first, rows)

    def _row_lists(self, row: int) -> tuple[list[float], list[float]]:
        """A row's earn and bank cap as Python floats (they never change: made once)."""
        held = self._lists.get(row)
        if held is None:
            held = self._lists[row] = (self.earn[row].tolist(), self.cap[row].tolist())
        return held

    # -- hypothetical advisers ------------------------------------------------------------

    def add_rows(self, rows: Ledger, package: str, household: str | None) -> None:
        """Append the rows of ``rows`` (a ledger over the same weeks), offering one segment."""
        if rows.weeks != self.ledger.weeks:
            raise ValueError("added rows must cover the same weeks as the simulation")
        self.adviser_ids += list(rows.adviser_ids)
        n = len(rows.adviser_ids)
        for name in ("avail", "earn", "cap", "meeting_load"):
            setattr(self, name, np.vstack([getattr(self, name), getattr(rows, name)]))
        self.clarify_starts = np.vstack([self.clarify_starts, rows.starts - rows.pending_load])
        for name in _CHANGED:
            setattr(self, name, np.vstack([getattr(self, name), getattr(rows, name)]))
        start = len(self.name_rank)
        self.name_rank = np.concatenate([self.name_rank, np.arange(start, start + n)])
        self._extra += [(package, household)] * n
        self._eligible, self._rows = {}, {}
        self._earliest_first = -1

    # -- results --------------------------------------------------------------------------

    def to_ledger(self) -> Ledger:
        """The arrays as a frozen ``Ledger`` (copies), e.g. to compare with a rebuild."""
        if len(self.adviser_ids) != len(self.ledger.adviser_ids):
            raise ValueError("a simulation with added rows is not a ledger of the snapshot")
        arrays = {name: getattr(self, name).copy() for name in _CHANGED}
        return dataclasses.replace(self.ledger, **arrays)

    def earliest_columns(self, first: int, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        """Per row, the first open column from ``first`` on, or -1."""
        is_open = self.week_codes[np.asarray(rows, dtype=np.int64), first:] == reasons.OPEN_CODE
        found = is_open.any(axis=1)
        return np.where(found, is_open.argmax(axis=1) + first, -1)

    @property
    def weeks(self) -> tuple[dt.date, ...]:
        return self.ledger.weeks


def _offers(package: str, household: str | None, key: tuple[str, str]) -> bool:
    """Does an added row offering (package, household) take deals of ``key``?"""
    wanted_package, wanted_household = key
    if normalise(package) != wanted_package:
        return False
    return not wanted_household or not household or normalise(household) == wanted_household
