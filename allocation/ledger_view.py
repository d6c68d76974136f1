"""The ``Ledger`` value: the arrays of rules §4 and the questions of §5 asked of them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from allocation import reasons
from allocation.balance import TOLERANCE, balance_and_absorb, week_reason_codes
from allocation.weeks import week_index

_ARRAYS = (
    "avail", "closure_days", "leave_days", "monthly_limit", "earn", "cap", "meeting_load",
    "pending_load", "load", "starts", "balance", "absorb", "week_codes",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class Ledger:
    """Advisers × weeks arrays; row ``i`` is ``adviser_ids[i]``, column ``j`` is ``weeks[j]``.

    The arrays are read-only: ledgers made by ``with_load`` share the ones they do not change.
    """

    adviser_ids: tuple[str, ...]
    weeks: tuple[dt.date, ...]
    current_index: int
    buffer_weeks: int
    agreement_lag_weeks: int
    weekly_max_new: int
    avail: np.ndarray
    closure_days: np.ndarray  # weekdays closed (display only: avail already counts them)
    leave_days: np.ndarray  # weekday share on leave, not counting closed days
    monthly_limit: np.ndarray
    earn: np.ndarray
    cap: np.ndarray
    meeting_load: np.ndarray
    pending_load: np.ndarray
    load: np.ndarray
    starts: np.ndarray  # new clients starting: Clarify meetings + pending deals
    balance: np.ndarray
    absorb: np.ndarray
    week_codes: np.ndarray  # reason code per week from §5.2-4 (``allocation.balance``)
    _rows: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_rows", {a: i for i, a in enumerate(self.adviser_ids)})
        for name in _ARRAYS:
            getattr(self, name).flags.writeable = False

    @property
    def current_week(self) -> dt.date:
        return self.weeks[self.current_index]

    @property
    def horizon_weeks(self) -> tuple[dt.date, ...]:
        return self.weeks[self.current_index :]

    def row(self, adviser_id: str) -> int:
        try:
            return self._rows[adviser_id]
        except KeyError:
            raise KeyError(f"adviser {adviser_id!r} is not in this ledger") from None

    def first_allowed_index(self, agreement_start: dt.date | None = None) -> int:
        """Column of the first week a new client may start in (rules §5.1)."""
        first = self.current_index + self.buffer_weeks
        if agreement_start is not None:
            agreed = week_index(agreement_start, self.weeks[0]) + self.agreement_lag_weeks
            first = max(first, agreed)
        return first

    def reason_codes(self, first_allowed: int) -> np.ndarray:
        """Integer reason per adviser-week (``reasons.WEEK_REASONS``); 0 means open."""
        codes = self.week_codes.copy()
        codes[:, self.current_index : max(first_allowed, self.current_index)] = (
            reasons.BEFORE_START_CODE
        )
        return codes

    def earliest_indices(self, codes: np.ndarray) -> np.ndarray:
        """Per adviser, the column of the first open week, or -1."""
        is_open = codes == reasons.OPEN_CODE
        first = is_open.argmax(axis=1)
        return np.where(is_open.any(axis=1), first, -1)

    def earliest_week(self, adviser_id: str) -> dt.date | None:
        """Earliest open week for a deal with no agreement date, or ``None``."""
        codes = self.reason_codes(self.first_allowed_index())[self.row(adviser_id)]
        found = np.flatnonzero(codes == reasons.OPEN_CODE)
        return self.weeks[int(found[0])] if len(found) else None

    def earliest_weeks(self) -> dict[str, dt.date | None]:
        """``earliest_week`` of every adviser at once (one pass over the arrays)."""
        columns = self.earliest_indices(self.reason_codes(self.first_allowed_index()))
        return {
            adviser_id: self.weeks[int(col)] if col >= 0 else None
            for adviser_id, col in zip(self.adviser_ids, columns, strict=True)
        }

    def utilisation(self, rows: np.ndarray, until: np.ndarray) -> np.ndarray:
        """Σ load / Σ earn from the first ledger week to column ``until`` (inf when Σ earn = 0)."""
        load = np.cumsum(self.load[rows], axis=1)[np.arange(len(rows)), until]
        earn = np.cumsum(self.earn[rows], axis=1)[np.arange(len(rows)), until]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(earn > TOLERANCE, load / np.where(earn > 0, earn, 1), np.inf)

    def with_load(self, row: int, week_index: int, delta: float = 1.0) -> Ledger:
        """This ledger with ``delta`` more pending deals for adviser ``row`` in one week.

        The same as building the ledger again with that many more ``PendingDeal`` records
        (a week before the current one counts in the current week; one past the horizon
        changes nothing), but only that adviser's row is worked out again: the load, starts,
        balance, absorb and week reasons of one row, well under a millisecond for 500
        advisers.
        ``delta`` may be negative (a booking undone).
        """
        column = max(int(week_index), self.current_index)
        if column >= len(self.weeks):
            return self
        pending = self.pending_load[row].copy()
        pending[column] += delta
        return self.with_pending_rows(np.array([row]), pending[None, :])

    def with_pending_rows(
        self, rows: Sequence[int] | np.ndarray, pending_load: np.ndarray
    ) -> Ledger:
        """This ledger with the pending-deal load of ``rows`` replaced by ``pending_load``.

        Everything that follows from pending load is worked out again for those rows only,
        with the operations of the full build, so the result equals a rebuild figure for
        figure.
        """
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) == 0:
            return self
        clarify_starts = self.starts[rows] - self.pending_load[rows]
        load_rows = self.meeting_load[rows] + pending_load
        balance_rows, absorb_rows = balance_and_absorb(self.earn[rows], self.cap[rows], load_rows)
        starts_rows = clarify_starts + pending_load
        changed = {
            "pending_load": pending_load,
            "load": load_rows,
            "starts": starts_rows,
            "balance": balance_rows,
            "absorb": absorb_rows,
            "week_codes": week_reason_codes(
                self.avail[rows],
                starts_rows,
                balance_rows,
                absorb_rows,
                self.weekly_max_new,
                self.current_index,
            ),
        }
        updated = {}
        for name, values in changed.items():
            array = getattr(self, name).copy()
            array[rows] = values
            updated[name] = array
        return dataclasses.replace(self, **updated)

    def to_frame(self, detail: bool = False) -> pd.DataFrame:
        """One row per adviser-week with the columns of rules §7.

        ``detail=True`` adds the parts the schedule page and heatmap show (meeting and pending
        load, new-client starts, bank cap, absorb, weekdays closed and on leave).
        """
        codes = self.reason_codes(self.first_allowed_index())
        n_advisers, n_weeks = self.avail.shape
        labels = np.array(reasons.WEEK_REASONS, dtype=object)
        week_values = np.empty(n_weeks, dtype=object)
        week_values[:] = self.weeks
        columns: dict[str, object] = {
            "adviser_id": np.repeat(np.array(self.adviser_ids, dtype=object), n_weeks),
            "week": np.tile(week_values, n_advisers),
            "avail": self.avail.ravel(),
            "monthly_limit": self.monthly_limit.ravel(),
            "earn": self.earn.ravel(),
            "load": self.load.ravel(),
            "balance": self.balance.ravel(),
            "open": (codes == reasons.OPEN_CODE).ravel(),
            "reason": labels[codes.ravel()],
        }
        if detail:
            columns |= {
                "meeting_load": self.meeting_load.ravel(),
                "pending_load": self.pending_load.ravel(),
                "starts": self.starts.ravel(),
                "cap": self.cap.ravel(),
                "absorb": self.absorb.ravel(),
                "closure_days": self.closure_days.ravel(),
                "leave_days": self.leave_days.ravel(),
            }
        frame = pd.DataFrame(columns)
        frame["reason"] = frame["reason"].astype(object).where(frame["reason"].notna(), None)
        return frame
