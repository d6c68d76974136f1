"""Decisions, booked loads, rejected deliveries, audit entries and sync runs in Firestore.

Lists are newest first on the ``sort_key`` field (see ``firestore_docs``). Booking, changing a
decision and starting a sync are compare-and-set commits with preconditions rather than
read-write transactions: nothing holds a lock, and the loser of a race learns so at once.

Each adviser's booked clients live in ``loads/{adviser}`` (``deals``: deal id → week, and a
``changed_at`` server time). A booking writes only its decision and that one document, on the
condition that the document is still the version the decision saw, so bookings for different
advisers never contend, and nothing every booking writes exists (Firestore sustains about one
write a second on one document). Other processes learn of bookings by asking which load
documents changed since the last time (``booked_loads``), not by reloading the firm.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.field_path import FieldPath

from allocation import PendingDeal
from integrations import store_rules as common
from integrations.firestore_docs import (
    ALLOCATIONS,
    AUDIT,
    LOADS,
    META,
    MISSING_VERSION,
    PENDING,
    REJECTIONS,
    SORT_KEY,
    SYNC_RUNS,
    Json,
    Write,
    doc_key,
    fixed_time,
    sort_key,
    strip,
    unpacked,
    version_of,
    written_version,
)
from integrations.firestore_edits import AUDIT_FREE_FORM, PRECONDITION_FAILED, FirestoreEdits
from services import codec
from services.errors import AlreadyRecorded, Conflict, NotFound, SyncInProgress
from services.records import (
    AdviserLoad,
    AllocationRecord,
    AuditEntry,
    LoadChanges,
    RejectedDelivery,
    SyncRun,
)


def _allocation_row(record: AllocationRecord, key: str | None) -> Json:
    return {**codec.allocation_to_dict(record), SORT_KEY: key}


def _allocation(snap: Any) -> AllocationRecord:
    record = codec.allocation_from_dict(snap.to_dict() or {})
    return replace(record, version=version_of(snap))


def _created(ref: firestore.DocumentReference, row: Json) -> Write:
    return lambda b: b.create(ref, row)


def _updated(ref: firestore.DocumentReference, row: Json, option: Any) -> Write:
    return lambda b: b.update(ref, row, option=option)


def _deal_field(deal_id: str) -> str:
    """The field path of one deal in a load document's ``deals`` map (ids quoted as needed)."""
    return FieldPath("deals", deal_id).to_api_repr()


def _load(snap: Any) -> AdviserLoad:
    row = snap.to_dict() or {}
    adviser_id = str(row.get("adviser_id", snap.id))
    deals = row.get("deals") or {}
    pending = tuple(
        PendingDeal(str(deal), adviser_id, dt.date.fromisoformat(week))
        for deal, week in sorted(deals.items())
    )
    return AdviserLoad(adviser_id, version_of(snap), pending)


def _moment(watermark: str) -> dt.datetime:
    return dt.datetime.fromisoformat(watermark.replace("Z", "+00:00"))


def _rejection_row(rejection: RejectedDelivery) -> Json:
    return {**codec.rejection_to_dict(rejection), SORT_KEY: sort_key(rejection.received_at)}


