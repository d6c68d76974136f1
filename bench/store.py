"""Documents read (rows, counted as Firestore bills documents) and time for a snapshot load
and an allocation, on real SQLite.

Cold = a fresh ``Services`` (nothing cached); warm = the same ``Services`` again with the data
unchanged. Each size is run twice: as generated, and padded with two years of old meetings,
to show the reads do not grow with history.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from allocation import Deal, Meeting, Snapshot
from bench.synthetic import FirmSize, synthetic_firm
from integrations.sqlite import SqliteStore
from services import Services
from services.records import EditBatch

TODAY = dt.date(2026, 3, 11)
NOW = dt.datetime(2026, 3, 10, 23, 0, tzinfo=dt.UTC)
SIZE = FirmSize(advisers=100, meetings=10_000, leave=1_000, closures=40, overrides=100, pending=200)
OLD_MEETINGS = 50_000
COLUMNS = ["data", "what", "store_reads", "ms"]


def old_meetings(firm: Snapshot, count: int) -> list[Meeting]:
    rng = random.Random(11)
    ids = [a.id for a in firm.advisers]
    start = dt.datetime(2024, 1, 1, 10, tzinfo=dt.UTC)
    return [
        Meeting(f"old{k}", rng.choice(ids), start + dt.timedelta(hours=rng.randint(0, 13_000)),
                "clarify")
        for k in range(count)
    ]  # fmt: skip


def seeded(path: Path, firm: Snapshot, extra: list[Meeting]) -> SqliteStore:
    store = SqliteStore(path, clock=lambda: NOW)
    store.replace_advisers(firm.advisers)
    meetings = [*firm.meetings, *extra]
    store.replace_meetings(meetings, dt.date(2020, 1, 1), dt.date(2030, 1, 1))
    store.replace_synced_leave(firm.leave, dt.date(2020, 1, 1))
    store.save_closures(EditBatch(added=firm.closures), "bench")
    store.save_overrides(EditBatch(added=firm.overrides), "bench")
    store.replace_open_deals(firm.pending)
    return store


def measured(store: SqliteStore, label: str, data: str, action: Any) -> dict[str, Any]:
    before, started = store.reads, time.perf_counter()
    action()
    elapsed = (time.perf_counter() - started) * 1000
    return {"data": data, "what": label, "store_reads": store.reads - before, "ms": elapsed}


def rows_for(store: SqliteStore, data: str) -> list[dict[str, Any]]:
    cold = Services(store, clock=lambda: NOW)
    rows = [measured(store, "snapshot load, cold", data, cold.browsing.snapshot)]
    rows.append(measured(store, "snapshot load, warm", data, cold.browsing.snapshot))
    fresh = Services(store, clock=lambda: NOW)
    deal = Deal("bench-1", "Series A", "Couple")
    rows.append(measured(store, "allocation, cold", data, lambda: fresh.booking.allocate(deal)))
    deal = Deal("bench-2", "Series A", "Couple")
    rows.append(measured(store, "allocation, warm", data, lambda: fresh.booking.allocate(deal)))
    rows.append(measured(store, "replayed delivery", data, lambda: fresh.booking.allocate(deal)))
    return rows


def run() -> list[dict[str, Any]]:
    firm = synthetic_firm(TODAY, SIZE)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        for label, extra in (
            (f"{SIZE.advisers} advisers, {SIZE.meetings:,} meetings", []),
            (f"same + {OLD_MEETINGS:,} old meetings", old_meetings(firm, OLD_MEETINGS)),
        ):
            store = seeded(Path(folder) / f"{len(extra)}.db", dataclasses.replace(firm), extra)
            rows += rows_for(store, label)
            store.close()
    return rows
