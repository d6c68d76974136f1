"""Recorded decisions and each adviser's booked load, in the SQLite file.

A booking's checks and its writes share one ``BEGIN IMMEDIATE`` transaction: nobody can book
the adviser between "the load is still the version the decision saw" and the write. Bookings
move only the adviser's load version (``load_versions``), never the data version.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from allocation import PendingDeal
from integrations import store_rules as rules
from integrations.sqlite import database as db
from integrations.sqlite.history import insert_audit
from services import codec
from services.errors import AlreadyRecorded, Conflict, NotFound
from services.records import AdviserLoad, AllocationRecord, LoadChanges

LOAD_SEQ_SQL = "SELECT value FROM meta WHERE key = 'load_seq'"


class SqliteAllocations:
    """``services.ports.Allocations`` in the SQLite file."""

    def __init__(self, database: db.SqliteDatabase, clock: Callable[[], dt.datetime]) -> None:
        self._db = database
        self._clock = clock

    def get_allocation(self, deal_id: str) -> AllocationRecord | None:
        rows = self._db.query("SELECT data, version FROM allocations WHERE deal_id = ?", (deal_id,))
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
        rows = self._db.query(
            f"SELECT data, version FROM allocations {where} "
            "ORDER BY decided_key DESC, deal_id DESC LIMIT ?",
            [*params, limit],
        )
        return [_record(r) for r in rows]

    def record_allocation(self, record: AllocationRecord, based_on: str) -> AllocationRecord:
        with self._db.write() as conn:
            existing = self._db.query(
                "SELECT data, version FROM allocations WHERE deal_id = ?", (record.deal_id,)
            )
            if existing:
                raise AlreadyRecorded(_record(existing[0]))
            booked = rules.pending_of(record)
            if booked is not None:
                if str(based_on) != self._load_version(booked.adviser_id):
                    raise Conflict(rules.stale_decision_message(record.deal_id))
                book(conn, booked)
            elif conn.execute("DELETE FROM pending WHERE deal_id = ?", (record.deal_id,)).rowcount:
                db.bump(conn)  # an open deal nobody can take no longer loads its adviser
            _put_allocation(conn, record, 1)
        return replace(record, version="1")

    def update_allocation(
        self, record: AllocationRecord, actor: str, reason: str = "", based_on: str | None = None
    ) -> AllocationRecord:
        with self._db.write() as conn:
            rows = self._db.query(
                "SELECT data, version FROM allocations WHERE deal_id = ?", (record.deal_id,)
            )
            if not rows:
                raise NotFound(f"deal {record.deal_id} has no recorded allocation")
            if str(record.version) != str(rows[0]["version"]):
                raise Conflict(rules.stale_allocation_message(record.deal_id))
            before = db.loads(rows[0]["data"])
            was = rules.pending_of(codec.allocation_from_dict(before))
            now = rules.pending_of(record)
            stale = based_on is not None and now is not None and was != now
            if stale and now is not None and str(based_on) != self._load_version(now.adviser_id):
                raise Conflict(rules.stale_decision_message(record.deal_id))
            if was != now:
                if was is not None:
                    unbook(conn, was)
                if now is not None:
                    book(conn, now)
            version = int(rows[0]["version"]) + 1
            _put_allocation(conn, record, version)
            if rules.is_person(actor):
                after = codec.allocation_to_dict(record)
                insert_audit(
                    conn, rules.allocation_audit(before, after, actor, reason, self._clock())
                )
        return replace(record, version=str(version))

    def booked_loads(self, since: str | None = None) -> LoadChanges:
        after = int(since) if since else 0
        rows = self._db.query(
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
        self._db.count_reads(max(0, len(loads) - 1))  # the query counted one already
        return LoadChanges(loads, str(watermark))

    def _load_version(self, adviser_id: str) -> str:
        rows = self._db.query(
            "SELECT version FROM load_versions WHERE adviser_id = ?", (adviser_id,)
        )
        return str(rows[0]["version"]) if rows else "0"


# --- booked loads: also moved by reference data (a deal whose Clarify came is dropped) -------


def booked(row: sqlite3.Row) -> PendingDeal:
    """A ``loads`` row as the pending deal it puts on its adviser's week."""
    return PendingDeal(row["deal_id"], row["adviser_id"], dt.date.fromisoformat(row["week"]))


def book(conn: sqlite3.Connection, pending: PendingDeal) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO loads (deal_id, adviser_id, week) VALUES (?, ?, ?)",
        (pending.deal_id, pending.adviser_id, pending.week.isoformat()),
    )
    _touch_load(conn, pending.adviser_id)


def unbook(conn: sqlite3.Connection, pending: PendingDeal) -> None:
    conn.execute("DELETE FROM loads WHERE deal_id = ?", (pending.deal_id,))
    _touch_load(conn, pending.adviser_id)


def _touch_load(conn: sqlite3.Connection, adviser_id: str) -> None:
    """Move the adviser's load version and mark it changed at the next sequence number."""
    conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'load_seq'")
    conn.execute(
        "INSERT INTO load_versions (adviser_id, version, seq) "
        f"VALUES (?, 1, ({LOAD_SEQ_SQL})) ON CONFLICT (adviser_id) "
        f"DO UPDATE SET version = version + 1, seq = ({LOAD_SEQ_SQL})",
        (adviser_id,),
    )


def _put_allocation(conn: sqlite3.Connection, record: AllocationRecord, version: int) -> None:
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


def _record(row: sqlite3.Row) -> AllocationRecord:
    return replace(codec.allocation_from_dict(db.loads(row["data"])), version=str(row["version"]))
