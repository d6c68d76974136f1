"""The embedded store's file: schema and migrations, per-thread connections, write transactions.

Rows keep the codec's JSON in a ``data`` column beside the few columns we query or order by,
so a record is stored exactly as every other store stores it.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from allocation import Meeting
from integrations import store_rules as rules
from integrations.store_rules import Unreadable
from services import codec
from services.errors import StoreUnavailable
from services.records import ChangeCounts, ExcludedRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS advisers (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meetings (
    id TEXT PRIMARY KEY, start_day TEXT NOT NULL, data TEXT NOT NULL,
    adviser_id TEXT, start_epoch INTEGER, kind TEXT, deal_id TEXT);
CREATE INDEX IF NOT EXISTS meetings_by_day ON meetings (start_day);
CREATE TABLE IF NOT EXISTS leave (
    id TEXT PRIMARY KEY, origin TEXT NOT NULL, end_day TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pending (
    deal_id TEXT PRIMARY KEY, origin TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS closures (
    id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS overrides (
    id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS adviser_edits (
    id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS override_notes (id TEXT PRIMARY KEY, note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS settings (
    id TEXT PRIMARY KEY, version INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS allocations (
    deal_id TEXT PRIMARY KEY, decided_key TEXT NOT NULL, status TEXT NOT NULL,
    adviser_id TEXT, data TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS loads (
    deal_id TEXT PRIMARY KEY, adviser_id TEXT NOT NULL, week TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS loads_by_adviser ON loads (adviser_id);
CREATE TABLE IF NOT EXISTS load_versions (
    adviser_id TEXT PRIMARY KEY, version INTEGER NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS load_versions_by_seq ON load_versions (seq);
CREATE TABLE IF NOT EXISTS rejections (
    id TEXT PRIMARY KEY, received_key TEXT NOT NULL, status TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS rejections_by_status ON rejections (status, received_key);
CREATE INDEX IF NOT EXISTS allocations_by_time ON allocations (decided_key);
CREATE INDEX IF NOT EXISTS allocations_by_adviser ON allocations (adviser_id, decided_key);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, at_key TEXT NOT NULL,
    entity TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit (at_key, seq);
CREATE INDEX IF NOT EXISTS audit_by_entity ON audit (entity, at_key, seq);
CREATE TABLE IF NOT EXISTS sync_runs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, source TEXT NOT NULL,
    status TEXT NOT NULL, started_key TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sync_runs_by_source ON sync_runs (source, started_key);
CREATE TABLE IF NOT EXISTS tokens (name TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outlook_days (
    day TEXT NOT NULL, segment TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (day, segment));
CREATE TABLE IF NOT EXISTS alerts_sent (key TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS box_folders (
    deal_id TEXT PRIMARY KEY, queued_key TEXT NOT NULL, status TEXT NOT NULL,
    version INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS box_folders_by_status ON box_folders (status, queued_key);
"""

# A writer waits this long for another writer's transaction before giving up: long enough for
# a big sync's commit, short enough that a stuck lock answers "store unavailable" in seconds
# (the webhook must answer HubSpot within its budget), not after half a minute.
BUSY_TIMEOUT_SECONDS = 5.0
# Lists passed to ``IN (...)`` are cut into pieces under SQLite's bound-parameter limit.
CHUNK = 500


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def loads(text: str) -> Any:
    return json.loads(text)


def time_key(value: dt.datetime) -> str:
    """A fixed-width UTC text that sorts as the instants do (ISO text drops zero microseconds)."""
    if value.utcoffset() is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def placeholders(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: we open every write transaction ourselves with BEGIN IMMEDIATE,
    # so the write lock is taken before the reads that decide what to write.
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


@contextmanager
def translated(path: Path) -> Iterator[None]:
    """SQLite's own errors as ``StoreUnavailable`` naming the file: a locked, corrupt, missing
    or unreadable file is an outage of the store for every entry point, not a bug."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StoreUnavailable(f"the SQLite store {path} cannot be used: {exc}") from exc
    except OSError as exc:
        raise StoreUnavailable(f"the SQLite store {path} cannot be used: {exc.strerror}") from exc


def _expected_columns() -> dict[str, list[str]]:
    """Each table's columns as SCHEMA creates them, read from a throwaway in-memory copy."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(SCHEMA)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            t: [c[1] for c in conn.execute(f"PRAGMA table_info({t})")]
            for t in tables
            if not t.startswith("sqlite_")
        }
    finally:
        conn.close()


