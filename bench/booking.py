"""One allocation as the webhook makes it, server-side, with another process booking between
each of ours: documents read and milliseconds, on SQLite and on the Firestore emulator.

Two ``Services`` share one store, as two webhook instances do: "another process" books a deal,
then "this process" allocates one (decide → record → write back through the outbox to a
HubSpot stand-in that answers at once → notify). Cold is a fresh ``Services``; warm is the
next allocation with nothing booked in between; "after another's booking" is the case every
busy instance lives in. Documents are counted as Firestore bills them (at least one per
query, one per document fetched); SQLite counts rows the same way. Also the stored size of
one decision record.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from allocation import Deal, Snapshot
from bench.synthetic import FirmSize, synthetic_firm
from services import Services, codec
from services.ports import Store
from services.records import EditBatch

TODAY = dt.date(2026, 3, 11)
NOW = dt.datetime(2026, 3, 10, 23, 0, tzinfo=dt.UTC)
ROUNDS = 20
COLUMNS = ["store", "firm", "what", "documents_read", "p50_ms", "p95_ms", "record_kb"]


class InstantHubSpot:
    """Takes every write-back at once: what is measured is ours, not a network's."""

    def write_adviser(self, deal_id: str, adviser_id: str, property_name: str) -> None:
        return None


def size(advisers: int) -> FirmSize:
    return FirmSize(
        advisers=advisers, meetings=advisers * 100, leave=advisers * 10, closures=200,
        overrides=advisers, pending=advisers * 2,
    )  # fmt: skip


def seed(store: Store, firm: Snapshot) -> None:
    store.replace_advisers(firm.advisers)
    store.replace_meetings(list(firm.meetings), dt.date(2020, 1, 1), dt.date(2030, 1, 1))
    store.replace_synced_leave(firm.leave, dt.date(2020, 1, 1))
    # Edits are saved a form's worth at a time (one commit each, with their audit entries).
    for first in range(0, max(len(firm.closures), len(firm.overrides)), 200):
        store.save_closures(EditBatch(added=firm.closures[first : first + 200]), "bench")
        store.save_overrides(EditBatch(added=firm.overrides[first : first + 200]), "bench")
    store.replace_open_deals(firm.pending)


def services(store: Store) -> Services:
    return Services(store, crm=InstantHubSpot(), clock=lambda: NOW)  # type: ignore[arg-type]


def _deals(prefix: str) -> Iterator[Deal]:
    n = 0
    while True:
        n += 1
        yield Deal(f"{prefix}{n}", "Series A", "Couple" if n % 2 else "Single")


def _timed(store: Store, action: Callable[[], Any]) -> tuple[int, float]:
    before, started = store.reads, time.perf_counter()
    action()
    return store.reads - before, (time.perf_counter() - started) * 1000


def _row(label: str, firm: str, what: str, samples: Sequence[tuple[int, float]],
         record_kb: float | str = "") -> dict[str, Any]:  # fmt: skip
    docs = sorted(d for d, _ in samples)
    ms = sorted(t for _, t in samples)
    return {
        "store": label, "firm": firm, "what": what,
        "documents_read": docs[len(docs) // 2] if len(docs) > 1 else docs[0],
        "p50_ms": statistics.median(ms), "p95_ms": ms[min(len(ms) - 1, round(0.95 * len(ms)))],
        "record_kb": record_kb,
    }  # fmt: skip


def measure(label: str, firm_label: str, store: Store, other_store: Store) -> list[dict[str, Any]]:
    """Rows for one store holding one firm; ``other_store`` is a second handle on it."""
    ours, theirs = _deals("ours-"), _deals("theirs-")
    this, other = services(store), services(other_store)
    cold = [_timed(store, lambda: this.booking.allocate(next(ours)))]
    warm = [_timed(store, lambda: this.booking.allocate(next(ours))) for _ in range(ROUNDS)]
    after_other = []
    for _ in range(ROUNDS):
        other.booking.allocate(next(theirs))
        after_other.append(_timed(store, lambda: this.booking.allocate(next(ours))))
    latest = store.list_allocations(limit=1)[0]
    kb = len(json.dumps(codec.allocation_to_dict(latest))) / 1024
    return [
        _row(label, firm_label, "allocation, cold (new process)", cold),
        _row(label, firm_label, "allocation, warm", warm),
        _row(label, firm_label, "allocation after another process's booking", after_other,
             round(kb, 1)),
    ]  # fmt: skip


def on_sqlite(advisers: int) -> list[dict[str, Any]]:
    from integrations.sqlite import SqliteStore

    firm = synthetic_firm(TODAY, size(advisers))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        store, other = SqliteStore(path, clock=lambda: NOW), SqliteStore(path, clock=lambda: NOW)
        seed(store, firm)
        label = f"{advisers} advisers, {len(firm.meetings):,} meetings"
        rows = measure("SQLite", label, store, other)
        store.close()
        other.close()
    return rows


@contextmanager
def emulator() -> Iterator[str | None]:
    """A Firestore emulator on a free loopback port, or None without gcloud."""
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        yield None
        return
    from devtools.firestore_emulator import start

    running = start(gcloud)
    try:
        yield running.host
    finally:
        running.stop()


def on_firestore(host: str, advisers: int) -> list[dict[str, Any]]:
    import os

    from integrations.firestore import FirestoreStore

    os.environ["FIRESTORE_EMULATOR_HOST"] = host
    firm = synthetic_firm(TODAY, size(advisers))
    project = f"bench-{uuid.uuid4().hex[:8]}"
    store = FirestoreStore(project, clock=lambda: NOW)
    other = FirestoreStore(project, clock=lambda: NOW)
    seed(store, firm)
    label = f"{advisers} advisers, {len(firm.meetings):,} meetings"
    return measure("Firestore (emulator)", label, store, other)


def run(
    firestore_sizes: Sequence[int] = (100, 500), sqlite_sizes: Sequence[int] = (500,)
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for advisers in sqlite_sizes:
        rows += on_sqlite(advisers)
    with emulator() as host:
        if host is None:
            rows.append({"store": "Firestore", "what": "skipped: gcloud not installed"})
            return rows
        for advisers in firestore_sizes:
            rows += on_firestore(host, advisers)
    return rows
