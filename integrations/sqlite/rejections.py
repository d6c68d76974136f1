"""Deliveries refused for their content, kept in the SQLite file for ops."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable

from integrations import store_rules as rules
from integrations.sqlite import database as db
from integrations.sqlite.history import insert_audit
from services import codec
from services.errors import NotFound
from services.records import RejectedDelivery


class SqliteRejections:
    """``services.ports.Rejections`` in the SQLite file."""

    def __init__(self, database: db.SqliteDatabase, clock: Callable[[], dt.datetime]) -> None:
        self._db = database
        self._clock = clock

    def record_rejection(self, rejection: RejectedDelivery) -> bool:
        with self._db.write() as conn:
            rows = self._db.query("SELECT data FROM rejections WHERE id = ?", (rejection.id,))
            if rows:
                kept = codec.rejection_from_dict(db.loads(rows[0]["data"]))
                _put_rejection(conn, rules.rejected_again(kept, rejection))
                return kept.status != "open"
            _put_rejection(conn, rejection)
            return True

    def list_rejections(
        self, status: str | None = "open", limit: int = 200
    ) -> list[RejectedDelivery]:
        where, params = ("WHERE status = ?", [status]) if status is not None else ("", [])
        rows = self._db.query(
            f"SELECT data FROM rejections {where} ORDER BY received_key DESC LIMIT ?",
            [*params, limit],
        )
        return [codec.rejection_from_dict(db.loads(r["data"])) for r in rows]

    def resolve_rejection(self, rejection_id: str, resolution: str, actor: str) -> None:
        with self._db.write() as conn:
            rows = self._db.query("SELECT data FROM rejections WHERE id = ?", (rejection_id,))
            if not rows:
                raise NotFound(f"no rejected delivery {rejection_id}")
            before = codec.rejection_from_dict(db.loads(rows[0]["data"]))
            after = rules.resolved(before, resolution)
            _put_rejection(conn, after)
            insert_audit(conn, rules.rejection_audit(before, after, actor, self._clock()))


def _put_rejection(conn: sqlite3.Connection, rejection: RejectedDelivery) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO rejections (id, received_key, status, data) VALUES (?, ?, ?, ?)",
        (
            rejection.id,
            db.time_key(rejection.received_at),
            rejection.status,
            db.dumps(codec.rejection_to_dict(rejection)),
        ),
    )