class FirestoreHistory(FirestoreEdits):
    # --- allocations -------------------------------------------------------------------------

    def get_allocation(self, deal_id: str) -> AllocationRecord | None:
        snap = self.get(self.ref(ALLOCATIONS, deal_id))
        return _allocation(snap) if snap.exists else None

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
        return [_allocation(s) for s in self.stream(query, ALLOCATIONS)]

    def record_allocation(self, record: AllocationRecord, based_on: str) -> AllocationRecord:
        """One commit: create the decision (refused if it exists) and, for a booking, add the
        deal to the adviser's load document, on condition that it is still the one the
        decision saw. Nothing else is written, so bookings for other advisers never meet."""
        row = _allocation_row(record, sort_key(record.decided_at))
        ref = self.ref(ALLOCATIONS, record.deal_id)
        writes: list[Write] = [lambda b: b.create(ref, row)]
        booked = common.pending_of(record)
        unbooks_open_deal = False
        if booked is not None:
            writes.append(self._load_booked(booked, str(based_on)))
        else:
            # An open deal nobody can take no longer loads its adviser (a reference change).
            pending_ref = self.ref(PENDING, record.deal_id)
            unbooks_open_deal = bool(self.get(pending_ref).exists)
            if unbooks_open_deal:
                writes.append(lambda b: b.delete(pending_ref))
        try:
            results = self.commit(
                writes, f"recording deal {record.deal_id}", bump=unbooks_open_deal
            )
        except (*PRECONDITION_FAILED, Conflict) as exc:
            existing = self.get_allocation(record.deal_id)
            if existing is not None:
                raise AlreadyRecorded(existing) from exc
            raise Conflict(common.stale_decision_message(record.deal_id)) from exc
        return replace(record, version=written_version(results[0]))

    def _load_booked(self, booked: PendingDeal, based_on: str) -> Write:
        """Add a booking to its adviser's load, only from the version the decision saw."""
        ref = self.ref(LOADS, booked.adviser_id)
        week = booked.week.isoformat()
        if based_on == MISSING_VERSION:
            first = {
                "adviser_id": booked.adviser_id,
                "deals": {booked.deal_id: week},
                "changed_at": firestore.SERVER_TIMESTAMP,
            }
            return lambda b: b.create(ref, first)
        unchanged_since_decided = self.precondition(based_on)
        change = {_deal_field(booked.deal_id): week, "changed_at": firestore.SERVER_TIMESTAMP}
        return lambda b: b.update(ref, change, option=unchanged_since_decided)

    def _load_moved(self, was: PendingDeal | None, now: PendingDeal | None) -> list[Write]:
        """A re-assignment or unallocation moves the load by hand: field-level changes need
        no read, and a booking decided on the old load is refused by its precondition."""
        writes: list[Write] = []
        if was is not None:
            old = self.ref(LOADS, was.adviser_id)
            gone = {_deal_field(was.deal_id): firestore.DELETE_FIELD,
                    "changed_at": firestore.SERVER_TIMESTAMP}  # fmt: skip
            writes.append(lambda b: b.update(old, gone))
        if now is not None:
            new = self.ref(LOADS, now.adviser_id)
            added = {"adviser_id": now.adviser_id, "deals": {now.deal_id: now.week.isoformat()},
                     "changed_at": firestore.SERVER_TIMESTAMP}  # fmt: skip
            writes.append(lambda b: b.set(new, added, merge=True))
        return writes

    def update_allocation(
        self, record: AllocationRecord, actor: str, reason: str = ""
    ) -> AllocationRecord:
        ref = self.ref(ALLOCATIONS, record.deal_id)
        snap = self.get(ref)
        if not snap.exists:
            raise NotFound(f"deal {record.deal_id} has no recorded allocation")
        if str(record.version) != version_of(snap):
            raise Conflict(common.stale_allocation_message(record.deal_id))
        stored = snap.to_dict() or {}
        before = strip(stored, SORT_KEY)
        after = codec.allocation_to_dict(record)
        same_time = before.get("decided_at") == after["decided_at"]
        key = stored.get(SORT_KEY) if same_time else sort_key(record.decided_at)
        unchanged_since_read = self.precondition(version_of(snap))
        row = _allocation_row(record, key)
        writes: list[Write] = [lambda b: b.update(ref, row, option=unchanged_since_read)]
        was = common.pending_of(codec.allocation_from_dict(before))
        now = common.pending_of(record)
        if was != now:
            writes += self._load_moved(was, now)
        if common.is_person(actor):
            entry = common.allocation_audit(before, after, actor, reason, self._clock())
            writes.append(self.audit_write(entry))
        try:
            results = self.commit(writes, f"updating deal {record.deal_id}", bump=False)
        except PRECONDITION_FAILED as exc:
            raise Conflict(common.stale_allocation_message(record.deal_id)) from exc
        return replace(record, version=written_version(results[0]))

    def booked_loads(self, since: str | None = None) -> LoadChanges:
        """Load documents changed after the watermark. The watermark is the latest change
        time seen: a change committed later has a later time, and one committed earlier was
        visible to this query already (Firestore reads are strongly consistent)."""
        query: Any = self.col(LOADS)
        if since:
            query = self.where(query, "changed_at", ">", _moment(since))
        snaps = self.stream(query, LOADS)
        loads = tuple(sorted((_load(s) for s in snaps), key=lambda a: a.adviser_id))
        times = [(s.to_dict() or {}).get("changed_at") for s in snaps]
        latest = max((t for t in times if t is not None), default=None)
        return LoadChanges(loads, latest.rfc3339() if latest is not None else since or "")

    def booked_deal_ids(self) -> set[str]:
        return {p.deal_id for load in self.booked_loads().loads for p in load.pending}

    # --- rejected deliveries -----------------------------------------------------------------

    def record_rejection(self, rejection: RejectedDelivery) -> bool:
        ref = self.ref(REJECTIONS, rejection.id)
        for _ in range(3):  # a rival writing the same rejection at once: read again, count it
            snap = self.get(ref)
            if not snap.exists:
                write, opened = _created(ref, _rejection_row(rejection)), True
            else:
                kept = codec.rejection_from_dict(snap.to_dict() or {})
                again = _rejection_row(common.rejected_again(kept, rejection))
                write = _updated(ref, again, self.precondition(version_of(snap)))
                opened = kept.status != "open"
            try:
                self.commit([write], "keeping a rejected delivery", bump=False)
            except PRECONDITION_FAILED:
                continue
            return opened
        raise Conflict(f"rejected delivery {rejection.id} kept changing; try again")

    def list_rejections(
        self, status: str | None = "open", limit: int = 200
    ) -> list[RejectedDelivery]:
        query: Any = self.col(REJECTIONS)
        if status is not None:
            query = self.where(query, "status", "==", status)
        query = query.order_by(SORT_KEY, direction=firestore.Query.DESCENDING).limit(limit)
        return [codec.rejection_from_dict(r) for r in self.rows(query, REJECTIONS)]

    def resolve_rejection(self, rejection_id: str, resolution: str, actor: str) -> None:
        ref = self.ref(REJECTIONS, rejection_id)
        snap = self.get(ref)
        if not snap.exists:
            raise NotFound(f"no rejected delivery {rejection_id}")
        before = codec.rejection_from_dict(snap.to_dict() or {})
        after = common.resolved(before, resolution)
        row = _rejection_row(after)
        unchanged = self.precondition(version_of(snap))
        entry = common.rejection_audit(before, after, actor, self._clock())
        writes: list[Write] = [lambda b: b.update(ref, row, option=unchanged),
                               self.audit_write(entry)]  # fmt: skip
        try:
            self.commit(writes, "resolving a rejected delivery", bump=False)
        except PRECONDITION_FAILED as exc:
            raise Conflict(f"rejected delivery {rejection_id} changed meanwhile") from exc

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
