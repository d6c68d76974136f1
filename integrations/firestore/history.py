"""The audit log and sync runs in Firestore: bookkeeping, so no commit here moves the version.

Lists are newest first on the ``sort_key`` field (see ``client``). Starting a sync is a
compare-and-set on the source's lock document, so of two racing starts one is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from google.cloud import firestore

from integrations import store_rules as rules
from integrations.firestore.client import (
    AUDIT,
    META,
    PRECONDITION_FAILED,
    SORT_KEY,
    SYNC_RUNS,
    FirestoreClient,
    Json,
    Write,
    doc_key,
    packed,
    sort_key,
    unpacked,
    version_of,
)
from services import codec
from services.errors import NotFound, SyncInProgress
from services.records import AuditEntry, SyncRun

# An audit entry's before/after may hold any JSON (see ``packed``).
AUDIT_FREE_FORM = ("before", "after")


class FirestoreHistory:
    """``services.ports.History`` in Firestore."""

    def __init__(self, client: FirestoreClient) -> None:
        self._fs = client

    # --- audit -------------------------------------------------------------------------------

    def append_audit(self, entry: AuditEntry) -> None:
        self._fs.commit([audit_write(self._fs, entry)], "writing the audit log", bump=False)

    def list_audit(self, entity: str | None = None, limit: int = 50) -> list[AuditEntry]:
        query: Any = self._fs.col(AUDIT)
        if entity is not None:
            query = self._fs.where(query, "entity", "==", entity)
        query = query.order_by(SORT_KEY, direction=firestore.Query.DESCENDING).limit(limit)
        rows = self._fs.rows(query, AUDIT)
        return [codec.audit_from_dict(unpacked(r, *AUDIT_FREE_FORM)) for r in rows]

    # --- sync runs ---------------------------------------------------------------------------

    def start_sync(self, source: str, actor: str, now: dt.datetime) -> SyncRun:
        # Read the source's lock document before looking for running runs: a rival who starts
        # after our read moves the lock, and our commit's precondition then fails.
        lock_ref = self._fs.col(META).document(f"sync-lock-{doc_key(source)}")
        lock = self._fs.get(lock_ref)
        running = self._fs.where(self._fs.col(SYNC_RUNS), "source", "==", source)
        running = self._fs.where(running, "status", "==", "running")
        writes: list[Write] = []
        for row in self._fs.rows(running, SYNC_RUNS):
            run = codec.sync_run_from_dict(row)
            if not rules.abandoned(run.started_at, now):
                raise SyncInProgress(rules.sync_busy_message(run))
            writes.append(self._run_write(rules.abandon(run, now), row.get(SORT_KEY)))
        run = SyncRun(id=rules.new_id(), source=source, started_at=now, actor=actor)
        writes.append(self._run_write(run, None))
        writes.append(self._lock_write(lock_ref, lock, run.id))
        try:
            self._fs.commit(writes, f"starting the {source} sync", bump=False)
        except PRECONDITION_FAILED as exc:
            raise SyncInProgress(
                f"another {source} sync started just now; try again when it has finished"
            ) from exc
        return run

    def _lock_write(self, ref: firestore.DocumentReference, lock: Any, run_id: str) -> Write:
        if not lock.exists:
            return lambda b: b.create(ref, {"run_id": run_id})
        unchanged_since_read = self._fs.precondition(version_of(lock))
        return lambda b: b.update(ref, {"run_id": run_id}, option=unchanged_since_read)

    def _run_write(self, run: SyncRun, key: str | None) -> Write:
        ref = self._fs.ref(SYNC_RUNS, run.id)
        row: Json = {**codec.sync_run_to_dict(run), SORT_KEY: key or sort_key(run.started_at)}
        return lambda b: b.set(ref, row)

    def finish_sync(self, run: SyncRun) -> None:
        snap = self._fs.get(self._fs.ref(SYNC_RUNS, run.id))
        if not snap.exists:
            raise NotFound(f"sync run {run.id} was never started")
        key = (snap.to_dict() or {}).get(SORT_KEY)
        write = self._run_write(run, key)
        self._fs.commit([write], f"finishing the {run.source} sync", bump=False)

    def list_sync_runs(self, source: str | None = None, limit: int = 50) -> list[SyncRun]:
        query: Any = self._fs.col(SYNC_RUNS)
        if source is not None:
            query = self._fs.where(query, "source", "==", source)
        query = query.order_by(SORT_KEY, direction=firestore.Query.DESCENDING).limit(limit)
        return [codec.sync_run_from_dict(r) for r in self._fs.rows(query, SYNC_RUNS)]


def audit_write(client: FirestoreClient, entry: AuditEntry) -> Write:
    """An audit entry as one write of the commit that makes the change it describes (edits,
    re-assignments and resolutions are audited whole or not at all)."""
    entry = rules.with_id(entry)
    row = {**packed(codec.audit_to_dict(entry), *AUDIT_FREE_FORM), SORT_KEY: sort_key(entry.at)}
    ref = client.ref(AUDIT, entry.id)
    return lambda b: b.create(ref, row)
