"""What people edit on the console's pages (closures, overrides, notes, settings), in SQLite.

Each check and its write share one ``BEGIN IMMEDIATE`` transaction: nobody can write between
"the version is still the one the editor read" and the update. A row's version is the data
version of the write that made it, so a deleted and re-added record never reuses an old one.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from allocation import Closure, Override
from integrations import store_rules as rules
from integrations.sqlite import database as db
from integrations.sqlite.history import insert_audit
from services import codec
from services.errors import Conflict
from services.records import AdviserEdit, AuditEntry, ConsoleSettings, EditBatch, Versioned

T = TypeVar("T", Closure, Override, AdviserEdit)
R = TypeVar("R")
Json = dict[str, Any]


class SqliteEdits:
    """``services.ports.Editable`` in the SQLite file."""

    def __init__(self, database: db.SqliteDatabase, clock: Callable[[], dt.datetime]) -> None:
        self._db = database
        self._clock = clock

    # --- closures and overrides ------------------------------------------------------------

    def list_closures(self) -> list[Versioned[Closure]]:
        rows = self._db.query("SELECT id, version, data FROM closures ORDER BY id")
        return self._db.skipped.decode("closure", rows, self._reader(codec.closure_from_dict), _id)

    def save_closures(self, batch: EditBatch[Closure], actor: str) -> None:
        self._save_batch("closure", "closures", batch, actor, codec.closure_to_dict)

    def list_overrides(self) -> list[Versioned[Override]]:
        rows = self._db.query("SELECT id, version, data FROM overrides ORDER BY id")
        read = self._reader(codec.override_from_dict)
        return self._db.skipped.decode("override", rows, read, _id)

    def save_overrides(self, batch: EditBatch[Override], actor: str) -> None:
        self._save_batch("override", "overrides", batch, actor, codec.override_to_dict)

    def _reader(self, from_dict: Callable[[Json], R]) -> Callable[[sqlite3.Row], Versioned[R]]:
        return lambda row: self._versioned(row, from_dict)

    def _versioned(self, row: sqlite3.Row, from_dict: Callable[[Json], R]) -> Versioned[R]:
        return Versioned(from_dict(db.loads(row["data"])), self._db.version_text(row["version"]))

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
        with self._db.write() as conn:
            rows = self._db.rows_by_id(table, "id", rules.batch_ids(batch, lambda v: v.id))
            current = {
                k: (db.loads(r["data"]), self._db.version_text(r["version"]))
                for k, r in rows.items()
            }
            changes = rules.plan_batch(kind, batch, current, to_dict, lambda v: v.id)
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
                insert_audit(conn, rules.audit_for(change, kind, table, actor, at))

    # --- notes beside overrides ------------------------------------------------------------

    def override_notes(self) -> dict[str, str]:
        rows = self._db.query("SELECT id, note FROM override_notes")
        return {r["id"]: r["note"] for r in rows}

    def set_override_note(self, override_id: str, note: str) -> None:
        with self._db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO override_notes (id, note) VALUES (?, ?)",
                (override_id, note),
            )  # no decision reads notes: the data version stays

    # --- settings --------------------------------------------------------------------------

    def get_settings(self) -> Versioned[ConsoleSettings]:
        rows = self._db.query(
            "SELECT version, data FROM settings WHERE id = ?", (rules.SETTINGS_ID,)
        )
        if not rows:
            return Versioned(ConsoleSettings(), "0")
        return self._versioned(rows[0], codec.settings_from_dict)

    def save_settings(self, settings: ConsoleSettings, version: str, actor: str) -> None:
        with self._db.write() as conn:
            rows = self._db.query(
                "SELECT version, data FROM settings WHERE id = ?", (rules.SETTINGS_ID,)
            )
            current = self._db.version_text(rows[0]["version"]) if rows else "0"
            if str(version) != current:
                raise Conflict(rules.stale_settings_message())
            before = (
                db.loads(rows[0]["data"]) if rows else codec.settings_to_dict(ConsoleSettings())
            )
            after = codec.settings_to_dict(settings)
            new_version = db.bump(conn)
            conn.execute(
                "INSERT OR REPLACE INTO settings (id, version, data) VALUES (?, ?, ?)",
                (rules.SETTINGS_ID, new_version, db.dumps(after)),
            )
            entry = AuditEntry(
                at=self._clock(),
                actor=actor,
                action="settings.update",
                entity="settings",
                entity_id=rules.SETTINGS_ID,
                before=before,
                after=after,
                id=rules.new_id(),
            )
            insert_audit(conn, entry)


def _id(row: sqlite3.Row) -> object:
    return row["id"]
