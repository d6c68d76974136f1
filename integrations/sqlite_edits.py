"""The SQLite store's versioned edits (closures, overrides, settings) and recorded decisions.

Each check and its write share one ``BEGIN IMMEDIATE`` transaction: nobody can write between
"the version is still the one the editor read" and the update.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from allocation import Closure, Override
from integrations import sqlite_schema as db
from integrations import store_common as common
from integrations.errors import AlreadyRecorded, NotFound, StaleEdit
from services import codec
from services.records import (
    AllocationRecord,
    AuditEntry,
    ConsoleSettings,
    EditBatch,
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
                raise StaleEdit(common.stale_settings_message())
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
        rows = self._query("SELECT data FROM allocations WHERE deal_id = ?", (deal_id,))
        return codec.allocation_from_dict(db.loads(rows[0]["data"])) if rows else None

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
            f"SELECT data FROM allocations {where} ORDER BY decided_key DESC, deal_id DESC LIMIT ?",
            [*params, limit],
        )
        return [codec.allocation_from_dict(db.loads(r["data"])) for r in rows]

    def record_allocation(self, record: AllocationRecord, based_on: str) -> AllocationRecord:
        with self._write() as conn:
            existing = self._query(
                "SELECT data FROM allocations WHERE deal_id = ?", (record.deal_id,)
            )
            if existing:
                raise AlreadyRecorded(codec.allocation_from_dict(db.loads(existing[0]["data"])))
            if str(based_on) != self._version_text(db.read_counter(conn)):
                raise StaleEdit(common.stale_decision_message(record.deal_id))
            self._put_allocation(conn, record)
            if self._pending_in_step(conn, record):
                db.bump(conn)
        return record

    def update_allocation(self, record: AllocationRecord, actor: str, reason: str = "") -> None:
        with self._write() as conn:
            rows = self._query("SELECT data FROM allocations WHERE deal_id = ?", (record.deal_id,))
            if not rows:
                raise NotFound(f"deal {record.deal_id} has no recorded allocation")
            before = db.loads(rows[0]["data"])
            self._put_allocation(conn, record)
            # A write-back outcome leaves the pending row (and the data version) alone.
            moved = common.pending_moved(codec.allocation_from_dict(before), record)
            if moved and self._pending_in_step(conn, record):
                db.bump(conn)
            if common.is_person(actor):
                after = codec.allocation_to_dict(record)
                entry = common.allocation_audit(before, after, actor, reason, self._clock())
                self._insert_audit(conn, entry)

    def _put_allocation(self, conn: sqlite3.Connection, record: AllocationRecord) -> None:
        conn.execute(
            "INSERT OR REPLACE INTO allocations (deal_id, decided_key, status, adviser_id, data) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                record.deal_id,
                db.time_key(record.decided_at),
                record.status,
                record.adviser_id,
                db.dumps(codec.allocation_to_dict(record)),
            ),
        )

    def _pending_in_step(self, conn: sqlite3.Connection, record: AllocationRecord) -> bool:
        """The pending row follows the decision: moved on re-assignment, gone when unallocated.
        True when the pending deals changed (row counts tell, so no extra read is made)."""
        pending = common.pending_of(record)
        if pending is None:
            sql = "DELETE FROM pending WHERE deal_id = ?"
            return bool(conn.execute(sql, (record.deal_id,)).rowcount)
        data = db.dumps(codec.pending_to_dict(pending))
        same = "UPDATE pending SET origin = 'booked' WHERE deal_id = ? AND data = ?"
        if conn.execute(same, (record.deal_id, data)).rowcount:
            return False
        conn.execute(
            "INSERT OR REPLACE INTO pending (deal_id, origin, data) VALUES (?, 'booked', ?)",
            (record.deal_id, data),
        )
        return True