def check_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a file some other program made (same table names, other columns)."""
    for table, columns in _expected_columns().items():
        found = [c[1] for c in conn.execute(f"PRAGMA table_info({table})")]
        if found != columns:
            raise StoreUnavailable(
                f"{path} is not an adviser console store: its table {table!r} has columns "
                f"{found or 'none'}, expected {columns}"
            )


# Files made by an older version of the console are brought up to date when opened.
SCHEMA_VERSION = 2


def _migrate_to_2(conn: sqlite3.Connection) -> None:
    """Bookings leave the firm-wide ``pending`` table for per-adviser loads (so bookings for
    different advisers never conflict); decisions get a version for compare-and-set; meetings
    get columns of their own beside the JSON, so they can be read as columns."""
    conn.execute("ALTER TABLE allocations ADD COLUMN version INTEGER NOT NULL DEFAULT 1")
    for column, kind in (("adviser_id", "TEXT"), ("start_epoch", "INTEGER"), ("kind", "TEXT"),
                         ("deal_id", "TEXT")):  # fmt: skip
        conn.execute(f"ALTER TABLE meetings ADD COLUMN {column} {kind}")
    for row in conn.execute("SELECT id, data FROM meetings").fetchall():
        values = meeting_columns(codec.meeting_from_dict(loads(row[1])))
        conn.execute(
            "UPDATE meetings SET adviser_id = ?, start_epoch = ?, kind = ?, deal_id = ? "
            "WHERE id = ?",
            (*values, row[0]),
        )
    create_tables(conn)  # the new ones
    booked = conn.execute("SELECT deal_id, data FROM pending WHERE origin = 'booked'").fetchall()
    for seq, (deal_id, data) in enumerate(booked, start=1):
        pending = codec.pending_from_dict(loads(data))
        conn.execute(
            "INSERT INTO loads VALUES (?, ?, ?)",
            (deal_id, pending.adviser_id, pending.week.isoformat()),
        )
        conn.execute(
            "INSERT INTO load_versions VALUES (?, 1, ?) "
            "ON CONFLICT (adviser_id) DO UPDATE SET version = version + 1, seq = excluded.seq",
            (pending.adviser_id, seq),
        )
    conn.execute("DELETE FROM pending WHERE origin = 'booked'")
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('load_seq', ?)", (str(len(booked)),))


MIGRATIONS = {1: _migrate_to_2}


def meeting_columns(meeting: Meeting) -> tuple[str, int, str, str | None]:
    """What the meetings table keeps beside a meeting's JSON, for reading it as columns."""
    return (
        meeting.adviser_id,
        int(meeting.start.timestamp()),
        meeting.kind,
        meeting.deal_id,
    )


