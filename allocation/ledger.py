"""The weekly ledger (rules §4) and week openness (rules §5), computed for all advisers at once.

Every quantity is an advisers × weeks array. Records are bucketed with ``np.bincount`` and
difference arrays; only the balance and absorb recurrences step through the ~54 weeks, and
each step works on all advisers together.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from allocation.columns import NO_END, Columns, columns_of
from allocation.ledger_view import Ledger
from allocation.model import Snapshot
from allocation.weeks import DAYS_PER_WEEK, WEEKDAYS, week_of

MONTHS_PER_YEAR = 12
WEEKS_PER_YEAR = 52
_LEDGER_CACHE_ATTR = "_ledger_cache"


def build_ledger(snapshot: Snapshot, today: dt.date) -> Ledger:
    """The ledger of every adviser from ``current week - history_weeks`` to the horizon's end."""
    cache: dict[dt.date, Ledger] = snapshot.__dict__.get(_LEDGER_CACHE_ATTR) or {}
    ledger = cache.get(today)
    if ledger is None:
        ledger = _compute(snapshot, today)
        # Ledgers are immutable; keep the last few days' so the console and repeated
        # allocations on one snapshot do not recompute.
        cache = {**dict(list(cache.items())[-3:]), today: ledger}
        object.__setattr__(snapshot, _LEDGER_CACHE_ATTR, cache)
    return ledger


def _compute(snapshot: Snapshot, today: dt.date) -> Ledger:
    rules = snapshot.rules
    cols = columns_of(snapshot)
    current = week_of(today)
    first_monday = current - dt.timedelta(weeks=rules.history_weeks)
    n_weeks = rules.history_weeks + rules.horizon_weeks
    n_advisers = len(snapshot.advisers)
    origin = first_monday.toordinal()

    avail, closure_days, leave_days = _availability(
        cols, n_advisers, n_weeks, origin, rules.prestart_weeks
    )
    limit = _monthly_limits(cols, n_advisers, n_weeks, origin)
    per_week = limit * (MONTHS_PER_YEAR / WEEKS_PER_YEAR)
    earn = per_week * avail
    cap = per_week * rules.burst_weeks

    meeting_load, clarify_count = _meeting_load(cols, n_advisers, n_weeks, origin)
    pending_load = _pending_load(cols, n_advisers, n_weeks, origin, rules.history_weeks)
    load = meeting_load + pending_load
    balance, waste = _balances(earn, cap, load)

    return Ledger(
        adviser_ids=tuple(a.id for a in snapshot.advisers),
        weeks=tuple(first_monday + dt.timedelta(weeks=i) for i in range(n_weeks)),
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
        starts=clarify_count + pending_load,
        balance=balance,
        absorb=_absorb(balance, waste),
    )


def _week_rows(days: np.ndarray, origin: int) -> np.ndarray:
    return (days - origin) // DAYS_PER_WEEK


def _bucket(
    rows: np.ndarray, weeks: np.ndarray, weights: np.ndarray | None, shape: tuple[int, int]
) -> np.ndarray:
    """Sum ``weights`` into an advisers × weeks grid, dropping entries outside it."""
    keep = (rows >= 0) & (weeks >= 0) & (weeks < shape[1])
    flat = rows[keep] * shape[1] + weeks[keep]
    w = None if weights is None else weights[keep]
    total = np.bincount(flat, weights=w, minlength=shape[0] * shape[1])
    return total.astype(np.float64).reshape(shape)


def _day_spans(
    rows: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    amount: np.ndarray,
    shape: tuple[int, int],
    origin: int,
) -> np.ndarray:
    """Add ``amount`` to every day of each inclusive span (a difference array per adviser)."""
    n_days = shape[1]
    first = np.clip(start - origin, 0, n_days)
    last = np.clip(end - origin + 1, 0, n_days)
    keep = (rows >= 0) & (first < last)
    width = n_days + 1
    diff = np.bincount(
        np.concatenate([rows[keep] * width + first[keep], rows[keep] * width + last[keep]]),
        weights=np.concatenate([amount[keep], -amount[keep]]),
        minlength=shape[0] * width,
    ).reshape(shape[0], width)
    return np.cumsum(diff, axis=1)[:, :n_days]


def _availability(
    cols: Columns, n_advisers: int, n_weeks: int, origin: int, prestart_weeks: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Availability per week, and the weekdays closed and on leave behind it (for display)."""
    shape = (n_advisers, n_weeks * DAYS_PER_WEEK)
    leave = _day_spans(
        cols.leave_adviser, cols.leave_start, cols.leave_end, cols.leave_fraction, shape, origin
    )
    closed = _day_spans(
        cols.closure_adviser,
        cols.closure_start,
        cols.closure_end,
        np.ones(len(cols.closure_adviser)),
        shape,
        origin,
    )
    # A day's share away is the larger of "closed" and the leave taken, capped at a whole day;
    # rounding removes the dust that adding and subtracting fractions leaves behind.
    is_closed = np.round(closed, 9) > 0
    on_leave = np.where(is_closed, 0.0, np.clip(np.round(leave, 9), 0.0, 1.0))

    def weekday_sum(days: np.ndarray) -> np.ndarray:
        by_week = days.reshape(n_advisers, n_weeks, DAYS_PER_WEEK)[:, :, :WEEKDAYS]
        return np.asarray(by_week.sum(axis=2), dtype=np.float64)

    closure_days = weekday_sum(is_closed.astype(np.float64))
    leave_days = weekday_sum(on_leave)
    avail = (WEEKDAYS - closure_days - leave_days) / WEEKDAYS

    week = np.arange(n_weeks)
    starts = _week_rows(np.maximum(cols.start_day, -(2**40)), origin) - prestart_weeks
    ends = _week_rows(np.minimum(cols.end_day, 2**40), origin)
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
    clarify = cols.meeting_is_clarify
    count = _bucket(cols.meeting_adviser[clarify], weeks[clarify], None, shape)
    return load, count


def _pending_load(
    cols: Columns, n_advisers: int, n_weeks: int, origin: int, current_index: int
) -> np.ndarray:
    # A pending deal left in a past week still waits for its Clarify: count it now (§4).
    weeks = np.maximum(_week_rows(cols.pending_day, origin), current_index)
    return _bucket(cols.pending_adviser, weeks, None, (n_advisers, n_weeks))


def _balances(earn: np.ndarray, cap: np.ndarray, load: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """bal(w) = min(cap, bal(w-1) + earn) - load, and the capacity the cap throws away."""
    balance = np.empty_like(earn)
    waste = np.empty_like(earn)
    previous = np.zeros(earn.shape[0])
    for week in range(earn.shape[1]):
        banked = previous + earn[:, week]
        waste[:, week] = np.maximum(0.0, banked - cap[:, week])
        previous = np.minimum(cap[:, week], banked) - load[:, week]
        balance[:, week] = previous
    return balance, waste


def _absorb(balance: np.ndarray, waste: np.ndarray) -> np.ndarray:
    """How much extra load week w can take before some week from w on would go short (§5.4)."""
    absorb = np.empty_like(balance)
    last = balance.shape[1] - 1
    absorb[:, last] = np.maximum(0.0, balance[:, last])
    for week in range(last - 1, -1, -1):
        absorb[:, week] = np.minimum(
            np.maximum(0.0, balance[:, week]), waste[:, week + 1] + absorb[:, week + 1]
        )
    return absorb
