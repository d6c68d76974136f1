"""Benchmark of the capacity outlook (issue 15) on the synthetic firm, cold.

"Cold" means a new snapshot object (its meetings a ready ``MeetingTable``, as a store hands
them over), so the ledger is built inside the timing too. Targets: the full outlook (every
segment, 26 weeks, ~5 deals a week per segment) for 500 advisers under 1 s; a batch what-if
of 50 deals (before and after an unsaved hire) under 200 ms.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

from allocation import Adviser, Snapshot, week_of
from allocation.outlook import Segment, batch_deals, outlook, segments_of, simulate
from bench.synthetic import HOUSEHOLDS, FirmSize, meeting_columns, synthetic_firm
from bench.timing import measure, peak_memory_mb

TODAY = dt.date(2026, 3, 11)
DEALS_PER_WEEK = 5.0
BATCH = 50
COLUMNS = ["what", "median_ms", "p95_ms", "cpu_ms", "peak_mb", "runs", "detail"]


def cpu_ms(fn: Callable[[], object], runs: int) -> float:
    """Median CPU time of this process per call: on a shared, busy box the wall time mostly
    measures the other processes; the CPU time is what an idle core would take."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def fresh(snapshot: Snapshot) -> Snapshot:  # a new object: nothing cached from earlier calls
    return dataclasses.replace(snapshot)


def with_hire(snapshot: Snapshot) -> Snapshot:
    """The batch what-if's unsaved edit: one more Series A adviser from today."""
    hire = Adviser("bench-hire", "Bench Hire", "", service_packages=frozenset({"Series A"}))
    return dataclasses.replace(snapshot, advisers=(*snapshot.advisers, hire))


def run(runs: int = 10) -> list[dict[str, Any]]:
    firm = synthetic_firm(TODAY, FirmSize())
    tabled = dataclasses.replace(firm, meetings=meeting_columns(firm).table())
    segments = segments_of(tabled, HOUSEHOLDS)
    demand = dict.fromkeys(segments, DEALS_PER_WEEK)
    batch = batch_deals(Segment("Series A", "Couple"), BATCH, week_of(TODAY), 10, tabled.rules)
    hired = with_hire(tabled)
    result = outlook(fresh(tabled), TODAY, demand, households=HOUSEHOLDS)  # warm imports
    late = sum(1 for s in result.segments if s.late_deals)
    rows: list[tuple[str, Callable[[], object], str]] = [
        (
            f"full outlook, cold: {len(segments)} segments × 26 weeks × {DEALS_PER_WEEK:g} "
            "deals/week (places, projection, fix)",
            lambda: outlook(fresh(tabled), TODAY, demand, households=HOUSEHOLDS),
            f"{len(result.bookings)} projected deals; {late} segments late, each fix checked "
            "by projecting again",
        ),
        (
            f"batch what-if, cold: {BATCH} deals, before and after an unsaved hire",
            lambda: (simulate(fresh(tabled), TODAY, batch), simulate(fresh(hired), TODAY, batch)),
            "two ledgers built and 100 deals booked",
        ),
    ]
    results = []
    for name, fn, detail in rows:
        timing = measure(fn, runs)
        results.append(
            {"what": name, **timing, "cpu_ms": cpu_ms(fn, runs), "peak_mb": peak_memory_mb(fn),
             "detail": detail}
        )  # fmt: skip
    return results
