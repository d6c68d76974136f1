"""Recorded decisions and each adviser's booked load, in Firestore.

Booking and changing a decision are compare-and-set commits with preconditions rather than
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
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.field_path import FieldPath

from allocation import PendingDeal
from integrations import store_rules as rules
from integrations.firestore.client import (
    ALLOCATIONS,
    LOADS,
    MISSING_VERSION,
    PENDING,
    PRECONDITION_FAILED,
    SORT_KEY,
    FirestoreClient,
    Json,
    Write,
    fixed_time,
    sort_key,
    strip,
    version_of,
    written_version,
)
from integrations.firestore.history import audit_write
from services import codec
from services.errors import AlreadyRecorded, Conflict, NotFound
from services.records import AdviserLoad, AllocationRecord, LoadChanges


class FirestoreAllocations:
    """``services.ports.Allocations`` in Firestore."""

    def __init__(self, client: FirestoreClient, clock: Callable[[], dt.datetime]) -> None:
        self._fs = client
        self._clock = clock

    def get_allocation(self, deal_id: str) -> AllocationRecord | None:
        snap = self._fs.get(self._fs.ref(ALLOCATIONS, deal_id))
        return _allocation(snap) if snap.exists else None

    def list_allocations(
        self,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        status: str | None = None,
        adviser_id: str | None = None,
        limit: int = 1000,
    ) -> list[AllocationRecord]:
        fs = self._fs
        query: Any = fs.col(ALLOCATIONS)
        if status is not None:
            query = fs.where(query, "status", "==", status)
        if adviser_id is not None:
            query = fs.where(query, "adviser_id", "==", adviser_id)
        # sort_key starts with the fixed-width decision time, so it bounds like decided_at.
        if since is not None:
            query = fs.where(query, SORT_KEY, ">=", fixed_time(since))
        if until is not None:
            query = fs.where(query, SORT_KEY, "<", fixed_time(until))
        query = query.order_by(SORT_KEY, direction=firestore.Query.DESCENDING).limit(limit)
        return [_allocation(s) for s in fs.stream(query, ALLOCATIONS)]

    def record_allocation(self, record: AllocationRecord, based_on: str) -> AllocationRecord:
        """One commit: create the decision (refused if it exists) and, for a booking, add the
        deal to the adviser's load document, on condition that it is still the one the
        decision saw. Nothing else is written, so bookings for other advisers never meet."""
        row = _allocation_row(record, sort_key(record.decided_at))
        ref = self._fs.ref(ALLOCATIONS, record.deal_id)
        writes: list[Write] = [lambda b: b.create(ref, row)]
        booked = rules.pending_of(record)
        unbooks_open_deal = False
        if booked is not None:
            writes.append(self._load_booked(booked, str(based_on)))
        else:
            # An open deal nobody can take no longer loads its adviser (a reference change).
            pending_ref = self._fs.ref(PENDING, record.deal_id)
            unbooks_open_deal = bool(self._fs.get(pending_ref).exists)
            if unbooks_open_deal:
                writes.append(lambda b: b.delete(pending_ref))
        try:
            results = self._fs.commit(
                writes, f"recording deal {record.deal_id}", bump=unbooks_open_deal
            )
        except (*PRECONDITION_FAILED, Conflict) as exc:
            existing = self.get_allocation(record.deal_id)
            if existing is not None:
                raise AlreadyRecorded(existing) from exc
            raise Conflict(rules.stale_decision_message(record.deal_id)) from exc
        return replace(record, version=written_version(results[0]))

    def _load_booked(self, booked: PendingDeal, based_on: str) -> Write:
        """Add a booking to its adviser's load, only from the version the decision saw."""
        ref = self._fs.ref(LOADS, booked.adviser_id)
        week = booked.week.isoformat()
        if based_on == MISSING_VERSION:
            first = {
                "adviser_id": booked.adviser_id,
                "deals": {booked.deal_id: week},
                "changed_at": firestore.SERVER_TIMESTAMP,
            }
            return lambda b: b.create(ref, first)
        unchanged_since_decided = self._fs.precondition(based_on)
        change = {_deal_field(booked.deal_id): week, "changed_at": firestore.SERVER_TIMESTAMP}
        return lambda b: b.update(ref, change, option=unchanged_since_decided)

    def update_allocation(
        self, record: AllocationRecord, actor: str, reason: str = "", based_on: str | None = None
    ) -> AllocationRecord:
        ref = self._fs.ref(ALLOCATIONS, record.deal_id)
        snap = self._fs.get(ref)
        if not snap.exists:
            raise NotFound(f"deal {record.deal_id} has no recorded allocation")
        if str(record.version) != version_of(snap):
            raise Conflict(rules.stale_allocation_message(record.deal_id))
        stored = snap.to_dict() or {}
        before = strip(stored, SORT_KEY)
        after = codec.allocation_to_dict(record)
        same_time = before.get("decided_at") == after["decided_at"]
        key = stored.get(SORT_KEY) if same_time else sort_key(record.decided_at)
        unchanged_since_read = self._fs.precondition(version_of(snap))
        row = _allocation_row(record, key)
        writes: list[Write] = [lambda b: b.update(ref, row, option=unchanged_since_read)]
        was = rules.pending_of(codec.allocation_from_dict(before))
        now = rules.pending_of(record)
        if was != now and based_on is not None and now is not None:
            # The booking is conditional on the load the decision saw, as a new one is; the
            # same adviser's document is written once (its deal field set to the new week).
            if was is not None and was.adviser_id != now.adviser_id:
                writes += load_moved(self._fs, was, None)
            writes.append(self._load_booked(now, str(based_on)))
        elif was != now:
            writes += load_moved(self._fs, was, now)
        if rules.is_person(actor):
            entry = rules.allocation_audit(before, after, actor, reason, self._clock())
            writes.append(audit_write(self._fs, entry))
        try:
            results = self._fs.commit(writes, f"updating deal {record.deal_id}", bump=False)
        except (*PRECONDITION_FAILED, Conflict) as exc:
            if based_on is not None and version_of(self._fs.get(ref)) == str(record.version):
                raise Conflict(rules.stale_decision_message(record.deal_id)) from exc
            raise Conflict(rules.stale_allocation_message(record.deal_id)) from exc
        return replace(record, version=written_version(results[0]))

    def booked_loads(self, since: str | None = None) -> LoadChanges:
        return read_loads(self._fs, since)


