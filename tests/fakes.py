"""In-memory fakes of the ports, keeping the same promises as the real adapters.

``InMemoryStore`` passes the store contract suite (tests/contract/store_contract.py), so unit
tests of the use cases can trust it: it refuses stale edits and duplicate or stale bookings,
applies a batch whole or not at all, and moves ``data_version`` exactly when a decision's
inputs change. Records are
kept as the codec's dicts, as a real store keeps them, so no caller shares a mutable value.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from allocation import Adviser, Closure, Leave, Meeting, MeetingTable, Override, PendingDeal
from integrations import store_rules as common
from services import codec
from services.errors import AlreadyRecorded, Conflict, NotFound
from services.records import (
    AdviserLoad,
    AllocationRecord,
    AuditEntry,
    ChangeCounts,
    ConsoleSettings,
    EditBatch,
    LoadChanges,
    RejectedDelivery,
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

    def meeting_table(self, start: dt.date, end: dt.date) -> MeetingTable:
        with self._lock:
            self._read()
            rows = [r for r in self._meetings.values() if _in_window(r, start, end)]
        return codec.meeting_table_from_dicts(rows)

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
            booked = [p for a in self._loads for p in self._pending_of_adviser(a)]
            return self.list_open_deals() + booked

    def list_open_deals(self) -> list[PendingDeal]:
        with self._lock:
            self._read(len(self._pending))
            return [codec.pending_from_dict(row) for _, row in self._pending.values()]

    def replace_open_deals(self, pending: Sequence[PendingDeal]) -> ChangeCounts:
        with self._lock:
            synced = {k: r for k, (origin, r) in self._pending.items() if origin == "synced"}
            booked = {deal for weeks in self._loads.values() for deal in weeks}
            incoming = {
                k: r
                for k, r in common.by_id(
                    pending, lambda p: p.deal_id, codec.pending_to_dict
                ).items()
                if k not in booked  # a deal our booking put on an adviser's week stays booked
            }
            counts, removed = common.count_changes(synced, synced, incoming)
            for rid in removed:
                del self._pending[rid]
            self._pending.update({k: ("synced", r) for k, r in incoming.items()})
            self._bump_if(counts)
            return counts

    def drop_pending(self, deal_ids: Sequence[str]) -> int:
        with self._lock:
            wanted = set(deal_ids)
            dropped = [d for d in wanted if self._pending.pop(d, None) is not None]
            if dropped:
                self._bump()
            for adviser_id, weeks in list(self._loads.items()):
                for deal in wanted & set(weeks):
                    self._unbook(PendingDeal(deal, adviser_id, dt.date.fromisoformat(weeks[deal])))
                    dropped.append(deal)
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
                raise Conflict(common.stale_settings_message())
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
            held = self._allocations.get(deal_id)
            return None if held is None else _record(held)

    def list_allocations(
        self,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        status: str | None = None,
        adviser_id: str | None = None,
        limit: int = 1000,
    ) -> list[AllocationRecord]:
        with self._lock:
            records = [_record(held) for held in self._allocations.values()]
        chosen = [
            r
            for r in records
            if (since is None or r.decided_at >= since)
            and (until is None or r.decided_at < until)
            and (status is None or r.status == status)
            and (adviser_id is None or r.adviser_id == adviser_id)
        ]
        chosen.sort(key=lambda r: r.decided_at, reverse=True)
        with self._lock:
            self._read(len(chosen[:limit]))
        return chosen[:limit]

    def record_allocation(self, record: AllocationRecord, based_on: str) -> AllocationRecord:
        with self._lock:
            existing = self._allocations.get(record.deal_id)
            if existing is not None:
                raise AlreadyRecorded(_record(existing))
            booked = common.pending_of(record)
            if booked is not None:
                if str(based_on) != self._load_version(booked.adviser_id):
                    raise Conflict(common.stale_decision_message(record.deal_id))
                self._book(booked)
            elif self._pending.pop(record.deal_id, None) is not None:
                self._bump()  # an open deal nobody can take no longer loads its adviser
            self._allocations[record.deal_id] = (codec.allocation_to_dict(record), 1)
            return _record(self._allocations[record.deal_id])

    def update_allocation(
        self, record: AllocationRecord, actor: str, reason: str = ""
    ) -> AllocationRecord:
        with self._lock:
            held = self._allocations.get(record.deal_id)
            if held is None:
                raise NotFound(f"deal {record.deal_id} has no recorded allocation")
            before, version = held
            if str(record.version) != str(version):
                raise Conflict(common.stale_allocation_message(record.deal_id))
            was = common.pending_of(codec.allocation_from_dict(before))
            now = common.pending_of(record)
            if was != now:
                if was is not None:
                    self._unbook(was)
                if now is not None:
                    self._book(now)
            after = codec.allocation_to_dict(record)
            self._allocations[record.deal_id] = (after, version + 1)
            if common.is_person(actor):
                entry = common.allocation_audit(before, after, actor, reason, self._clock())
                self._audit.append(codec.audit_to_dict(entry))
            return _record(self._allocations[record.deal_id])

    def booked_loads(self, since: str | None = None) -> LoadChanges:
        with self._lock:
            after = int(since) if since else 0
            changed = [a for a, (_, seq) in self._load_versions.items() if seq > after]
            self._read(max(1, len(changed)))
            loads = tuple(
                AdviserLoad(a, self._load_version(a), self._pending_of_adviser(a))
                for a in sorted(changed)
            )
            return LoadChanges(loads, str(self._load_seq))

    def _load_version(self, adviser_id: str) -> str:
        held = self._load_versions.get(adviser_id)
        return "0" if held is None else str(held[0])

    def _pending_of_adviser(self, adviser_id: str) -> tuple[PendingDeal, ...]:
        weeks = self._loads.get(adviser_id, {})
        return tuple(
            PendingDeal(deal, adviser_id, dt.date.fromisoformat(week))
            for deal, week in sorted(weeks.items())
        )

    def _touch_load(self, adviser_id: str) -> None:
        self._load_seq += 1
        version = int(self._load_version(adviser_id)) + 1
        self._load_versions[adviser_id] = (version, self._load_seq)

    def _book(self, pending: PendingDeal) -> None:
        self._loads.setdefault(pending.adviser_id, {})[pending.deal_id] = pending.week.isoformat()
        self._touch_load(pending.adviser_id)

    def _unbook(self, pending: PendingDeal) -> None:
        self._loads.get(pending.adviser_id, {}).pop(pending.deal_id, None)
        self._touch_load(pending.adviser_id)

    # --- rejected deliveries ---------------------------------------------------------------

    def record_rejection(self, rejection: RejectedDelivery) -> bool:
        with self._lock:
            held = self._rejections.get(rejection.id)
            if held is None:
                self._rejections[rejection.id] = codec.rejection_to_dict(rejection)
                return True
            kept = codec.rejection_from_dict(held)
            again = common.rejected_again(kept, rejection)
            self._rejections[rejection.id] = codec.rejection_to_dict(again)
            return kept.status != "open"

    def list_rejections(
        self, status: str | None = "open", limit: int = 200
    ) -> list[RejectedDelivery]:
        with self._lock:
            rows = [codec.rejection_from_dict(r) for r in self._rejections.values()]
        chosen = [r for r in rows if status is None or r.status == status]
        chosen.sort(key=lambda r: r.received_at, reverse=True)
        with self._lock:
            self._read(len(chosen[:limit]))
        return chosen[:limit]

    def resolve_rejection(self, rejection_id: str, resolution: str, actor: str) -> None:
        with self._lock:
            held = self._rejections.get(rejection_id)
            if held is None:
                raise NotFound(f"no rejected delivery {rejection_id}")
            before = codec.rejection_from_dict(held)
            after = common.resolved(before, resolution)
            self._rejections[rejection_id] = codec.rejection_to_dict(after)
            entry = common.rejection_audit(before, after, actor, self._clock())
            self._audit.append(codec.audit_to_dict(entry))


def _record(held: tuple[Json, int]) -> AllocationRecord:
    row, version = held
    return dataclasses.replace(codec.allocation_from_dict(row), version=str(version))


def _in_window(row: Json, start: dt.date, end: dt.date) -> bool:
    day = codec.datetime_in(row["start"])
    return day is not None and start <= day.date() < end
