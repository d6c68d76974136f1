"""The weekly ledger (rules §4) and week openness (rules §5), computed for all advisers at once.

Every quantity is an advisers × weeks array. Records are bucketed with ``np.bincount`` over
weekdays only (weekends never count); only the balance and absorb
recurrences step through the ~54 weeks, and each step works on all advisers together.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from allocation.balance import balance_and_absorb, week_reason_codes
from allocation.columns import NO_END, Columns, columns_of
from allocation.ledger_view import Ledger
from allocation.snapshot import Snapshot
from allocation.weeks import DAYS_PER_WEEK, WEEKDAYS, week_of

MONTHS_PER_YEAR = 12
WEEKS_PER_YEAR = 52


def build_ledger(snapshot: Snapshot, today: dt.date) -> Ledger:
    """The ledger of every adviser from ``current week - history_weeks`` to the horizon's end.

    Kept in the snapshot's memo per current week: the console and repeated allocations on one
    snapshot do not compute it again (see ``SnapshotMemo``).
    """
    current = week_of(today)
    ledger = snapshot.memo.ledgers.get(current)
    if ledger is None:
        ledger = _compute(snapshot, current)
        snapshot.memo.remember_ledger(current, ledger)
    return ledger


def first_monday(snapshot: Snapshot, current_week: dt.date) -> dt.date:
    return current_week - dt.timedelta(weeks=snapshot.rules.history_weeks)


def _compute(snapshot: Snapshot, current_week: dt.date) -> Ledger:
    rules = snapshot.rules
    cols = columns_of(snapshot)
    first = first_monday(snapshot, current_week)
    n_weeks = rules.history_weeks + rules.horizon_weeks
    n_advisers = len(snapshot.advisers)
    origin = first.toordinal()

    avail, closure_days, leave_days = _availability(
        cols, n_advisers, n_weeks, origin, rules.prestart_weeks
    )
    limit = _monthly_limits(cols, n_advisers, n_weeks, origin)
    per_week = limit * (MONTHS_PER_YEAR / WEEKS_PER_YEAR)
    earn = per_week * avail
    cap = per_week * rules.burst_weeks

    meeting_load, clarify_count = _meeting_load(cols, n_advisers, n_weeks, origin)
    pending_load = pending_load_of(
        cols.pending_adviser, cols.pending_day, (n_advisers, n_weeks), origin, rules.history_weeks
    )
    load = meeting_load + pending_load
    starts = clarify_count + pending_load
    balance, absorb = balance_and_absorb(earn, cap, load)

    return Ledger(
        adviser_ids=tuple(a.id for a in snapshot.advisers),
        weeks=tuple(first + dt.timedelta(weeks=i) for i in range(n_weeks)),
        current_index=rules.history_weeks,
        buffer_weeks=rules.buffer_weeks,
        agreement_lag_weeks=rules.agreement_lag_weeks,
        weekly_max_new=rules.weekly_max_new,
        avail=avail,
        closure_days=closure_days,
        leave_days=leave_days,
        monthly_limit=limit,
        earn=earn,
        cap=cap,
        meeting_load=meeting_load,
        pending_load=pending_load,
        load=load,
        starts=starts,
        balance=balance,
        absorb=absorb,
        week_codes=week_reason_codes(
            avail, starts, balance, absorb, rules.weekly_max_new, rules.history_weeks
        ),
    )


def _week_rows(days: np.ndarray, origin: int) -> np.ndarray:
    return (days - origin) // DAYS_PER_WEEK


def _bucket(
    rows: np.ndarray, weeks: np.ndarray, weights: np.ndarray | None, shape: tuple[int, int]
) -> np.ndarray:
    """Sum ``weights`` into an advisers × weeks grid, dropping entries outside it."""
    keep = np.flatnonzero((rows >= 0) & (weeks >= 0) & (weeks < shape[1]))
    flat = rows.take(keep) * shape[1] + weeks.take(keep)
    w = None if weights is None else weights.take(keep)
    total = np.bincount(flat, weights=w, minlength=shape[0] * shape[1])
    return total.astype(np.float64).reshape(shape)


def pending_load_of(
    rows: np.ndarray, days: np.ndarray, shape: tuple[int, int], origin: int, current_index: int
) -> np.ndarray:
    """Pending deals per adviser-week (rows of -1 do not count)."""
    # A pending deal left in a past week still waits for its Clarify: count it now (§4).
    weeks = np.maximum(_week_rows(days, origin), current_index)
    return _bucket(rows, weeks, None, shape)


def _weekday_index(days: np.ndarray, origin: int) -> np.ndarray:
    """Position of the first weekday on or after each day, counting weekdays from ``origin``."""
    week, weekday = np.divmod(days - origin, DAYS_PER_WEEK)
    return week * WEEKDAYS + np.minimum(weekday, WEEKDAYS)


def _weekday_bounds(
    start: np.ndarray, end: np.ndarray, n_days: int, origin: int
) -> tuple[np.ndarray, np.ndarray]:
    """[first, last) weekday positions of inclusive date spans, clipped to the ledger."""
    first = np.clip(_weekday_index(start, origin), 0, n_days)
    last = np.clip(_weekday_index(end + 1, origin), 0, n_days)
    return first, last


def _weekdays_covered(
    rows: np.ndarray, start: np.ndarray, end: np.ndarray, shape: tuple[int, int], origin: int
) -> np.ndarray:
    """How many spans cover each row's weekdays: rows × weekdays, integers.

    One difference array for all rows. Each row's entries add up to zero, so a single
    running total over the flattened array restarts at zero at every row.
    """
    n_rows, n_days = shape
    first, last = _weekday_bounds(start, end, n_days, origin)
    keep = (rows >= 0) & (first < last)
    base = rows[keep] * (n_days + 1)
    size = n_rows * (n_days + 1)
    diff = np.bincount(base + first[keep], minlength=size)
    diff -= np.bincount(base + last[keep], minlength=size)
    return np.cumsum(diff).reshape(n_rows, n_days + 1)[:, :n_days]


def _weekday_sums(
    rows: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    amount: np.ndarray,
    shape: tuple[int, int],
    origin: int,
) -> np.ndarray:
    """Sum of ``amount`` over the spans covering each row's weekdays: rows × weekdays.

    Each span is spread into its weekdays and added up per cell, in record order, so part
    days add up exactly as written (no running total to subtract them from again).
    """
    n_rows, n_days = shape
    first, last = _weekday_bounds(start, end, n_days, origin)
    lengths = np.where(rows >= 0, np.maximum(last - first, 0), 0)
    span = np.repeat(np.arange(len(lengths)), lengths)
    step = np.arange(len(span)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    cells = rows[span] * n_days + first[span] + step
    total = np.bincount(cells, weights=amount[span], minlength=n_rows * n_days)
    return total.astype(np.float64, copy=False).reshape(shape)  # float even when empty


def _closed(cols: Columns, n_advisers: int, n_days: int, origin: int) -> np.ndarray:
    """Per adviser and weekday: is a closure that applies to the adviser on?"""
    # Work only on the scopes some closure names (a few hundred rows at most), in weekday
    # grids of booleans: large temporary grids cost more in fresh memory than in arithmetic.
    named, compact = np.unique(cols.closure_scope, return_inverse=True)
    covered = _weekdays_covered(
        compact.reshape(-1), cols.closure_start, cols.closure_end, (len(named), n_days), origin
    )
    # One more scope row than there are scopes: never named, always open ("no region").
    closed = np.zeros((cols.n_scopes + 1, n_days), dtype=bool)
    closed[named] = covered > 0
    region = np.where(cols.region_scope >= 0, cols.region_scope, cols.n_scopes)
    own: np.ndarray = closed[:n_advisers] | closed[cols.n_scopes - 1] | closed[region]
    return own


def _per_week(weekdays: np.ndarray) -> np.ndarray:
    n_rows, n_days = weekdays.shape
    days = weekdays.reshape(n_rows, n_days // WEEKDAYS, WEEKDAYS)
    total = days[:, :, 0].astype(np.float64)
    for k in range(1, WEEKDAYS):
        total = total + days[:, :, k]
    return total


def _availability(
    cols: Columns, n_advisers: int, n_weeks: int, origin: int, prestart_weeks: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Availability per week, and the weekdays closed and on leave behind it (for display)."""
    shape = (n_advisers, n_weeks * WEEKDAYS)
    leave = _weekday_sums(
        cols.leave_adviser, cols.leave_start, cols.leave_end, cols.leave_fraction, shape, origin
    )
    is_closed = _closed(cols, n_advisers, shape[1], origin)
    # A day's share away is the larger of "closed" and the leave taken, capped at a whole day;
    # rounding to 9 decimals makes 0.7 + 0.2 + 0.1 a whole day, as written (rules §7).
    # In place: fresh advisers × weekdays grids cost more than the arithmetic on them.
    np.round(leave, 9, out=leave)
    np.clip(leave, 0.0, 1.0, out=leave)
    leave[is_closed] = 0.0
    closure_days = _per_week(is_closed)
    leave_days = _per_week(leave)
    avail = (WEEKDAYS - closure_days - leave_days) / WEEKDAYS

    week = np.arange(n_weeks)
    starts = _week_rows(np.clip(cols.start_day, -(2**40), 2**40), origin) - prestart_weeks
    ends = _week_rows(np.clip(cols.end_day, -(2**40), 2**40), origin)
    employed = (week >= starts[:, None]) & (week <= ends[:, None])
    return np.where(employed, avail, 0.0), closure_days, leave_days


