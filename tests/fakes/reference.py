"""The core's inputs (advisers, meetings, leave, open deals) in memory; every change to them
moves the data version."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Sequence
from typing import TypeVar

from allocation import Adviser, Leave, Meeting, MeetingTable, PendingDeal
from integrations import store_rules as rules
from services import codec
from services.records import ChangeCounts
from tests.fakes.allocations import pending_of_adviser, unbook
from tests.fakes.state import InMemoryState, Json

R = TypeVar("R")


class InMemoryReference:
    """``services.ports.ReferenceData`` in memory."""

    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    def list_advisers(self) -> list[Adviser]:
        with self._state.lock:
            self._state.read()
            rows = list(self._state.advisers.items())
            return self._state.skipped.decode("adviser", rows, _row(codec.adviser_from_dict), _key)

    def replace_advisers(self, advisers: Sequence[Adviser]) -> ChangeCounts:
        stored = self._state.advisers
        incoming = rules.by_id(advisers, lambda a: a.id, codec.adviser_to_dict)
        with self._state.lock:
            counts, removed = rules.count_changes(stored, stored, incoming)
            for rid in removed:
                del stored[rid]
            stored.update(copy.deepcopy(incoming))
            self._bump_if(counts)
            return counts

    def list_meetings(self, start: dt.date, end: dt.date) -> list[Meeting]:
        with self._state.lock:
            self._state.read()
            rows = [r for r in self._state.meetings.values() if _in_window(r, start, end)]
            return [codec.meeting_from_dict(r) for r in rows]

    def meeting_table(self, start: dt.date, end: dt.date) -> MeetingTable:
        with self._state.lock:
            self._state.read()
            rows = [r for r in self._state.meetings.values() if _in_window(r, start, end)]
        return codec.meeting_table_from_dicts(rows)

    def replace_meetings(
        self, meetings: Sequence[Meeting], start: dt.date, end: dt.date
    ) -> ChangeCounts:
        stored = self._state.meetings
        incoming = rules.by_id(meetings, lambda m: m.id, codec.meeting_to_dict)
        with self._state.lock:
            in_scope = {k: r for k, r in stored.items() if _in_window(r, start, end)}
            counts, removed = rules.count_changes(in_scope, stored, incoming)
            for rid in removed:
                del stored[rid]
            stored.update(copy.deepcopy(incoming))
            self._bump_if(counts)
            return counts

    def list_leave(self) -> list[Leave]:
        with self._state.lock:
            self._state.read()
            rows = [(k, row) for k, (_, row) in self._state.leave.items()]
            return self._state.skipped.decode("leave", rows, _row(codec.leave_from_dict), _key)

    def add_manual_leave(self, leave: Leave) -> None:
        """Leave entered in the console; no sync ever removes it."""
        with self._state.lock:
            self._state.leave[leave.id] = ("manual", codec.leave_to_dict(leave))
            self._state.bump()

    def replace_synced_leave(self, leave: Sequence[Leave], since: dt.date) -> ChangeCounts:
        stored = self._state.leave
        with self._state.lock:
            synced = {k: r for k, (origin, r) in stored.items() if origin == "synced"}
            offered = rules.by_id(leave, lambda lv: lv.id, codec.leave_to_dict)
            # Leave someone entered by hand keeps its id; a synced copy never overwrites it.
            incoming = {
                k: r for k, r in offered.items() if stored.get(k, ("synced", {}))[0] == "synced"
            }
            in_scope = {k: r for k, r in synced.items() if r["end"] >= since.isoformat()}
            counts, removed = rules.count_changes(in_scope, synced, incoming)
            for rid in removed:
                del stored[rid]
            stored.update({k: ("synced", r) for k, r in incoming.items()})
            self._bump_if(counts)
            return counts

    def list_pending(self) -> list[PendingDeal]:
        with self._state.lock:
            booked = [p for a in self._state.loads for p in pending_of_adviser(self._state, a)]
            return self.list_open_deals() + booked

    def list_open_deals(self) -> list[PendingDeal]:
        with self._state.lock:
            self._state.read(len(self._state.pending))
            rows = [(k, row) for k, (_, row) in self._state.pending.items()]
            read = _row(codec.pending_from_dict)
            return self._state.skipped.decode("open deal", rows, read, _key)

    def replace_open_deals(self, pending: Sequence[PendingDeal]) -> ChangeCounts:
        stored = self._state.pending
        with self._state.lock:
            synced = {k: r for k, (origin, r) in stored.items() if origin == "synced"}
            ours = {deal for weeks in self._state.loads.values() for deal in weeks}
            offered = rules.by_id(pending, lambda p: p.deal_id, codec.pending_to_dict)
            # A deal our booking put on an adviser's week stays as booked.
            incoming = {k: r for k, r in offered.items() if k not in ours}
            counts, removed = rules.count_changes(synced, synced, incoming)
            for rid in removed:
                del stored[rid]
            stored.update({k: ("synced", r) for k, r in incoming.items()})
            self._bump_if(counts)
            return counts

    def drop_pending(self, deal_ids: Sequence[str]) -> int:
        state = self._state
        with state.lock:
            wanted = set(deal_ids)
            dropped = [d for d in wanted if state.pending.pop(d, None) is not None]
            if dropped:
                state.bump()
            for adviser_id, weeks in list(state.loads.items()):
                for deal in wanted & set(weeks):
                    week = dt.date.fromisoformat(weeks[deal])
                    unbook(state, PendingDeal(deal, adviser_id, week))
                    dropped.append(deal)
            return len(dropped)

    def _bump_if(self, counts: ChangeCounts) -> None:
        if rules.changed(counts):
            self._state.bump()


def _in_window(row: Json, start: dt.date, end: dt.date) -> bool:
    day = codec.datetime_in(row["start"])
    return day is not None and start <= day.date() < end


def _row(from_dict: Callable[[Json], R]) -> Callable[[tuple[str, Json]], R]:
    return lambda held: from_dict(held[1])


def _key(held: tuple[str, Json]) -> object:
    return held[0]
