"""The embedded SQLite store keeps the store contract, on a real file, and what only a file can
promise: it is created on first start, outlives the process, and is shared safely by the
console and the webhook."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from allocation import Meeting
from integrations.sqlite import SqliteStore
from services.errors import Conflict
from services.records import EditBatch
from services.snapshots import load_snapshot, meeting_window
from tests.builders import adviser, d
from tests.contract.concurrency_contract import assert_twenty_deals_never_overbook
from tests.contract.edits_contract import holiday
from tests.contract.store_contract import StoreContract
from tests.contract.support import allocation, load_version, record

TODAY = dt.date(2026, 3, 11)


class TestSqliteStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SqliteStore]:
        store = SqliteStore(tmp_path / "data" / "console.db")
        yield store
        store.close()

    @pytest.fixture
    def plant(self) -> Callable[[SqliteStore, str, str, dict[str, Any]], None]:
        def write(store: SqliteStore, collection: str, rid: str, row: dict[str, Any]) -> None:
            columns = {
                "advisers": ("id", "data"),
                "leave": ("id", "origin", "end_day", "data"),
                "pending": ("deal_id", "origin", "data"),
                "closures": ("id", "version", "data"),
                "overrides": ("id", "version", "data"),
            }[collection]
            extra = {"origin": "synced", "end_day": "2026-05-01", "version": 1}
            values = [rid, *[extra[c] for c in columns[1:-1]], json.dumps(row)]
            marks = ", ".join("?" * len(columns))
            with store.database.write() as conn:
                conn.execute(
                    f"INSERT INTO {collection} ({', '.join(columns)}) VALUES ({marks})", values
                )

        return write


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / ".data" / "console.db"


@pytest.fixture
def opened(path: Path) -> Iterator[list[SqliteStore]]:
    """Stores opened by a test, closed after it."""
    stores: list[SqliteStore] = []
    yield stores
    for store in stores:
        store.close()


def open_store(path: Path, opened: list[SqliteStore]) -> SqliteStore:
    store = SqliteStore(path)
    opened.append(store)
    return store


def test_the_file_and_its_folder_are_created_on_first_start(
    path: Path, opened: list[SqliteStore]
) -> None:
    store = open_store(path, opened)
    assert path.is_file()
    assert store.is_empty()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_records_outlive_the_process_that_wrote_them(path: Path, opened: list[SqliteStore]) -> None:
    first = open_store(path, opened)
    first.replace_advisers([adviser("dana")])
    first.save_closures(EditBatch(added=(holiday("c1"),)), actor="ann")
    version = first.data_version()
    first.close()

    again = open_store(path, opened)
    assert [a.id for a in again.list_advisers()] == ["dana"]
    assert [v.value for v in again.list_closures()] == [holiday("c1")]
    assert again.data_version() == version


def test_a_recreated_file_never_repeats_an_old_data_version(
    path: Path, opened: list[SqliteStore]
) -> None:
    first = open_store(path, opened)
    old = first.data_version()
    first.close()
    path.unlink()
    # A snapshot cached from the old file must not look fresh against the new one.
    assert open_store(path, opened).data_version() != old


def test_the_console_and_the_webhook_refuse_each_others_stale_edits(
    path: Path, opened: list[SqliteStore]
) -> None:
    console, webhook = open_store(path, opened), open_store(path, opened)
    console.save_closures(EditBatch(added=(holiday("c12"),)), actor="ann")
    [seen] = webhook.list_closures()
    console.save_closures(
        EditBatch(updated=((holiday("c12", end="2026-04-08"), seen.version),)), "ann"
    )
    with pytest.raises(Conflict, match="closure c12"):
        webhook.save_closures(EditBatch(deleted=(("c12", seen.version),)), actor="bob")
    decided_on = load_version(webhook, "dana")
    record(console, allocation("deal-0"))  # the console books Dana meanwhile
    with pytest.raises(Conflict, match="deal-1"):
        webhook.record_allocation(allocation("deal-1"), based_on=decided_on)


def test_bookings_through_two_handles_on_one_file_never_overbook(
    path: Path, opened: list[SqliteStore]
) -> None:
    assert_twenty_deals_never_overbook([open_store(path, opened), open_store(path, opened)])


def test_meetings_are_read_through_the_day_index(path: Path, opened: list[SqliteStore]) -> None:
    open_store(path, opened)
    with sqlite3.connect(path) as conn:
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT data FROM meetings WHERE start_day >= ? AND start_day < ?",
            ("2026-03-01", "2026-04-01"),
        ).fetchall()
    assert "meetings_by_day" in " ".join(str(row[-1]) for row in plan)


def test_loading_a_snapshot_costs_the_same_reads_however_long_the_history(
    path: Path, opened: list[SqliteStore]
) -> None:
    store = open_store(path, opened)
    store.replace_advisers([adviser("dana"), adviser("lee")])
    reads_when_new = _snapshot_reads(store)

    start, _ = meeting_window(store.get_settings().value.rules, TODAY)
    past = [
        Meeting(
            f"old-{n}",
            "dana",
            dt.datetime(2020, 1, 6, tzinfo=dt.UTC) + dt.timedelta(hours=n),
            "clarify",
        )
        for n in range(2000)
    ]
    store.replace_meetings(past, d("2019-01-01"), start)
    for n in range(50):
        record(store, allocation(f"deal-{n}", "dana", d("2020-01-06")))
    store.drop_pending([f"deal-{n}" for n in range(50)])  # their Clarifies came, years ago

    assert _snapshot_reads(store) == reads_when_new
    assert store.list_meetings(start, d("2030-01-01")) == []


def _snapshot_reads(store: SqliteStore) -> int:
    before = store.reads
    load_snapshot(store, None, TODAY)
    return store.reads - before


def test_connections_of_finished_threads_are_closed(path: Path, opened: list[SqliteStore]) -> None:
    # Streamlit reruns each page script on a new thread; connections must not pile up.
    store = open_store(path, opened)
    for _ in range(10):
        worker = threading.Thread(target=store.list_advisers)
        worker.start()
        worker.join()
    store.list_advisers()
    assert store.open_connections() <= 2