# --- booked loads: also read and moved by reference data (open deals, dropped deals) ---------


def read_loads(client: FirestoreClient, since: str | None = None) -> LoadChanges:
    """Load documents changed after the watermark. The watermark is the latest change time
    seen: a change committed later has a later time, and one committed earlier was visible to
    this query already (Firestore reads are strongly consistent)."""
    query: Any = client.col(LOADS)
    if since:
        query = client.where(query, "changed_at", ">", _moment(since))
    snaps = client.stream(query, LOADS)
    loads = tuple(sorted((_load(s) for s in snaps), key=lambda a: a.adviser_id))
    times = [(s.to_dict() or {}).get("changed_at") for s in snaps]
    latest = max((t for t in times if t is not None), default=None)
    return LoadChanges(loads, latest.rfc3339() if latest is not None else since or "")


def booked_deals(client: FirestoreClient) -> list[PendingDeal]:
    """Every deal our bookings put on an adviser's week."""
    return [p for load in read_loads(client).loads for p in load.pending]


def load_moved(
    client: FirestoreClient, was: PendingDeal | None, now: PendingDeal | None
) -> list[Write]:
    """A re-assignment, unallocation or dropped deal moves the load by hand: field-level
    changes need no read, and a booking decided on the old load is refused by its
    precondition."""
    writes: list[Write] = []
    if was is not None:
        old = client.ref(LOADS, was.adviser_id)
        gone = {_deal_field(was.deal_id): firestore.DELETE_FIELD,
                "changed_at": firestore.SERVER_TIMESTAMP}  # fmt: skip
        writes.append(lambda b: b.update(old, gone))
    if now is not None:
        new = client.ref(LOADS, now.adviser_id)
        added = {"adviser_id": now.adviser_id, "deals": {now.deal_id: now.week.isoformat()},
                 "changed_at": firestore.SERVER_TIMESTAMP}  # fmt: skip
        writes.append(lambda b: b.set(new, added, merge=True))
    return writes


def _allocation_row(record: AllocationRecord, key: str | None) -> Json:
    return {**codec.allocation_to_dict(record), SORT_KEY: key}


def _allocation(snap: Any) -> AllocationRecord:
    record = codec.allocation_from_dict(snap.to_dict() or {})
    return replace(record, version=version_of(snap))


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
