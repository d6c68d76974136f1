"""Benchmark of the pure core: build_ledger and allocate on the synthetic firm."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from allocation import Deal, Ledger, Snapshot, allocate, build_ledger
from bench.synthetic import FirmSize, synthetic_firm
from bench.timing import measure, peak_memory_mb

TODAY = dt.date(2026, 3, 11)


def fresh(snapshot: Snapshot) -> Snapshot:  # a new object: nothing cached from earlier calls
    return dataclasses.replace(snapshot)


def ledger_recomputed(snapshot: Snapshot, today: dt.date) -> Ledger:
    """The ledger computed again from columns already extracted (a new day, same data)."""
    snapshot.__dict__.pop("_ledger_cache", None)
    return build_ledger(snapshot, today)


def run(runs: int = 30) -> list[dict[str, Any]]:
    firm = synthetic_firm(TODAY, FirmSize())
    deal = Deal("bench", "Series A", "Couple")
    build_ledger(firm, TODAY)  # warm imports and numpy
    rows = [
        ("build_ledger, cold (new snapshot)", lambda: build_ledger(fresh(firm), TODAY)),
        ("allocate, cold (new snapshot)", lambda: allocate(deal, fresh(firm), TODAY)),
        ("build_ledger, columns cached, ledger recomputed", lambda: ledger_recomputed(firm, TODAY)),
        ("build_ledger, warm (same snapshot and day: cached)", lambda: build_ledger(firm, TODAY)),
        ("allocate, warm (ledger cached; per-deal work only)", lambda: allocate(deal, firm, TODAY)),
    ]
    results = []
    for name, fn in rows:
        results.append({"what": name, **measure(fn, runs), "peak_mb": peak_memory_mb(fn)})
    return results
