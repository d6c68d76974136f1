"""In-memory fakes of the ports, keeping the same promises as the real adapters.

``InMemoryStore`` passes the store contract suite (tests/contract/store_contract.py), so unit
tests of the use cases can trust it: it refuses stale edits and duplicate or stale bookings,
applies a batch whole or not at all, and moves ``data_version`` exactly when a decision's
inputs change. Records are
kept as the codec's dicts, as a real store keeps them, so no caller shares a mutable value.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from allocation import Adviser, Closure, Leave, Meeting, Override, PendingDeal
from integrations import store_common as common
from integrations.errors import AlreadyRecorded, NotFound, StaleEdit
from services import codec
from services.records import (
    AllocationRecord,
    AuditEntry,
    ChangeCounts,
    ConsoleSettings,
    EditBatch,
    Versioned,
)
from tests.fake_store_base import InMemoryBase

T = TypeVar("T")
Json = dict[str, Any]


class InMemoryStore(InMemoryBase):
    """A ``services.ports.Store`` held in dicts behind one lock."""

    # --- reference data --------------------------------------------------------------------

    def list_advisers(self) -> list[Adviser]:
        with self._lock:
            self._read()
            return [codec.adviser_from_dict(r) for r in self._advisers.values()]

    def replace_advisers(self, advisers: Sequence[Adviser]) -> ChangeCounts:
        incoming = common.by_id(advisers, lambda a: a.id, codec.adviser_to_dict)
        with self._lock:
            counts, removed = common.count_changes(self._advisers, self._advisers, incoming)
            for rid in removed:
                del self._advisers[rid]
            self._advisers.update(copy.deepcopy(incoming))
            self._bump_if(counts)
            return counts

    def list_meetings(self, start: dt.date, end: dt.date) -> list[Meeting]:
        with self._lock:
            self._read()
            rows = [r for r in self._meetings.values() if _in_window(r, start, end)]
            return [codec.meeting_from_dict(r) for r in rows]

    def replace_meetings(
        self, meetings: Sequence[Meeting], start: dt.date, end: dt.date
    ) -> ChangeCounts:
        incoming = common.by_id(meetings, lambda m: m.id, codec.meeting_to_dict)
        with self._lock:
            in_scope = {k: r for k, r in self._meetings.items() if _in_window(r, start, end)}
            counts, removed = common.count_changes(in_scope, self._meetings, incoming)
            for rid in removed:
                del self._meetings[rid]
            self._meetings.update(copy.deepcopy(incoming))
            self._bump_if(counts)
            return counts

    def list_leave(self) -> list[Leave]:
        with self._lock:
            self._read()
            return [codec.leave_from_dict(row) for _, row in self._leave.values()]

    def add_manual_leave(self, leave: Leave) -> None:
        """Leave entered in the console; no sync ever removes it."""
        with self._lock:
            self._leave[leave.id] = ("manual", codec.leave_to_dict(leave))
            self._bump()

    def replace_synced_leave(self, leave: Sequence[Leave], since: dt.date) -> ChangeCounts:
        with self._lock:
            synced = {k: r for k, (origin, r) in self._leave.items() if origin == "synced"}
            incoming = {
                k: r
                for k, r in common.by_id(leave, lambda lv: lv.id, codec.leave_to_dict).items()
                if self._leave.get(k, ("synced", {}))[0] == "synced"
            }
            in_scope = {k: r for k, r in synced.items() if r["end"] >= since.isoformat()}
            counts, removed = common.count_changes(in_scope, synced, incoming)
            for rid in removed:
                del self._leave[rid]
            self._leave.update({k: ("synced", r) for k, r in incoming.items()})
            self._bump_if(counts)
            return counts

    def list_pending(self) -> list[PendingDeal]:
        with self._lock:
            self._read()
            return [codec.pending_from_dict(row) for _, row in self._pending.values()]

    def replace_open_deals(self, pending: Sequence[PendingDeal]) -> ChangeCounts:
        with self._lock:
            synced = {k: r for k, (origin, r) in self._pending.items() if origin == "synced"}
            incoming = {
                k: r
                for k, r in common.by_id(
                    pending, lambda p: p.deal_id, codec.pending_to_dict
                ).items()
                if self._pending.get(k, ("synced", {}))[0] == "synced"
            }
            counts, removed = common.count_changes(synced, synced, incoming)
            for rid in removed:
                del self._pending[rid]
            self._pending.update({k: ("synced", r) for k, r in incoming.items()})
            self._bump_if(counts)
            return counts

    def drop_pending(self, deal_ids: Sequence[str]) -> int:
        with self._lock:
            dropped = [d for d in set(deal_ids) if self._pending.pop(d, None) is not None]
            if dropped:
                self._bump()
            return len(dropped)

    def _bump_if(self, counts: ChangeCounts) -> None:
        if common.changed(counts):
            self._bump()

    # --- editable records ------------------------------------------------------------------

    def list_closures(self) -> list[Versioned[Closure]]:
        with self._lock:
            self._read()
            return [Versioned(codec.closure_from_dict(r), v) for r, v in self._closures.values()]

    def save_closures(self, batch: EditBatch[Closure], actor: str) -> None:
        self._save_batch("closure", "closures", self._closures, batch, actor, codec.closure_to_dict)

    def list_overrides(self) -> list[Versioned[Override]]:
        with self._lock:
            self._read()
            return [Versioned(codec.override_from_dict(r), v) for r, v in self._overrides.values()]

    def save_overrides(self, batch: EditBatch[Override], actor: str) -> None:
        self._save_batch(
            "override", "overrides", self._overrides, batch, actor, codec.override_to_dict
        )

    def _save_batch(
        self,
        kind: str,
        entity: str,
        table: dict[str, tuple[Json, str]],
        batch: EditBatch[T],
        actor: str,
        to_dict: Callable[[T], Json],
    ) -> None:
        with self._lock:
            changes = common.plan_batch(kind, batch, table, to_dict, lambda v: v.id)  # type: ignore[attr-defined]
            if not changes:
                return
            at = self._clock()
            for change in changes:
                if change.after is None:
                    del table[change.record_id]
                else:
                    table[change.record_id] = (change.after, self._next_version())
                self._audit.append(
                    codec.audit_to_dict(common.audit_for(change, kind, entity, actor, at))
                )
            self._bump()

    def override_notes(self) -> dict[str, str]:
        with self._lock:
            self._read()
            return dict(self._notes)

    def set_override_note(self, override_id: str, note: str) -> None:
        with self._lock:
            self._notes[override_id] = note  # no decision reads notes: the version stays

    def get_settings(self) -> Versioned[ConsoleSettings]:
        with self._lock:
            self._read()
            if self._settings is None:
                return Versioned(ConsoleSettings(), "0")
            row, version = self._settings
            return Versioned(codec.settings_from_dict(row), version)

    def save_settings(self, settings: ConsoleSettings, version: str, actor: str) -> None:
        with self._lock:
            before, current = self._settings or (codec.settings_to_dict(ConsoleSettings()), "0")
            if str(version) != current:
                raise StaleEdit(common.stale_settings_message())
            after = codec.settings_to_dict(settings)
            self._settings = (after, self._next_version())
            entry = AuditEntry(
                self._clock(),
                actor,
                "settings.update",
                "settings",
                common.SETTINGS_ID,
                before,
                after,
                common.new_id(),
            )
            self._audit.append(codec.audit_to_dict(entry))
            self._bump()

    # --- allocations -----------------------------------------------------------------------

    def get_allocation(self, deal_id: str) -> AllocationRecord | None:
        with self._lock:
            self._read()
            row = self._allocations.get(deal_id)
            return None if row is None else codec.allocation_from_dict(row)

    def list_allocations(
        self,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        status: str | None = None,
        adviser_id: str | None = None,
        limit: int = 1000,
    ) -> list[AllocationRecord]:
        with self._lock:
            self._read()
            records = [codec.allocation_from_dict(r) for r in self._allocations.values()]
        chosen = [
            r
            for r in records
            if (since is None or r.decided_at >= since)
            and (until is None or r.decided_at < until)
            and (status is None or r.status == status)
            and (adviser_id is None or r.adviser_id == adviser_id)
        ]
        chosen.sort(key=lambda r: r.decided_at, reverse=True)
        return chosen[:limit]

    def record_allocation(self, record: AllocationRecord, based_on: str) -> AllocationRecord:
        with self._lock:
            existing = self._allocations.get(record.deal_id)
            if existing is not None:
                raise AlreadyRecorded(codec.allocation_from_dict(existing))
            if str(based_on) != str(self._data_version):
                raise StaleEdit(common.stale_decision_message(record.deal_id))
            self._allocations[record.deal_id] = codec.allocation_to_dict(record)
            if self._keep_pending_in_step(record):
                self._bump()
            return record

    def update_allocation(self, record: AllocationRecord, actor: str, reason: str = "") -> None:
        with self._lock:
            before = self._allocations.get(record.deal_id)
            if before is None:
                raise NotFound(f"deal {record.deal_id} has no recorded allocation")
            after = codec.allocation_to_dict(record)
            self._allocations[record.deal_id] = after
            # A write-back outcome leaves the pending row (and the data version) alone.
            moved = common.pending_moved(codec.allocation_from_dict(before), record)
            if moved and self._keep_pending_in_step(record):
                self._bump()
            if common.is_person(actor):
                entry = common.allocation_audit(before, after, actor, reason, self._clock())
                self._audit.append(codec.audit_to_dict(entry))

    def _keep_pending_in_step(self, record: AllocationRecord) -> bool:
        """Make the deal's pending row the record's load; True when the pending deals changed."""
        pending = common.pending_of(record)
        wanted = None if pending is None else codec.pending_to_dict(pending)
        held = self._pending.pop(record.deal_id, None)
        if wanted is not None:
            self._pending[record.deal_id] = ("booked", wanted)
        return (None if held is None else held[1]) != wanted


def _in_window(row: Json, start: dt.date, end: dt.date) -> bool:
    day = codec.datetime_in(row["start"])
    return day is not None and start <= day.date() < end
