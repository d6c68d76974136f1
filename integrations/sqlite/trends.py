"""The capacity outlook's daily snapshots and the alerts sent, in the SQLite file; no decision
reads them, so the data version stays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from integrations.sqlite import database as db
from services import codec
from services.records import OutlookDay


class SqliteTrends:
    """``services.ports.Trends`` in the SQLite file."""

    def __init__(self, database: db.SqliteDatabase) -> None:
        self._db = database

    def save_outlook_days(self, days: Sequence[OutlookDay]) -> None:
        rows = [
            (d.day.isoformat(), d.segment, db.dumps(codec.outlook_day_to_dict(d))) for d in days
        ]
        with self._db.write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO outlook_days (day, segment, data) VALUES (?, ?, ?)", rows
            )

    def list_outlook_days(self, since: dt.date) -> list[OutlookDay]:
        rows = self._db.query(
            "SELECT data FROM outlook_days WHERE day >= ? ORDER BY day, segment",
            (since.isoformat(),),
        )
        return [codec.outlook_day_from_dict(db.loads(r["data"])) for r in rows]

    def claim_alert(self, key: str) -> bool:
        with self._db.write() as conn:
            done = conn.execute("INSERT OR IGNORE INTO alerts_sent (key) VALUES (?)", (key,))
            return done.rowcount == 1

    def release_alert(self, key: str) -> None:
        with self._db.write() as conn:
            conn.execute("DELETE FROM alerts_sent WHERE key = ?", (key,))
