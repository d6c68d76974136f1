"""The embedded store: one SQLite file, safe for the console's and the webhook's threads.

Every write runs in a ``BEGIN IMMEDIATE`` transaction; one that changes a decision's inputs
also moves the data version, so a cached snapshot sees the change and a decision made on older
data is refused (audit entries, sync runs and tokens are bookkeeping and leave it). Editable rows
(closures, overrides, settings) carry a version column for optimistic concurrency; the
version is the data version of the write that made it, so a deleted and re-added record never
reuses an old version.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from typing import Any

from allocation import Adviser, Leave, Meeting, MeetingTable, PendingDeal
from integrations import sqlite_schema as db
from integrations import store_common as common
from integrations.sqlite_edits import SqliteEdits
from services import codec
from services.errors import NotFound, SyncInProgress
from services.records import AuditEntry, ChangeCounts, SyncRun

Json = dict[str, Any]
Row = sqlite3.Row


class SqliteStore(SqliteEdits):
    """A ``services.ports.Store`` in a local SQLite file (created, with its folder, if missing).

    ``close()`` closes every thread's connection; the file stays for the next start.
    """

    # --- reference data --------------------------------------------------------------------

    def list_advisers(self) -> list[Adviser]:
        rows = self._query("SELECT data FROM advisers ORDER BY id")
        return [codec.adviser_from_dict(db.loads(r["data"])) for r in rows]

    def replace_advisers(self, advisers: Sequence[Adviser]) -> ChangeCounts:
        incoming = common.by_id(advisers, lambda a: a.id, codec.adviser_to_dict)
        with self._write() as conn:
            stored = {r["id"]: db.loads(r["data"]) for r in self._query("SELECT * FROM advisers")}
            counts, removed = common.count_changes(stored, stored, incoming)
            conn.executemany("DELETE FROM advisers WHERE id = ?", [(r,) for r in removed])
            conn.executemany(
                "INSERT OR REPLACE INTO advisers (id, data) VALUES (?, ?)",
                [(k, db.dumps(v)) for k, v in incoming.items() if stored.get(k) != v],
            )
            self._bump_if(conn, counts)
        return counts

    def list_meetings(self, start: dt.date, end: dt.date) -> list[Meeting]:
        # One indexed range query: loading a snapshot does not grow with the firm's history.
        rows = self._query(
            "SELECT data FROM meetings WHERE start_day >= ? AND start_day < ? ORDER BY id",
            (start.isoformat(), end.isoformat()),
        )
        return [codec.meeting_from_dict(db.loads(r["data"])) for r in rows]

    def meeting_table(self, start: dt.date, end: dt.date) -> MeetingTable:
        rows = self._query(
            "SELECT id, adviser_id, start_epoch, kind, deal_id FROM meetings "
            "WHERE start_day >= ? AND start_day < ? ORDER BY id",
            (start.isoformat(), end.isoformat()),
        )
        ids, advisers, starts, kinds, deals = zip(*rows, strict=True) if rows else ((),) * 5
        return MeetingTable.from_columns(ids, advisers, starts, kinds, deals)

    def replace_meetings(
        self, meetings: Sequence[Meeting], start: dt.date, end: dt.date
    ) -> ChangeCounts:
        incoming = common.by_id(meetings, lambda m: m.id, codec.meeting_to_dict)
        with self._write() as conn:
            window = self._query(
                "SELECT id, data FROM meetings WHERE start_day >= ? AND start_day < ?",
                (start.isoformat(), end.isoformat()),
            )
            in_scope = {r["id"]: db.loads(r["data"]) for r in window}
            existing = {
                k: db.loads(r["data"])
                for k, r in self._rows_by_id("meetings", "id", list(incoming)).items()
            }
            counts, removed = common.count_changes(in_scope, existing, incoming)
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
            self._bump_if(conn, counts)
        return counts

    def list_leave(self) -> list[Leave]:
        rows = self._query("SELECT data FROM leave ORDER BY id")
        return [codec.leave_from_dict(db.loads(r["data"])) for r in rows]

    def add_manual_leave(self, leave: Leave) -> None:
        """Leave entered in the console; no sync ever removes it."""
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO leave (id, origin, end_day, data) VALUES (?, ?, ?, ?)",
                (leave.id, "manual", leave.end.isoformat(), db.dumps(codec.leave_to_dict(leave))),
            )
            db.bump(conn)

    def replace_synced_leave(self, leave: Sequence[Leave], since: dt.date) -> ChangeCounts:
        with self._write() as conn:
            rows = self._query("SELECT * FROM leave")
            manual = {r["id"] for r in rows if r["origin"] == "manual"}
            synced = {r["id"]: db.loads(r["data"]) for r in rows if r["origin"] == "synced"}
            in_scope = {k: v for k, v in synced.items() if v["end"] >= since.isoformat()}
            offered = common.by_id(leave, lambda lv: lv.id, codec.leave_to_dict)
            incoming = {k: v for k, v in offered.items() if k not in manual}
            counts, removed = common.count_changes(in_scope, synced, incoming)
            conn.executemany("DELETE FROM leave WHERE id = ?", [(r,) for r in removed])
            conn.executemany(
                "INSERT OR REPLACE INTO leave (id, origin, end_day, data) VALUES (?, ?, ?, ?)",
                [
                    (k, "synced", v["end"], db.dumps(v))
                    for k, v in incoming.items()
                    if synced.get(k) != v
                ],
            )
            self._bump_if(conn, counts)
        return counts

    def list_pending(self) -> list[PendingDeal]:
        booked = self._query("SELECT deal_id, adviser_id, week FROM loads ORDER BY deal_id")
        return self.list_open_deals() + [_booked(r) for r in booked]

    def list_open_deals(self) -> list[PendingDeal]:
        rows = self._query("SELECT data FROM pending ORDER BY deal_id")
        return [codec.pending_from_dict(db.loads(r["data"])) for r in rows]

    def replace_open_deals(self, pending: Sequence[PendingDeal]) -> ChangeCounts:
        with self._write() as conn:
            rows = self._query("SELECT * FROM pending")
            booked = {r["deal_id"] for r in self._query("SELECT deal_id FROM loads")}
            synced = {r["deal_id"]: db.loads(r["data"]) for r in rows}
            incoming = {
                k: v
                for k, v in common.by_id(
                    pending, lambda p: p.deal_id, codec.pending_to_dict
                ).items()
                if k not in booked
            }
            counts, removed = common.count_changes(synced, synced, incoming)
            conn.executemany("DELETE FROM pending WHERE deal_id = ?", [(r,) for r in removed])
            conn.executemany(
                "INSERT OR REPLACE INTO pending (deal_id, origin, data) VALUES (?, 'synced', ?)",
                [(k, db.dumps(v)) for k, v in incoming.items() if synced.get(k) != v],
            )
            self._bump_if(conn, counts)
        return counts

    def drop_pending(self, deal_ids: Sequence[str]) -> int:
        dropped = booked = 0
        with self._write() as conn:
            for part in db.chunks(sorted(set(deal_ids))):
                sql = f"DELETE FROM pending WHERE deal_id IN ({db.placeholders(part)})"
                dropped += conn.execute(sql, part).rowcount
                found = self._query(
                    f"SELECT deal_id, adviser_id, week FROM loads "
                    f"WHERE deal_id IN ({db.placeholders(part)})",
                    part,
                )
                for row in found:
                    self._unbook(conn, _booked(row))
                booked += len(found)
            if dropped:
                db.bump(conn)
        return dropped + booked

    def _bump_if(self, conn: sqlite3.Connection, counts: ChangeCounts) -> None:
        if common.changed(counts):
            db.bump(conn)

    # --- history ---------------------------------------------------------------------------

    def append_audit(self, entry: AuditEntry) -> None:
        with self._write() as conn:
            self._insert_audit(conn, common.with_id(entry))

    def list_audit(self, entity: str | None = None, limit: int = 50) -> list[AuditEntry]:
        where, params = ("WHERE entity = ?", [entity]) if entity is not None else ("", [])
        rows = self._query(
            f"SELECT data FROM audit {where} ORDER BY at_key DESC, seq DESC LIMIT ?",
            [*params, limit],
        )
        return [codec.audit_from_dict(db.loads(r["data"])) for r in rows]

    def start_sync(self, source: str, actor: str, now: dt.datetime) -> SyncRun:
        with self._write() as conn:
            running = self._query(
                "SELECT data FROM sync_runs WHERE source = ? AND status = 'running'", (source,)
            )
            for row in running:
                run = codec.sync_run_from_dict(db.loads(row["data"]))
                if not common.abandoned(run.started_at, now):
                    raise SyncInProgress(common.sync_busy_message(run))
                self._save_run(conn, common.abandon(run, now))
            started = SyncRun(id=common.new_id(), source=source, started_at=now, actor=actor)
            self._save_run(conn, started)
        return started

    def finish_sync(self, run: SyncRun) -> None:
        with self._write() as conn:
            if not self._query("SELECT 1 FROM sync_runs WHERE id = ?", (run.id,)):
                raise NotFound(f"sync run {run.id} was never started")
            self._save_run(conn, run)

    def _save_run(self, conn: sqlite3.Connection, run: SyncRun) -> None:
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

    def list_sync_runs(self, source: str | None = None, limit: int = 50) -> list[SyncRun]:
        where, params = ("WHERE source = ?", [source]) if source is not None else ("", [])
        rows = self._query(
            f"SELECT data FROM sync_runs {where} ORDER BY started_key DESC, seq DESC LIMIT ?",
            [*params, limit],
        )
        return [codec.sync_run_from_dict(db.loads(r["data"])) for r in rows]

    # --- tokens ----------------------------------------------------------------------------

    def load_token(self, name: str) -> dict[str, Any] | None:
        rows = self._query("SELECT data FROM tokens WHERE name = ?", (name,))
        return dict(db.loads(rows[0]["data"])) if rows else None

    def save_token(self, name: str, token: dict[str, Any]) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO tokens (name, data) VALUES (?, ?)", (name, db.dumps(token))
            )

    def take_token(self, name: str) -> dict[str, Any] | None:
        # BEGIN IMMEDIATE holds the write lock from the read to the delete: one taker wins.
        with self._write() as conn:
            rows = self._query("SELECT data FROM tokens WHERE name = ?", (name,))
            if rows:
                conn.execute("DELETE FROM tokens WHERE name = ?", (name,))
        return dict(db.loads(rows[0]["data"])) if rows else None


def _booked(row: Row) -> PendingDeal:
    return PendingDeal(row["deal_id"], row["adviser_id"], dt.date.fromisoformat(row["week"]))


def _utc_day(start: dt.datetime) -> str:
    return start.astimezone(dt.UTC).date().isoformat()
