"""Decisions, audit entries and sync runs in Firestore: the records that only ever grow.

Lists are newest first on the ``sort_key`` field (see ``firestore_docs``). Booking and
starting a sync are compare-and-set commits with preconditions rather than read-write
transactions: nothing holds a lock, and the loser of a race learns so at once. Audit entries,
sync runs and write-back outcomes are bookkeeping: their commits leave the data version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from google.cloud import firestore

from integrations import store_common as common
from integrations.errors import AlreadyRecorded, NotFound, StaleEdit, SyncInProgress
from integrations.firestore_docs import (
    ALLOCATIONS,
    AUDIT,
    META,
    MISSING_VERSION,
    PENDING,
    SORT_KEY,
    SYNC_RUNS,
    Json,
    Write,
    doc_key,
    fixed_time,
    packed,
    sort_key,
    strip,
    unpacked,
    version_of,
)
from integrations.firestore_edits import AUDIT_FREE_FORM, PRECONDITION_FAILED, FirestoreEdits
from services import codec
from services.records import AllocationRecord, AuditEntry, SyncRun

BOOKED = "booked"
# Explanations are packed text (services.explanation) already; nothing else is free-form JSON.
FREE_FORM: tuple[str, ...] = ()


def _allocation_row(record: AllocationRecord, key: str | None) -> Json:
    return {**packed(codec.allocation_to_dict(record), *FREE_FORM), SORT_KEY: key}


def _allocation(row: Json | None) -> AllocationRecord:
    return codec.allocation_from_dict(unpacked(row or {}, *FREE_FORM))


class FirestoreHistory(FirestoreEdits):
    # --- allocations -------------------------------------------------------------------------

    def get_allocation(self, deal_id: str) -> AllocationRecord | None:
        snap = self.get(self.ref(ALLOCATIONS, deal_id))
        return _allocation(snap.to_dict()) if snap.exists else None

    def list_allocations(
        self,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        status: str | None = None,
        adviser_id: str | None = None,
        limit: int = 1000,
    ) -> list[AllocationRecord]:
        query: Any = self.col(ALLOCATIONS)
        if status is not None:
            query = self.where(query, "status", "==", status)
        if adviser_id is not None:
            query = self.where(query, "adviser_id", "==", adviser_id)
        # sort_key starts with the fixed-width decision time, so it bounds like decided_at.
        if since is not None:
            query = self.where(query, SORT_KEY, ">=", fixed_time(since))
        if until is not None:
            query = self.where(query, SORT_KEY, "<", fixed_time(until))
        query = query.order_by(SORT_KEY, direction=firestore.Query.DESCENDING).limit(limit)
        return [_allocation(r) for r in self.rows(query, ALLOCATIONS)]

    def record_allocation(self, record: AllocationRecord, based_on: str) -> AllocationRecord:
        row = _allocation_row(record, sort_key(record.decided_at))
        ref = self.ref(ALLOCATIONS, record.deal_id)
        try:
            writes: list[Write] = [lambda b: b.create(ref, row)]
            if self._books_or_unbooks(record):
                writes += [self._pending_in_step(record), self._version_moves_from(str(based_on))]
            else:
                writes.append(self._version_still(str(based_on)))
            self.commit(writes, f"recording deal {record.deal_id}", bump=False)
        except (*PRECONDITION_FAILED, StaleEdit) as exc:
            existing = self.get_allocation(record.deal_id)
            if existing is not None:
                raise AlreadyRecorded(existing) from exc
            raise StaleEdit(common.stale_decision_message(record.deal_id)) from exc
        return record

    def _books_or_unbooks(self, record: AllocationRecord) -> bool:
        """A booking adds a pending load; an unallocated decision removes one only if the deal
        had one (read here: any pending write since ``based_on`` fails the commit anyway)."""
        if common.pending_of(record) is not None:
            return True
        return bool(self.get(self.ref(PENDING, record.deal_id)).exists)

    def _version_still(self, based_on: str) -> Write:
        """Check the data version is still the one the decision saw, without moving it: an
        update that changes nothing keeps the document's update time (Firestore's WriteResult
        semantics), yet its precondition is checked."""
        ref = self.version_ref
        if based_on == MISSING_VERSION:
            return lambda b: b.create(ref, {"n": 1})
        unchanged_since_decided = self.precondition(based_on)
        return lambda b: b.update(
            ref, {"n": firestore.Increment(0)}, option=unchanged_since_decided
        )

    def _version_moves_from(self, based_on: str) -> Write:
        """Move the data version, but only from the one the decision saw."""
        ref = self.version_ref
        if based_on == MISSING_VERSION:
            return lambda b: b.create(ref, {"n": 1})
        unchanged_since_decided = self.precondition(based_on)
        return lambda b: b.update(
            ref, {"n": firestore.Increment(1)}, option=unchanged_since_decided
        )

    def update_allocation(self, record: AllocationRecord, actor: str, reason: str = "") -> None:
        ref = self.ref(ALLOCATIONS, record.deal_id)
        snap = self.get(ref)
        if not snap.exists:
            raise NotFound(f"deal {record.deal_id} has no recorded allocation")
        stored = snap.to_dict() or {}
        before = unpacked(strip(stored, SORT_KEY), *FREE_FORM)
        after = codec.allocation_to_dict(record)
        same_time = before.get("decided_at") == after["decided_at"]
        key = stored.get(SORT_KEY) if same_time else sort_key(record.decided_at)
        unchanged_since_read = self.precondition(version_of(snap))
        row = _allocation_row(record, key)
        writes = [lambda b: b.update(ref, row, option=unchanged_since_read)]
        # A write-back outcome leaves the pending doc (and the data version) alone.
        moved = common.pending_moved(_allocation(before), record)
        if moved:
            writes.append(self._pending_in_step(record))
        if common.is_person(actor):
            entry = common.allocation_audit(before, after, actor, reason, self._clock())
            writes.append(self.audit_write(entry))
        try:
            self.commit(writes, f"updating deal {record.deal_id}", bump=moved)
        except PRECONDITION_FAILED as exc:
            message = common.stale_message("the allocation of deal", record.deal_id)
            raise StaleEdit(message) from exc

    def _pending_in_step(self, record: AllocationRecord) -> Write:
        """The load a decision puts on its adviser's week, or none when it booked nobody."""
        ref = self.ref(PENDING, record.deal_id)
        pending = common.pending_of(record)
        if pending is None:
            return lambda b: b.delete(ref)
        row = {**codec.pending_to_dict(pending), "origin": BOOKED}
        return lambda b: b.set(ref, row)

    # --- audit -------------------------------------------------------------------------------

    def append_audit(self, entry: AuditEntry) -> None:
        self.commit([self.audit_write(entry)], "writing the audit log", bump=False)

    def list_audit(self, entity: str | None = None, limit: int = 50) -> list[AuditEntry]:
        query: Any = self.col(AUDIT)
        if entity is not None:
            query = self.where(query, "entity", "==", entity)
        query = query.order_by(SORT_KEY, direction=firestore.Query.DESCENDING).limit(limit)
        rows = self.rows(query, AUDIT)
        return [codec.audit_from_dict(unpacked(r, *AUDIT_FREE_FORM)) for r in rows]

    # --- sync runs ---------------------------------------------------------------------------

    def start_sync(self, source: str, actor: str, now: dt.datetime) -> SyncRun:
        # Read the source's lock document before looking for running runs: a rival who starts
        # after our read moves the lock, and our commit's precondition then fails.
        lock_ref = self.col(META).document(f"sync-lock-{doc_key(source)}")
        lock = self.get(lock_ref)
        running = self.where(self.col(SYNC_RUNS), "source", "==", source)
        running = self.where(running, "status", "==", "running")
        writes: list[Write] = []
        for row in self.rows(running, SYNC_RUNS):
            run = codec.sync_run_from_dict(row)
            if not common.abandoned(run.started_at, now):
                raise SyncInProgress(common.sync_busy_message(run))
            writes.append(self._run_write(common.abandon(run, now), row.get(SORT_KEY)))
        run = SyncRun(id=common.new_id(), source=source, started_at=now, actor=actor)
        writes.append(self._run_write(run, None))
        writes.append(self._lock_write(lock_ref, lock, run.id))
        try:
            self.commit(writes, f"starting the {source} sync", bump=False)
        except PRECONDITION_FAILED as exc:
            raise SyncInProgress(
                f"another {source} sync started just now; try again when it has finished"
            ) from exc
        return run

    def _lock_write(self, ref: firestore.DocumentReference, lock: Any, run_id: str) -> Write:
        if not lock.exists:
            return lambda b: b.create(ref, {"run_id": run_id})
        unchanged_since_read = self.precondition(version_of(lock))
        return lambda b: b.update(ref, {"run_id": run_id}, option=unchanged_since_read)

    def _run_write(self, run: SyncRun, key: str | None) -> Write:
        ref = self.ref(SYNC_RUNS, run.id)
        row: Json = {**codec.sync_run_to_dict(run), SORT_KEY: key or sort_key(run.started_at)}
        return lambda b: b.set(ref, row)

    def finish_sync(self, run: SyncRun) -> None:
        snap = self.get(self.ref(SYNC_RUNS, run.id))
        if not snap.exists:
            raise NotFound(f"sync run {run.id} was never started")
        key = (snap.to_dict() or {}).get(SORT_KEY)
        self.commit([self._run_write(run, key)], f"finishing the {run.source} sync", bump=False)

    def list_sync_runs(self, source: str | None = None, limit: int = 50) -> list[SyncRun]:
        query: Any = self.col(SYNC_RUNS)
        if source is not None:
            query = self.where(query, "source", "==", source)
        query = query.order_by(SORT_KEY, direction=firestore.Query.DESCENDING).limit(limit)
        return [codec.sync_run_from_dict(r) for r in self.rows(query, SYNC_RUNS)]
