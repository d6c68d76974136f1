"""The audit log and sync runs, in the SQLite file: bookkeeping, so the data version stays."""

from __future__ import annotations

import datetime as dt
import sqlite3

from integrations import store_rules as rules
from integrations.sqlite import database as db
from services import codec
from services.errors import NotFound, SyncInProgress
from services.records import AuditEntry, SyncRun


class SqliteHistory:
    """``services.ports.History`` in the SQLite file."""

    def __init__(self, database: db.SqliteDatabase) -> None:
        self._db = database

    def append_audit(self, entry: AuditEntry) -> None:
        with self._db.write() as conn:
            insert_audit(conn, rules.with_id(entry))

    def list_audit(self, entity: str | None = None, limit: int = 50) -> list[AuditEntry]:
        where, params = ("WHERE entity = ?", [entity]) if entity is not None else ("", [])
        rows = self._db.query(
            f"SELECT data FROM audit {where} ORDER BY at_key DESC, seq DESC LIMIT ?",
            [*params, limit],
        )
        return [codec.audit_from_dict(db.loads(r["data"])) for r in rows]

    def start_sync(self, source: str, actor: str, now: dt.datetime) -> SyncRun:
        with self._db.write() as conn:
            running = self._db.query(
                "SELECT data FROM sync_runs WHERE source = ? AND status = 'running'", (source,)
            )
            for row in running:
                run = codec.sync_run_from_dict(db.loads(row["data"]))
                if not rules.abandoned(run.started_at, now):
                    raise SyncInProgress(rules.sync_busy_message(run))
                _save_run(conn, rules.abandon(run, now))
            started = SyncRun(id=rules.new_id(), source=source, started_at=now, actor=actor)
            _save_run(conn, started)
        return started

    def finish_sync(self, run: SyncRun) -> None:
        with self._db.write() as conn:
            if not self._db.query("SELECT 1 FROM sync_runs WHERE id = ?", (run.id,)):
                raise NotFound(f"sync run {run.id} was never started")
            _save_run(conn, run)

    def list_sync_runs(self, source: str | None = None, limit: int = 50) -> list[SyncRun]:
        where, params = ("WHERE source = ?", [source]) if source is not None else ("", [])
        rows = self._db.query(
            f"SELECT data FROM sync_runs {where} ORDER BY started_key DESC, seq DESC LIMIT ?",
            [*params, limit],
        )
        return [codec.sync_run_from_dict(db.loads(r["data"])) for r in rows]


def insert_audit(conn: sqlite3.Connection, entry: AuditEntry) -> None:
    """Audit a change inside the transaction that makes it (edits, re-assignments and
    resolutions are audited whole or not at all)."""
    conn.execute(
        "INSERT INTO audit (id, at_key, entity, data) VALUES (?, ?, ?, ?)",
        (entry.id, db.time_key(entry.at), entry.entity, db.dumps(codec.audit_to_dict(entry))),
    )


def _save_run(conn: sqlite3.Connection, run: SyncRun) -> None:
    conn.execute(
        "INSERT INTO sync_runs (id, source, status, started_key, data) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET status = excluded.status, data = excluded.data",
        (
            run.id,
            run.source,
            run.status,
            db.time_key(run.started_at),
            db.dumps(codec.sync_run_to_dict(run)),
        ),
    )