def _monthly_limits(cols: Columns, n_advisers: int, n_weeks: int, origin: int) -> np.ndarray:
    """Base limits, replaced week by week by the winning override (latest start, then id)."""
    limit = np.repeat(cols.base_limit[:, None], n_weeks, axis=1)
    if len(cols.override_adviser) == 0:
        return limit
    first = np.maximum(_week_rows(cols.override_start, origin), 0)
    end_days = np.minimum(cols.override_end, origin + n_weeks * DAYS_PER_WEEK)
    last = np.minimum(
        np.where(cols.override_end == NO_END, n_weeks - 1, _week_rows(end_days, origin)),
        n_weeks - 1,
    )
    lengths = np.where(cols.override_adviser >= 0, np.maximum(last - first + 1, 0), 0)
    rank = np.repeat(np.arange(len(lengths)), lengths)  # overrides are sorted: rank = priority
    offsets = np.arange(len(rank)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    weeks = np.repeat(first, lengths) + offsets
    rows = cols.override_adviser[rank]
    winner = np.full((n_advisers, n_weeks), -1, dtype=np.int64)
    np.maximum.at(winner, (rows, weeks), rank)
    return np.where(winner >= 0, cols.override_limit[np.maximum(winner, 0)], limit)


def _meeting_load(
    cols: Columns, n_advisers: int, n_weeks: int, origin: int
) -> tuple[np.ndarray, np.ndarray]:
    shape = (n_advisers, n_weeks)
    weeks = _week_rows(cols.meeting_day, origin)
    load = _bucket(cols.meeting_adviser, weeks, cols.meeting_weight, shape)
    clarify = np.flatnonzero(cols.meeting_is_clarify)
    count = _bucket(cols.meeting_adviser.take(clarify), weeks.take(clarify), None, shape)
    return load, count
