"""Column arrays of a snapshot's records, made once per snapshot and kept on it.

Turning tens of thousands of frozen records into numpy arrays is the only part of the ledger
that must touch every record in Python, and it does not depend on ``today``. Keeping the
result on the (immutable) snapshot means repeated ledgers and allocations on the same data
skip it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from allocation.model import Rules, Snapshot, normalise
from allocation.weeks import local_day_ordinals

_CACHE_ATTR = "_columns_cache"
NO_END = np.iinfo(np.int64).max


@dataclass(frozen=True, eq=False)
class Columns:
    meeting_adviser: np.ndarray  # adviser row, -1 when the adviser is not in the snapshot
    meeting_day: np.ndarray  # local date ordinal
    meeting_weight: np.ndarray
    meeting_is_clarify: np.ndarray
    leave_adviser: np.ndarray
    leave_start: np.ndarray  # date ordinals, inclusive
    leave_end: np.ndarray
    leave_fraction: np.ndarray
    closure_adviser: np.ndarray  # one entry per (closure, adviser it applies to)
    closure_start: np.ndarray
    closure_end: np.ndarray
    override_adviser: np.ndarray  # sorted so that a later entry wins over an earlier one
    override_start: np.ndarray
    override_end: np.ndarray  # NO_END when open-ended
    override_limit: np.ndarray
    pending_adviser: np.ndarray
    pending_day: np.ndarray
    base_limit: np.ndarray  # per adviser: own limit, else pod default, else rule default
    start_day: np.ndarray  # per adviser, date ordinal or -NO_END
    end_day: np.ndarray  # per adviser, date ordinal or NO_END


def columns_of(snapshot: Snapshot) -> Columns:
    cached = snapshot.__dict__.get(_CACHE_ATTR)
    if cached is None:
        cached = _build(snapshot)
        object.__setattr__(snapshot, _CACHE_ATTR, cached)
    return cached


def _ints(values: list[int]) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


def _floats(values: list[float]) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def _rows(ids: list[str], index: dict[str, int]) -> np.ndarray:
    return _ints([index.get(i, -1) for i in ids])


def _build(snapshot: Snapshot) -> Columns:
    rules = snapshot.rules
    advisers = snapshot.advisers
    index = {a.id: row for row, a in enumerate(advisers)}

    meetings = snapshot.meetings
    kinds = [m.kind for m in meetings]
    weight_of = {k: float(rules.meeting_weights.get(k, 0.0)) for k in set(kinds)}

    leave = snapshot.leave
    closure_rows, closure_start, closure_end = _closure_pairs(snapshot, index)
    overrides = sorted(snapshot.overrides, key=lambda o: (o.start, o.id))
    # Pending deals already matched by a Clarify are counted through that meeting (§4).
    clarified = {m.deal_id for m in meetings if m.kind == "clarify" and m.deal_id}
    pending = [p for p in snapshot.pending if p.deal_id not in clarified]

    return Columns(
        meeting_adviser=_rows([m.adviser_id for m in meetings], index),
        meeting_day=_local_days([m.start for m in meetings], rules),
        meeting_weight=_floats([weight_of[k] for k in kinds]),
        meeting_is_clarify=np.asarray([k == "clarify" for k in kinds], dtype=bool),
        leave_adviser=_rows([lv.adviser_id for lv in leave], index),
        leave_start=_ints([lv.start.toordinal() for lv in leave]),
        leave_end=_ints([lv.end.toordinal() for lv in leave]),
        leave_fraction=_floats([lv.day_fraction for lv in leave]),
        closure_adviser=closure_rows,
        closure_start=closure_start,
        closure_end=closure_end,
        override_adviser=_rows([o.adviser_id for o in overrides], index),
        override_start=_ints([o.start.toordinal() for o in overrides]),
        override_end=_ints([o.end.toordinal() if o.end else NO_END for o in overrides]),
        override_limit=_floats([o.monthly_limit for o in overrides]),
        pending_adviser=_rows([p.adviser_id for p in pending], index),
        pending_day=_ints([p.week.toordinal() for p in pending]),
        base_limit=_floats([rules.limit_for(a) for a in advisers]),
        start_day=_ints([a.start_date.toordinal() if a.start_date else -NO_END for a in advisers]),
        end_day=_ints([a.end_date.toordinal() if a.end_date else NO_END for a in advisers]),
    )


def _local_days(starts: list[dt.datetime], rules: Rules) -> np.ndarray:
    """Local date ordinals of meeting starts in the firm's timezone.

    A start already in the firm's zone needs no conversion (ZoneInfo instances are cached, so
    identity is a cheap test); the rest go through one vectorised conversion from UTC.
    """
    zone = rules.zone
    days = _ints([s.toordinal() if s.tzinfo is zone else -1 for s in starts])
    foreign = np.flatnonzero(days < 0)
    if len(foreign):
        seconds = _floats([starts[k].timestamp() for k in foreign])
        days[foreign] = local_day_ordinals(seconds, rules.timezone)
    return days


def _closure_pairs(
    snapshot: Snapshot, index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expand closures into (adviser row, start, end) triples for the advisers they cover."""
    everyone = np.arange(len(snapshot.advisers), dtype=np.int64)
    by_region: dict[str, list[int]] = {}
    for row, adviser in enumerate(snapshot.advisers):
        if adviser.region and adviser.region.strip():
            by_region.setdefault(normalise(adviser.region), []).append(row)
    rows: list[np.ndarray] = []
    starts: list[int] = []
    ends: list[int] = []
    for closure in snapshot.closures:
        if closure.is_global:
            covered = everyone
        else:
            chosen = {index[a] for a in closure.adviser_ids if a in index}
            for region in closure.regions:
                chosen.update(by_region.get(normalise(region), ()))
            covered = _ints(sorted(chosen))
        rows.append(covered)
        starts.append(closure.start.toordinal())
        ends.append(closure.end.toordinal())
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    counts = [len(r) for r in rows]
    return (
        np.concatenate(rows),
        np.repeat(_ints(starts), counts),
        np.repeat(_ints(ends), counts),
    )
