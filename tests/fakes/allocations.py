"""Recorded decisions and each adviser's booked load, in memory.

Each adviser's load has a version and the sequence number of its last change, as the real
stores keep them, so a booking made on an out-of-date load is refused and ``booked_loads``
answers incrementally.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from allocation import PendingDeal
from integrations import store_rules as rules
from services import codec
from services.errors import AlreadyRecorded, Conflict, NotFound
from services.records import AdviserLoad, AllocationRecord, LoadChanges
from tests.fakes.history import keep_audit
from tests.fakes.state import InMemoryState, Json


class InMemoryAllocations:
    """``services.ports.Allocations`` in memory."""

    def __init__(self, state: InMemoryState, clock: Callable[[], dt.datetime]) -> None:
        self._state = state
        self._clock = clock

    def get_allocation(self, deal_id: str) -> AllocationRecord | None:
        with self._state.lock:
            self._state.read()
            held = self._state.allocations.get(deal_id)
            return None if held is None else _record(held)

    def list_allocations(
        self,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        status: str | None = None,
        adviser_id: str | None = None,
        limit: int = 1000,
    ) -> list[AllocationRecord]:
        with self._state.lock:
            records = [_record(held) for held in self._state.allocations.values()]
        chosen = [
            r
            for r in records
            if (since is None or r.decided_at >= since)
            and (until is None or r.decided_at < until)
            and (status is None or r.status == status)
            and (adviser_id is None or r.adviser_id == adviser_id)
        ]
        chosen.sort(key=lambda r: r.decided_at, reverse=True)
        with self._state.lock:
            self._state.read(len(chosen[:limit]))
        return chosen[:limit]

    def record_allocation(self, record: AllocationRecord, based_on: str) -> AllocationRecord:
        state = self._state
        with state.lock:
            existing = state.allocations.get(record.deal_id)
            if existing is not None:
                raise AlreadyRecorded(_record(existing))
            booked = rules.pending_of(record)
            if booked is not None:
                if str(based_on) != load_version(state, booked.adviser_id):
                    raise Conflict(rules.stale_decision_message(record.deal_id))
                book(state, booked)
            elif state.pending.pop(record.deal_id, None) is not None:
                state.bump()  # an open deal nobody can take no longer loads its adviser
            state.allocations[record.deal_id] = (codec.allocation_to_dict(record), 1)
            return _record(state.allocations[record.deal_id])

    def update_allocation(
        self, record: AllocationRecord, actor: str, reason: str = "", based_on: str | None = None
    ) -> AllocationRecord:
        state = self._state
        with state.lock:
            held = state.allocations.get(record.deal_id)
            if held is None:
                raise NotFound(f"deal {record.deal_id} has no recorded allocation")
            before, version = held
            if str(record.version) != str(version):
                raise Conflict(rules.stale_allocation_message(record.deal_id))
            was = rules.pending_of(codec.allocation_from_dict(before))
            now = rules.pending_of(record)
            stale = based_on is not None and now is not None and was != now
            if stale and now is not None and str(based_on) != load_version(state, now.adviser_id):
                raise Conflict(rules.stale_decision_message(record.deal_id))
            if was != now:
                if was is not None:
                    unbook(state, was)
                if now is not None:
                    book(state, now)
            after = codec.allocation_to_dict(record)
            state.allocations[record.deal_id] = (after, version + 1)
            if rules.is_person(actor):
                entry = rules.allocation_audit(before, after, actor, reason, self._clock())
                keep_audit(state, entry)
            return _record(state.allocations[record.deal_id])

    def booked_loads(self, since: str | None = None) -> LoadChanges:
        state = self._state
        with state.lock:
            after = int(since) if since else 0
            changed = [a for a, (_, seq) in state.load_versions.items() if seq > after]
            state.read(max(1, len(changed)))
            loads = tuple(
                AdviserLoad(a, load_version(state, a), pending_of_adviser(state, a))
                for a in sorted(changed)
            )
            return LoadChanges(loads, str(state.load_seq))


# --- booked loads: also read and moved by reference data (open deals, dropped deals) ---------
# Callers hold the state's lock.


def load_version(state: InMemoryState, adviser_id: str) -> str:
    held = state.load_versions.get(adviser_id)
    return "0" if held is None else str(held[0])


def pending_of_adviser(state: InMemoryState, adviser_id: str) -> tuple[PendingDeal, ...]:
    weeks = state.loads.get(adviser_id, {})
    return tuple(
        PendingDeal(deal, adviser_id, dt.date.fromisoformat(week))
        for deal, week in sorted(weeks.items())
    )


def book(state: InMemoryState, pending: PendingDeal) -> None:
    state.loads.setdefault(pending.adviser_id, {})[pending.deal_id] = pending.week.isoformat()
    _touch_load(state, pending.adviser_id)


def unbook(state: InMemoryState, pending: PendingDeal) -> None:
    state.loads.get(pending.adviser_id, {}).pop(pending.deal_id, None)
    _touch_load(state, pending.adviser_id)


def _touch_load(state: InMemoryState, adviser_id: str) -> None:
    state.load_seq += 1
    version = int(load_version(state, adviser_id)) + 1
    state.load_versions[adviser_id] = (version, state.load_seq)


def _record(held: tuple[Json, int]) -> AllocationRecord:
    row, version = held
    return dataclasses.replace(codec.allocation_from_dict(row), version=str(version))
