"""The SQLite store's versioned edits (closures, overrides, settings) and recorded decisions.

Each check and its write share one ``BEGIN IMMEDIATE`` transaction: nobody can write between
"the version is still the one the editor read" and the update.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from allocation import Closure, Override, PendingDeal
from integrations import sqlite_schema as db
from integrations import store_common as common
from services import codec
from services.errors import AlreadyRecorded, Conflict, NotFound
from services.records import (
    AdviserLoad,
    AllocationRecord,
    AuditEntry,
    ConsoleSettings,
    EditBatch,
    LoadChanges,
    RejectedDelivery,
    Versioned,
)

T = TypeVar("T", Closure, Override)
R = TypeVar("R")
Json = dict[str, Any]


class SqliteEdits(db.SqliteFile):
    # --- closures and overrides ------------------------------------------------------------

    def list_closures(self) -> list[Versioned[Closure]]:
        rows = self._query("SELECT version, data FROM closures ORDER BY id")
        return [self._versioned(r, codec.closure_from_dict) for r in rows]

    def save_closures(self, batch: EditBatch[Closure], actor: str) -> None:
        self._save_batch("closure", "closures", batch, actor, codec.closure_to_dict)

    def list_overrides(self) -> list[Versioned[Override]]:
        rows = self._query("SELECT version, data FROM overrides ORDER BY id")
        return [self._versioned(r, codec.override_from_dict) for r in rows]

    def save_overrides(self, batch: EditBatch[Override], actor: str) -> None:
        self._save_batch("override", "overrides", batch, actor, codec.override_to_dict)

    def _versioned(self, row: sqlite3.Row, from_dict: Callable[[Json], R]) -> Versioned[R]:
        return Versioned(from_dict(db.loads(row["data"])), self._version_text(row["version"]))

    def _save_batch(
        self,
        kind: str,
        table: str,
        batch: EditBatch[T],
        actor: str,
        to_dict: Callable[[T], Json],
    ) -> None:
        if batch.empty:
            return
        with self._write() as conn:
            rows = self._rows_by_id(table, "id", common.batch_ids(batch, lambda v: v.id))
            current = {
                k: (db.loads(r["data"]), self._version_text(r["version"])) for k, r in rows.items()
            }
            changes = common.plan_batch(kind, batch, current, to_dict, lambda v: v.id)
            if not changes:
                return
            version = db.bump(conn)
            at = self._clock()
            for change in changes:
                if change.after is None:
                    conn.execute(f"DELETE FROM {table} WHERE id = ?", (change.record_id,))
                else:
                    conn.execute(
                        f"INSERT OR REPLACE INTO {table} (id, version, data) VALUES (?, ?, ?)",
                        (change.record_id, version, db.dumps(change.after)),
                    )
                self._insert_audit(conn, common.audit_for(change, kind, table, actor, at))

    def override_notes(self) -> dict[str, str]:
        return {r["id"]: r["note"] for r in self._query("SELECT id, note FROM override_notes")}

    def set_override_note(self, override_id: str, note: str) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO override_notes (id, note) VALUES (?, ?)",
                (override_id, note),
            )  # no decision reads notes: the data version stays

    # --- settings --------------------------------------------------------------------------

    def get_settings(self) -> Versioned[ConsoleSettings]:
        rows = self._query("SELECT version, data FROM settings WHERE id = ?", (common.SETTINGS_ID,))
        if not rows:
            return Versioned(ConsoleSettings(), "0")
        return self._versioned(rows[0], codec.settings_from_dict)

    def save_settings(self, settings: ConsoleSettings, version: str, actor: str) -> None:
        with self._write() as conn:
            rows = self._query(
                "SELECT version, data FROM settings WHERE id = ?", (common.SETTINGS_ID,)
            )
            current = self._version_text(rows[0]["version"]) if rows else "0"
            if str(version) != current:
                raise Conflict(common.stale_settings_message())
            before = (
                db.loads(rows[0]["data"]) if rows else codec.settings_to_dict(ConsoleSettings())
            )
            after = codec.settings_to_dict(settings)
            new_version = db.bump(conn)
            conn.execute(
                "INSERT OR REPLACE INTO settings (id, version, data) VALUES (?, ?, ?)",
                (common.SETTINGS_ID, new_version, db.dumps(after)),
            )
            entry = AuditEntry(
                at=self._clock(),
                actor=actor,
                action="settings.update",
                entity="settings",
                entity_id=common.SETTINGS_ID,
                before=before,
                after=after,
                id=common.new_id(),
            )
            self._insert_audit(conn, entry)

    # --- allocations -----------------------------------------------------------------------

    def get_allocation(self, deal_id: str) -> AllocationRecord | None:
        rows = self._query("SELECT data, version FROM allocations WHERE deal_id = ?", (deal_id,))
        return _record(rows[0]) if rows else None

    def list_allocations(
        self,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        status: str | None = None,
        adviser_id: str | None = None,
        limit: int = 1000,
    ) -> list[AllocationRecord]:
        conditions: list[str] = []
        params: list[Any] = []
        for clause, value in (
            ("decided_key >= ?", None if since is None else db.time_key(since)),
            ("decided_key < ?", None if until is None else db.time_key(until)),
            ("status = ?", status),
            ("adviser_id = ?", adviser_id),
        ):
            if value is not None:
                conditions.append(clause)
                params.append(value)
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = self._query(
            f"SELECT data, version FROM allocations {where} "
            "ORDER BY decided_key DESC, deal_id DESC LIMIT ?",
            [*params, limit],
        )
        return [_record(r) for r in rows]

    def record_allocation(self, record: AllocationRecord, based_on: str) -> AllocationRecord:
        with self._write() as conn:
            existing = self._query(
                "SELECT data, version FROM allocations WHERE deal_id = ?", (record.deal_id,)
            )
            if existing:
                raise AlreadyRecorded(_record(existing[0]))
            booked = common.pending_of(record)
            if booked is not None:
                if str(based_on) != self._load_version(booked.adviser_id):
                    raise Conflict(common.stale_decision_message(record.deal_id))
                self._book(conn, booked)
            elif conn.execute("DELETE FROM pending WHERE deal_id = ?", (record.deal_id,)).rowcount:
                db.bump(conn)  # an open deal nobody can take no longer loads its adviser
            self._put_allocation(conn, record, 1)
        return replace(record, version="1")

    def update_allocation(
        self, record: AllocationRecord, actor: str, reason: str = ""
    ) -> AllocationRecord:
        with self._write() as conn:
            rows = self._query(
                "SELECT data, version FROM allocations WHERE deal_id = ?", (record.deal_id,)
            )
            if not rows:
                raise NotFound(f"deal {record.deal_id} has no recorded allocation")
            if str(record.version) != str(rows[0]["version"]):
                raise Conflict(common.stale_allocation_message(record.deal_id))
            before = db.loads(rows[0]["data"])
            was = common.pending_of(codec.allocation_from_dict(before))
            now = common.pending_of(record)
            if was != now:
                if was is not None:
                    self._unbook(conn, was)
                if now is not None:
                    self._book(conn, now)
            version = int(rows[0]["version"]) + 1
            self._put_allocation(conn, record, version)
            if common.is_person(actor):
                after = codec.allocation_to_dict(record)
                entry = common.allocation_audit(before, after, actor, reason, self._clock())
                self._insert_audit(conn, entry)
        return replace(record, version=str(version))

    def booked_loads(self, since: str | None = None) -> LoadChanges:
        after = int(since) if since else 0
        rows = self._query(
            "SELECT v.adviser_id, v.version, v.seq, l.deal_id, l.week FROM load_versions v "
            "LEFT JOIN loads l ON l.adviser_id = v.adviser_id "
            "WHERE v.seq > ? ORDER BY v.adviser_id, l.deal_id",
            (after,),
            documents=0,  # counted below: one load per adviser, as Firestore keeps them
        )
        # Writers take the file's one write lock, so a change with a lower sequence number than
        # the highest one seen was committed before it, and is in this answer already.
        watermark = max((int(r["seq"]) for r in rows), default=after)
        versions: dict[str, str] = {}
        deals: dict[str, list[PendingDeal]] = {}
        for row in rows:
            adviser_id = row["adviser_id"]
            versions[adviser_id] = str(row["version"])
            found = deals.setdefault(adviser_id, [])
            if row["deal_id"] is not None:
                week = dt.date.fromisoformat(row["week"])
                found.append(PendingDeal(row["deal_id"], adviser_id, week))
        loads = tuple(AdviserLoad(a, versions[a], tuple(deals[a])) for a in versions)
        with self._reads_lock:
            self.reads += max(0, len(loads) - 1)  # the query counted one already
        return LoadChanges(loads, str(watermark))

    def _load_version(self, adviser_id: str) -> str:
        rows = self._query("SELECT version FROM load_versions WHERE adviser_id = ?", (adviser_id,))
        return str(rows[0]["version"]) if rows else "0"

    def _touch_load(self, conn: sqlite3.Connection, adviser_id: str) -> None:
        """Move the adviser's load version and mark it changed at the next sequence number."""
        conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'load_seq'")
        conn.execute(
            "INSERT INTO load_versions (adviser_id, version, seq) "
            f"VALUES (?, 1, ({LOAD_SEQ_SQL})) ON CONFLICT (adviser_id) "
            f"DO UPDATE SET version = version + 1, seq = ({LOAD_SEQ_SQL})",
            (adviser_id,),
        )

    def _book(self, conn: sqlite3.Connection, pending: PendingDeal) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO loads (deal_id, adviser_id, week) VALUES (?, ?, ?)",
            (pending.deal_id, pending.adviser_id, pending.week.isoformat()),
        )
        self._touch_load(conn, pending.adviser_id)

    def _unbook(self, conn: sqlite3.Connection, pending: PendingDeal) -> None:
        conn.execute("DELETE FROM loads WHERE deal_id = ?", (pending.deal_id,))
        self._touch_load(conn, pending.adviser_id)

    def _put_allocation(
        self, conn: sqlite3.Connection, record: AllocationRecord, version: int
    ) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO allocations "
            "(deal_id, decided_key, status, adviser_id, data, version) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                record.deal_id,
                db.time_key(record.decided_at),
                record.status,
                record.adviser_id,
                db.dumps(codec.allocation_to_dict(record)),
                version,
            ),
        )

    # --- rejected deliveries ---------------------------------------------------------------

    def record_rejection(self, rejection: RejectedDelivery) -> bool:
        with self._write() as conn:
            rows = self._query("SELECT data FROM rejections WHERE id = ?", (rejection.id,))
            if rows:
                kept = codec.rejection_from_dict(db.loads(rows[0]["data"]))
                self._put_rejection(conn, common.rejected_again(kept, rejection))
                return kept.status != "open"
            self._put_rejection(conn, rejection)
            return True

    def list_rejections(
        self, status: str | None = "open", limit: int = 200
    ) -> list[RejectedDelivery]:
        where, params = ("WHERE status = ?", [status]) if status is not None else ("", [])
        rows = self._query(
            f"SELECT data FROM rejections {where} ORDER BY received_key DESC LIMIT ?",
            [*params, limit],
        )
        return [codec.rejection_from_dict(db.loads(r["data"])) for r in rows]

    def resolve_rejection(self, rejection_id: str, resolution: str, actor: str) -> None:
        with self._write() as conn:
            rows = self._query("SELECT data FROM rejections WHERE id = ?", (rejection_id,))
            if not rows:
                raise NotFound(f"no rejected delivery {rejection_id}")
            before = codec.rejection_from_dict(db.loads(rows[0]["data"]))
            after = common.resolved(before, resolution)
            self._put_rejection(conn, after)
            self._insert_audit(conn, common.rejection_audit(before, after, actor, self._clock()))

    def _put_rejection(self, conn: sqlite3.Connection, rejection: RejectedDelivery) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO rejections (id, received_key, status, data) "
            "VALUES (?, ?, ?, ?)",
            (
                rejection.id,
                db.time_key(rejection.received_at),
                rejection.status,
                db.dumps(codec.rejection_to_dict(rejection)),
            ),
        )


LOAD_SEQ_SQL = "SELECT value FROM meta WHERE key = 'load_seq'"


def _record(row: sqlite3.Row) -> AllocationRecord:
    return replace(codec.allocation_from_dict(db.loads(row["data"])), version=str(row["version"]))
