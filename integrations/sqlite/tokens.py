"""Tokens (OAuth credentials, one-time sign-in secrets) in the SQLite file; no decision reads
them, so the data version stays."""

from __future__ import annotations

from typing import Any

from integrations.sqlite import database as db


class SqliteTokens:
    """``services.ports.Tokens`` in the SQLite file."""

    def __init__(self, database: db.SqliteDatabase) -> None:
        self._db = database

    def load_token(self, name: str) -> dict[str, Any] | None:
        rows = self._db.query("SELECT data FROM tokens WHERE name = ?", (name,))
        return dict(db.loads(rows[0]["data"])) if rows else None

    def save_token(self, name: str, token: dict[str, Any]) -> None:
        with self._db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO tokens (name, data) VALUES (?, ?)", (name, db.dumps(token))
            )

    def take_token(self, name: str) -> dict[str, Any] | None:
        # BEGIN IMMEDIATE holds the write lock from the read to the delete: one taker wins.
        with self._db.write() as conn:
            rows = self._db.query("SELECT data FROM tokens WHERE name = ?", (name,))
            if rows:
                conn.execute("DELETE FROM tokens WHERE name = ?", (name,))
        return dict(db.loads(rows[0]["data"])) if rows else None