def create_tables(conn: sqlite3.Connection) -> None:
    """Every missing table and index, one statement at a time (``executescript`` would commit
    the transaction it runs in)."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


def _tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {r[0] for r in rows if not r[0].startswith("sqlite_")}


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _bring_up_to_date(conn: sqlite3.Connection, path: Path) -> None:
    """Create a new file's tables, or migrate an older console file; refuse anything else."""
    conn.execute("BEGIN IMMEDIATE")  # two processes opening one old file migrate it once
    try:
        tables = _tables(conn)
        if not tables:
            create_tables(conn)
            # The epoch tells a recreated file's versions apart from the old file's.
            conn.execute("INSERT INTO meta VALUES ('epoch', ?)", (uuid.uuid4().hex[:8],))
            conn.execute("INSERT INTO meta VALUES ('data_version', '0')")
            conn.execute("INSERT INTO meta VALUES ('load_seq', '0')")
            conn.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        elif "meta" not in tables or _meta(conn, "epoch") is None:
            raise StoreUnavailable(
                f"{path} is not an adviser console store: it holds tables "
                f"{sorted(tables)} but no console metadata"
            )
        version = int(_meta(conn, "schema") or 1)
        for step in range(version, SCHEMA_VERSION):
            MIGRATIONS[step](conn)
        create_tables(conn)
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        check_schema(conn, path)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def create_schema(path: Path) -> None:
    """Create the file, its folder and its tables if missing, or bring an older console file
    up to date; safe to repeat, and to race."""
    with translated(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = _connect(path)
        try:
            _bring_up_to_date(conn, path)
        finally:
            conn.close()


class Connections:
    """One connection per thread (SQLite connections are not safe to share mid-transaction).

    Streamlit runs each script rerun on a fresh thread, so a connection whose thread has ended
    is closed when the next one opens, rather than left open until the process exits.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._by_thread: dict[int, tuple[threading.Thread, sqlite3.Connection]] = {}

    def get(self) -> sqlite3.Connection:
        me = threading.current_thread()
        with self._lock:
            held = self._by_thread.get(me.ident or 0)
            if held is not None and held[0] is me:
                return held[1]
            self._close_orphans()
            conn = _connect(self._path)
            self._by_thread[me.ident or 0] = (me, conn)
            return conn

    def _close_orphans(self) -> None:
        for ident, (thread, conn) in list(self._by_thread.items()):
            if not thread.is_alive() or thread.ident != ident:
                conn.close()
                del self._by_thread[ident]

    def open_count(self) -> int:
        with self._lock:
            return len(self._by_thread)

    def close_all(self) -> None:
        with self._lock:
            for _, conn in self._by_thread.values():
                conn.close()
            self._by_thread.clear()


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction holding the write lock from its first statement: all or nothing."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def read_counter(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    return int(row[0])


def bump(conn: sqlite3.Connection) -> int:
    """Move the data version on; the new counter also versions the rows written with it."""
    conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'")
    return read_counter(conn)


VERSION_SQL = "SELECT value FROM meta WHERE key = 'data_version'"


def bump_if(conn: sqlite3.Connection, counts: ChangeCounts) -> None:
    if rules.changed(counts):
        bump(conn)


class SqliteDatabase:
    """The file every part of the SQLite store shares: per-thread connections, counted reads,
    write transactions, and the store's health (``services.ports.Health``).

    ``close()`` closes every thread's connection; the file stays for the next start.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.reads = 0
        self._reads_lock = threading.Lock()
        self.skipped = Unreadable()
        create_schema(self.path)
        self._connections = Connections(self.path)
        self._epoch = str(self.query("SELECT value FROM meta WHERE key = 'epoch'")[0][0])

    def close(self) -> None:
        self._connections.close_all()

    def open_connections(self) -> int:
        return self._connections.open_count()

    def query(
        self, sql: str, params: Sequence[Any] = (), documents: int | None = None
    ) -> list[sqlite3.Row]:
        """One round trip, outside or inside the current thread's transaction; ``reads``
        counts the rows it returned (at least one), as a document store bills documents,
        or ``documents`` when the rows stand for fewer (one adviser's load spans rows)."""
        with translated(self.path):
            rows = self._connections.get().execute(sql, params).fetchall()
        self.count_reads(max(1, len(rows) if documents is None else documents))
        return rows

    def count_reads(self, documents: int) -> None:
        with self._reads_lock:
            self.reads += documents

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A ``BEGIN IMMEDIATE`` transaction on this thread's connection: the queries made
        inside it read what it is about to change, and nobody writes in between."""
        with translated(self.path), immediate(self._connections.get()) as conn:
            yield conn

    def version_text(self, counter: int) -> str:
        """A version as editors carry it: the file's epoch, so a recreated file never repeats
        an old one, and the data version counter of the write that made it."""
        return f"{self._epoch}-{counter}"

    def rows_by_id(self, table: str, key: str, ids: Sequence[str]) -> dict[str, sqlite3.Row]:
        found: dict[str, sqlite3.Row] = {}
        for part in chunks(sorted(set(ids))):
            sql = f"SELECT * FROM {table} WHERE {key} IN ({placeholders(part)})"
            found.update({row[key]: row for row in self.query(sql, part)})
        return found

    # --- health ----------------------------------------------------------------------------

    def data_version(self) -> str:
        return self.version_text(int(self.query(VERSION_SQL)[0][0]))

    def is_empty(self) -> bool:
        return not self.query("SELECT 1 FROM advisers LIMIT 1")

    def ping(self) -> bool:
        return bool(self.query("SELECT 1"))

    def unreadable(self) -> list[ExcludedRecord]:
        return self.skipped.rows()
