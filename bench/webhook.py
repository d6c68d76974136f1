"""Benchmark of the running webhook: a real functions-framework process on a temporary SQLite
store, the loopback HubSpot fake, and N concurrent signed deliveries.

Per data size it reports requests per second and p50 / p95 latency under concurrency, and,
from a sequential pass (exact per-request figures), HubSpot calls and store reads per
allocation. The two data sizes differ by 50,000 meetings of history outside the ledger's
window: store reads per allocation must not move (the snapshot reads a bounded window).
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from allocation import Meeting
from devtools.hubspot_server import TOKEN, FakeHubSpotServer
from devtools.webhook_server import (
    WebhookProcess,
    advisers,
    creation_events,
    workflow_body,
)
from integrations.sqlite import SqliteStore

ADVISERS = 40
WINDOW_MEETINGS = 400  # Clarifies inside the ledger's window, spread over the advisers
COLUMNS = [
    "data",
    "shape",
    "requests",
    "concurrency",
    "req_per_s",
    "p50_ms",
    "p95_ms",
    "hubspot_calls_per_allocation",
    "store_reads_per_allocation",
]


@dataclass(frozen=True)
class DataSize:
    label: str
    history_meetings: int  # meetings years before the ledger's window


SIZES = (DataSize("40 advisers, 400 meetings", 0), DataSize("+ 50,000 old meetings", 50_000))


def _meetings(today: dt.date, history: int) -> tuple[list[Meeting], dt.date, dt.date]:
    ids = [a.id for a in advisers(ADVISERS)]
    first = today - dt.timedelta(days=3 * 365)
    noon = dt.time(1, 0, tzinfo=dt.UTC)  # 11:00 or 12:00 in Sydney
    window = [
        Meeting(
            f"w{k}",
            ids[k % len(ids)],
            dt.datetime.combine(today + dt.timedelta(days=7 + (k * 3) % 350), noon),
            "clarify",
        )
        for k in range(WINDOW_MEETINGS)
    ]
    old = [
        Meeting(
            f"h{k}",
            ids[k % len(ids)],
            dt.datetime.combine(first + dt.timedelta(days=k % 700), noon),
            "clarify",
        )
        for k in range(history)
    ]
    return window + old, first, today + dt.timedelta(days=400)


def _seed(path: Path, size: DataSize) -> None:
    store = SqliteStore(path)
    store.replace_advisers(advisers(ADVISERS))
    meetings, start, end = _meetings(dt.datetime.now(dt.UTC).date(), size.history_meetings)
    store.replace_meetings(meetings, start, end)
    store.close()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class _Deals:
    def __init__(self, hubspot: FakeHubSpotServer) -> None:
        self._hubspot = hubspot
        self._next = 500_000

    def new(self) -> str:
        self._next += 1
        deal_id = str(self._next)
        self._hubspot.add_deal(deal_id, service_package="Series A", household_type="Couple")
        return deal_id


def _timed_post(webhook: WebhookProcess, body: bytes) -> float:
    started = time.perf_counter()
    reply = webhook.post(body, resend_on_503=5)
    if reply.status_code != 200:
        raise RuntimeError(f"webhook answered {reply.status_code}: {reply.text}")
    return (time.perf_counter() - started) * 1000


def _per_allocation(webhook: WebhookProcess, deal_ids: set[str], key: str) -> float:
    """The median over the sequential pass (its first request may load a cold snapshot)."""
    lines = [x for x in webhook.log_lines() if set(x.get("deal_ids", [])) & deal_ids]
    return float(statistics.median(float(x[key]) for x in lines))


def _measure(
    webhook: WebhookProcess, deals: _Deals, shape: str, requests: int, concurrency: int
) -> dict[str, Any]:
    make = workflow_body if shape == "workflow" else creation_events
    # Sequential pass: exact per-request costs (nothing else touches the store meanwhile).
    sequential = {deals.new() for _ in range(10)}
    for deal_id in sorted(sequential):
        _timed_post(webhook, make(deal_id))
    bodies = [make(deals.new()) for _ in range(requests)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        latencies = list(pool.map(lambda b: _timed_post(webhook, b), bodies))
    wall = time.perf_counter() - started
    return {
        "shape": shape,
        "requests": requests,
        "concurrency": concurrency,
        "req_per_s": requests / wall,
        "p50_ms": _percentile(latencies, 0.5),
        "p95_ms": _percentile(latencies, 0.95),
        "hubspot_calls_per_allocation": _per_allocation(webhook, sequential, "hubspot_calls"),
        "store_reads_per_allocation": _per_allocation(webhook, sequential, "store_reads"),
    }


def run(requests: int = 200, concurrency: int = 16) -> list[dict[str, Any]]:
    """Rows for ``bench.timing.table`` (columns: ``COLUMNS``); bounded by ``requests``."""
    requests = max(1, min(requests, 1000))
    rows = []
    with FakeHubSpotServer() as hubspot, tempfile.TemporaryDirectory() as folder:
        deals = _Deals(hubspot)
        for number, size in enumerate(SIZES):
            path = Path(folder) / f"bench{number}.db"
            _seed(path, size)
            webhook = WebhookProcess(
                {
                    "CONSOLE_STORE": f"sqlite:///{path}",
                    "CONSOLE_DEMO": "0",
                    "HUBSPOT_TOKEN": TOKEN,
                    "HUBSPOT_API_BASE": hubspot.base_url,
                }
            )
            try:
                webhook.wait_until_healthy()
                for shape in ("workflow", "crm batch"):
                    row = _measure(webhook, deals, shape, requests, concurrency)
                    rows.append({"data": size.label, **row})
            finally:
                webhook.stop()
    return rows
