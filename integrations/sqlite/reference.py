"""The core's inputs (advisers, meetings, leave, open deals) in the SQLite file.

Every write that changes one moves the data version, so a cached snapshot sees the change and
a decision made on older data is refused.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from allocation import Adviser, Leave, Meeting, MeetingTable, PendingDeal
from integrations import store_rules as rules
from integrations.sqlite import database as db
from integrations.sqlite.allocations import booked, unbook
from services import codec
from services.records import ChangeCounts

R = TypeVar("R")
Json = dict[str, Any]


class SqliteReference:
    """``services.ports.ReferenceData`` in the SQLite file."""

    def __init__(self, database: db.SqliteDatabase) -> None:
        self._db = database

    def list_advisers(self) -> list[Adviser]:
        rows = self._db.query("SELECT id, data FROM advisers ORDER BY id")
        return self._db.skipped.decode("adviser", rows, _data(codec.adviser_from_dict), _id)

    def replace_advisers(self, advisers: Sequence[Adviser]) -> ChangeCounts:
        incoming = rules.by_id(advisers, lambda a: a.id, codec.adviser_to_dict)
        with self._db.write() as conn:
            rows = self._db.query("SELECT * FROM advisers")
            stored = {r["id"]: db.loads(r["data"]) for r in rows}
            counts, removed = rules.count_changes(stored, stored, incoming)
            conn.executemany("DELETE FROM advisers WHERE id = ?", [(r,) for r in removed])
            conn.executemany(
                "INSERT OR REPLACE INTO advisers (id, data) VALUES (?, ?)",
                [(k, db.dumps(v)) for k, v in incoming.items() if stored.get(k) != v],
            )
            db.bump_if(conn, counts)
        return counts

    def list_meetings(self, start: dt.date, end: dt.date) -> list[Meeting]:
        # One indexed range query: loading a snapshot does not grow with the firm's history.
        rows = self._db.query(
            "SELECT data FROM meetings WHERE start_day >= ? AND start_day < ? ORDER BY id",
            (start.isoformat(), end.isoformat()),
        )
        return [codec.meeting_from_dict(db.loads(r["data"])) for r in rows]

    def meeting_table(self, start: dt.date, end: dt.date) -> MeetingTable:
        rows = self._db.query(
            "SELECT id, adviser_id, start_epoch, kind, deal_id FROM meetings "
            "WHERE start_day >= ? AND start_day < ? ORDER BY id",
            (start.isoformat(), end.isoformat()),
        )
        ids, advisers, starts, kinds, deals = zip(*rows, strict=True) if rows else ((),) * 5
        return MeetingTable.from_columns(ids, advisers, starts, kinds, deals)

    def replace_meetings(
        self, meetings: Sequence[Meeting], start: dt.date, end: dt.date
    ) -> ChangeCounts:
        incoming = rules.by_id(meetings, lambda m: m.id, codec.meeting_to_dict)
        with self._db.write() as conn:
            window = self._db.query(
                "SELECT id, data FROM meetings WHERE start_day >= ? AND start_day < ?",
                (start.isoformat(), end.isoformat()),
            )
            in_scope = {r["id"]: db.loads(r["data"]) for r in window}
            existing = {
                k: db.loads(r["data"])
                for k, r in self._db.rows_by_id("meetings", "id", list(incoming)).items()
            }
            counts, removed = rules.count_changes(in_scope, existing, incoming)
            conn.executemany("DELETE FROM meetings WHERE id = ?", [(r,) for r in removed])
            conn.executemany(
                "INSERT OR REPLACE INTO meetings "
                "(id, start_day, data, adviser_id, start_epoch, kind, deal_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (k, _utc_day(m.start), db.dumps(incoming[k]), *db.meeting_columns(m))
                    for m in meetings
                    if existing.get(k := m.id) != incoming[k]
                ],
            )
            db.bump_if(conn, counts)
        return counts

    def list_leave(self) -> list[Leave]:
        rows = self._db.query("SELECT id, data FROM leave ORDER BY id")
        return self._db.skipped.decode("leave", rows, _data(codec.leave_from_dict), _id)

    def add_manual_leave(self, leave: Leave) -> None:
        """Leave entered in the console; no sync ever removes it."""
        with self._db.write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO leave (id, origin, end_day, data) VALUES (?, ?, ?, ?)",
                (leave.id, "manual", leave.end.isoformat(), db.dumps(codec.leave_to_dict(leave))),
            )
            db.bump(conn)

    def replace_synced_leave(self, leave: Sequence[Leave], since: dt.date) -> ChangeCounts:
        with self._db.write() as conn:
            rows = self._db.query("SELECT * FROM leave")
            manual = {r["id"] for r in rows if r["origin"] == "manual"}
            synced = {r["id"]: db.loads(r["data"]) for r in rows if r["origin"] == "synced"}
            in_scope = {k: v for k, v in synced.items() if v["end"] >= since.isoformat()}
            offered = rules.by_id(leave, lambda lv: lv.id, codec.leave_to_dict)
            incoming = {k: v for k, v in offered.items() if k not in manual}
            counts, removed = rules.count_changes(in_scope, synced, incoming)
            conn.executemany("DELETE FROM leave WHERE id = ?", [(r,) for r in removed])
            conn.executemany(
                "INSERT OR REPLACE INTO leave (id, origin, end_day, data) VALUES (?, ?, ?, ?)",
                [
                    (k, "synced", v["end"], db.dumps(v))
                    for k, v in incoming.items()
                    if synced.get(k) != v
                ],
            )
            db.bump_if(conn, counts)
        return counts

    def list_pending(self) -> list[PendingDeal]:
        loads = self._db.query("SELECT deal_id, adviser_id, week FROM loads ORDER BY deal_id")
        return self.list_open_deals() + [booked(r) for r in loads]

    def list_open_deals(self) -> list[PendingDeal]:
        rows = self._db.query("SELECT deal_id, data FROM pending ORDER BY deal_id")
        decode = _data(codec.pending_from_dict)
        return self._db.skipped.decode("open deal", rows, decode, lambda r: r["deal_id"])

    def replace_open_deals(self, pending: Sequence[PendingDeal]) -> ChangeCounts:
        with self._db.write() as conn:
            rows = self._db.query("SELECT * FROM pending")
            ours = {r["deal_id"] for r in self._db.query("SELECT deal_id FROM loads")}
            synced = {r["deal_id"]: db.loads(r["data"]) for r in rows}
            offered = rules.by_id(pending, lambda p: p.deal_id, codec.pending_to_dict)
            # A deal our booking put on an adviser's week stays as booked.
            incoming = {k: v for k, v in offered.items() if k not in ours}
            counts, removed = rules.count_changes(synced, synced, incoming)
            conn.executemany("DELETE FROM pending WHERE deal_id = ?", [(r,) for r in removed])
            conn.executemany(
                "INSERT OR REPLACE INTO pending (deal_id, origin, data) VALUES (?, 'synced', ?)",
                [(k, db.dumps(v)) for k, v in incoming.items() if synced.get(k) != v],
            )
            db.bump_if(conn, counts)
        return counts

    def drop_pending(self, deal_ids: Sequence[str]) -> int:
        dropped = unbooked = 0
        with self._db.write() as conn:
            for part in db.chunks(sorted(set(deal_ids))):
                sql = f"DELETE FROM pending WHERE deal_id IN ({db.placeholders(part)})"
                dropped += conn.execute(sql, part).rowcount
                found = self._db.query(
                    f"SELECT deal_id, adviser_id, week FROM loads "
                    f"WHERE deal_id IN ({db.placeholders(part)})",
                    part,
                )
                for row in found:
                    unbook(conn, booked(row))
                unbooked += len(found)
            if dropped:
                db.bump(conn)
        return dropped + unbooked


def _data(from_dict: Callable[[Json], R]) -> Callable[[sqlite3.Row], R]:
    return lambda row: from_dict(db.loads(row["data"]))


def _id(row: sqlite3.Row) -> object:
    return row["id"]


def _utc_day(start: dt.datetime) -> str:
    return start.astimezone(dt.UTC).date().isoformat()
