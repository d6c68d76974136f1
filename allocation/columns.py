"""Column arrays of a snapshot's records, made once per snapshot and kept in its memo.

Turning records into numpy arrays is the only part of the ledger that touches records one by
one in Python, and it does not depend on ``today``. Meetings, by far the most numerous, come
either as ``Meeting`` objects or as a ``MeetingTable`` whose per-meeting work was done when
the table was made; then only a few hundred advisers, a few thousand leave records and the
like are read one by one here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter
from typing import Any

import numpy as np

from allocation.meeting_table import CLARIFY, MeetingTable
from allocation.model import Adviser, Meeting, PendingDeal, Rules, normalise
from allocation.snapshot import Snapshot
from allocation.weeks import local_day_ordinals

NO_END = np.iinfo(np.int64).max


@dataclass(frozen=True, eq=False)
class Columns:
    adviser_rows: Mapping[str, int]  # adviser id -> row of every advisers x weeks array
    # Meetings that count (a known adviser, and a weight or a Clarify), in no particular order:
    meeting_adviser: np.ndarray
    meeting_day: np.ndarray  # local date ordinal
    meeting_weight: np.ndarray
    meeting_is_clarify: np.ndarray
    leave_adviser: np.ndarray  # adviser row, -1 when the adviser is not in the snapshot
    leave_start: np.ndarray  # date ordinals, inclusive
    leave_end: np.ndarray
    leave_fraction: np.ndarray
    # Closures apply to scopes: scope rows 0..n-1 are the advisers, then one row per region
    # advisers are in, then one for everyone. One entry per (closure, scope it names):
    closure_scope: np.ndarray
    closure_start: np.ndarray
    closure_end: np.ndarray
    region_scope: np.ndarray  # per adviser, the scope row of its region, or -1
    n_scopes: int
    override_adviser: np.ndarray  # sorted so that a later entry wins over an earlier one
    override_start: np.ndarray
    override_end: np.ndarray  # NO_END when open-ended
    override_limit: np.ndarray
    # One entry per snapshot.pending entry, in the same order; the adviser row is -1 when the
    # adviser is unknown or a Clarify already carries the deal (rules §4), so it never counts.
    pending_adviser: np.ndarray
    pending_day: np.ndarray
    clarified: frozenset[str]  # deal ids carried by Clarify meetings
    base_limit: np.ndarray  # per adviser: own limit, else pod default, else rule default
    start_day: np.ndarray  # per adviser, date ordinal or -NO_END
    end_day: np.ndarray  # per adviser, date ordinal, NO_END (no end) or -NO_END (never)


def columns_of(snapshot: Snapshot) -> Columns:
    memo = snapshot.memo
    if memo.columns is None:
        memo.columns = _build(snapshot)
    return memo.columns


def _ints(values: Iterable[int]) -> np.ndarray:
    return np.fromiter(values, dtype=np.int64)


def _floats(values: Iterable[float]) -> np.ndarray:
    return np.fromiter(values, dtype=np.float64)


def _field(records: Sequence[Any], name: str) -> map[Any]:
    return map(attrgetter(name), records)


def _ordinals(records: Sequence[Any], name: str) -> np.ndarray:
    return _ints(map(dt.date.toordinal, _field(records, name)))


def _rows(ids: Iterable[str], index: Mapping[str, int]) -> np.ndarray:
    return _ints(map(index.get, ids, repeat(-1)))


def _build(snapshot: Snapshot) -> Columns:
    rules = snapshot.rules
    advisers = snapshot.advisers
    index = {a.id: row for row, a in enumerate(advisers)}
    meetings = snapshot.meetings
    if isinstance(meetings, MeetingTable):
        meeting_arrays = _table_meetings(meetings, index, rules)
        clarified = meetings.clarified_deal_ids
    else:
        meeting_arrays = _record_meetings(meetings, index, rules)
        clarified = frozenset(m.deal_id for m in meetings if m.kind == CLARIFY and m.deal_id)
    leave = snapshot.leave
    scopes = _closure_scopes(snapshot, index)
    overrides = sorted(snapshot.overrides, key=attrgetter("start", "id"))
    pending_adviser, pending_day = pending_columns(snapshot.pending, index, clarified)
    pod_limit = {pod: rules.pod_default(pod) for pod in {a.pod_type for a in advisers}}

    return Columns(
        adviser_rows=index,
        meeting_adviser=meeting_arrays[0],
        meeting_day=meeting_arrays[1],
        meeting_weight=meeting_arrays[2],
        meeting_is_clarify=meeting_arrays[3],
        leave_adviser=_rows(_field(leave, "adviser_id"), index),
        leave_start=_ordinals(leave, "start"),
        leave_end=_ordinals(leave, "end"),
        leave_fraction=_floats(_field(leave, "day_fraction")),
        closure_scope=scopes[0],
        closure_start=scopes[1],
        closure_end=scopes[2],
        region_scope=scopes[3],
        n_scopes=scopes[4],
        override_adviser=_rows(_field(overrides, "adviser_id"), index),
        override_start=_ordinals(overrides, "start"),
        override_end=_ints(o.end.toordinal() if o.end else NO_END for o in overrides),
        override_limit=_floats(_field(overrides, "monthly_limit")),
        pending_adviser=pending_adviser,
        pending_day=pending_day,
        clarified=clarified,
        base_limit=_floats(
            pod_limit[a.pod_type] if a.monthly_limit is None else a.monthly_limit for a in advisers
        ),
        start_day=_ints(a.start_date.toordinal() if a.start_date else -NO_END for a in advisers),
        end_day=_ints(map(_last_day, advisers)),
    )


def _last_day(adviser: Adviser) -> int:
    if adviser.end_date is None:
        return NO_END
    if adviser.start_date is not None and adviser.end_date < adviser.start_date:
        return -NO_END  # rules §2: an end before the start means never available
    return adviser.end_date.toordinal()


def pending_columns(
    pending: Sequence[PendingDeal], index: Mapping[str, int], clarified: frozenset[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Adviser row (-1: not counted) and date ordinal of each pending deal."""
    rows = _ints(-1 if p.deal_id in clarified else index.get(p.adviser_id, -1) for p in pending)
    return rows, _ordinals(pending, "week")


MeetingArrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _counting(
    rows: np.ndarray, days: np.ndarray, weights: np.ndarray, is_clarify: np.ndarray
) -> MeetingArrays:
    """Only meetings that add load or a new-client start, with an adviser in the snapshot."""
    keep = np.flatnonzero((rows >= 0) & ((weights != 0) | is_clarify))
    return rows.take(keep), days.take(keep), weights.take(keep), is_clarify.take(keep)


def _table_meetings(table: MeetingTable, index: Mapping[str, int], rules: Rules) -> MeetingArrays:
    # Every per-meeting string was coded when the table was made: look up the few distinct
    # adviser ids (None among them: no adviser) and kinds, then gather.
    row_of_code = _ints(-1 if a is None else index.get(a, -1) for a in table.adviser_vocabulary)
    weight_of_code = _floats(rules.meeting_weights.get(k, 0.0) for k in table.kind_vocabulary)
    rows = row_of_code[table.adviser_codes]
    weights = weight_of_code[table.kind_codes]
    is_clarify = table.kind_codes == table.kind_code(CLARIFY)
    # Integer positions, not a boolean mask: gathering by a scattered mask is several times
    # slower than finding the positions once and taking them.
    keep = np.flatnonzero((rows >= 0) & ((weights != 0) | is_clarify))
    days = local_day_ordinals(table.starts.take(keep), rules.timezone)
    return rows.take(keep), days, weights.take(keep), is_clarify.take(keep)


def _record_meetings(
    meetings: Sequence[Meeting], index: Mapping[str, int], rules: Rules
) -> MeetingArrays:
    kinds = [m.kind for m in meetings]
    weight_of = {k: float(rules.meeting_weights.get(k, 0.0)) for k in set(kinds)}
    return _counting(
        _rows(_field(meetings, "adviser_id"), index),
        _local_days([m.start for m in meetings], rules),
        _floats(weight_of[k] for k in kinds),
        np.fromiter((k == CLARIFY for k in kinds), dtype=bool, count=len(kinds)),
    )


def _local_days(starts: list[dt.datetime], rules: Rules) -> np.ndarray:
    """Local date ordinals of meeting starts in the firm's timezone.

    A start already in the firm's zone needs no conversion (ZoneInfo instances are cached, so
    identity is a cheap test); the rest go through one vectorised conversion from UTC.
    """
    zone = rules.zone
    days = _ints(s.toordinal() if s.tzinfo is zone else -1 for s in starts)
    foreign = np.flatnonzero(days < 0)
    if len(foreign):
        seconds = _floats(starts[k].timestamp() for k in foreign)
        days[foreign] = local_day_ordinals(seconds, rules.timezone)
    return days


def _closure_scopes(
    snapshot: Snapshot, index: Mapping[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Closures as (scope row, start, end) entries, the region scope of each adviser, and
    how many scope rows there are.

    A global or regional closure is one entry, not one per adviser it covers: the ledger
    spreads a region's or everyone's closed days to its advisers with one gather.
    """
    advisers = snapshot.advisers
    n = len(advisers)
    region_row: dict[str, int] = {}
    spelled = [a.region for a in advisers]
    normalised = {r: normalise(r) for r in set(spelled)}  # a few regions, many advisers
    region_of = [normalised[r] for r in spelled]
    for region in region_of:
        if region:
            region_row.setdefault(region, n + len(region_row))
    everyone = n + len(region_row)
    scope: list[int] = []
    start: list[int] = []
    end: list[int] = []
    for closure in snapshot.closures:
        if closure.is_global:
            rows = [everyone]
        else:
            rows = [index[a] for a in closure.adviser_ids if a in index]
            rows += [region_row[r] for r in map(normalise, closure.regions) if r in region_row]
        scope += rows
        start += [closure.start.toordinal()] * len(rows)
        end += [closure.end.toordinal()] * len(rows)
    region_scope = np.array([region_row.get(r, -1) for r in region_of], dtype=np.int64)
    return (
        np.array(scope, dtype=np.int64),
        np.array(start, dtype=np.int64),
        np.array(end, dtype=np.int64),
        region_scope,
        everyone + 1,
    )
