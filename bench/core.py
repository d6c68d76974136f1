"""Benchmark of the pure core: build_ledger and allocate on the synthetic firm.

"Cold" means a new snapshot object, so nothing it works out is cached yet. Its meetings are
either 50,000 ``Meeting`` objects (the old path) or a ``MeetingTable`` made beforehand, as a
store hands it over. What a store does to hand either over, from the five columns of Python
values its rows hold, is timed on rows of its own ("store's share"); reading the rows is not
timed here (see bench/store.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

from allocation import (
    Deal,
    Ledger,
    PendingDeal,
    Snapshot,
    allocate,
    build_ledger,
    choose,
    week_of,
)
from bench.synthetic import PACKAGES, FirmSize, meeting_columns, synthetic_firm
from bench.timing import measure, peak_memory_mb

TODAY = dt.date(2026, 3, 11)
HYPOTHETICAL_DEALS = 50


def fresh(snapshot: Snapshot) -> Snapshot:  # a new object: nothing cached from earlier calls
    return dataclasses.replace(snapshot)


def ledger_recomputed(snapshot: Snapshot, today: dt.date) -> Ledger:
    """The ledger computed again from columns already extracted (a new week, same data)."""
    snapshot.memo.ledgers = {}
    return build_ledger(snapshot, today)


def book_in_turn(snapshot: Snapshot, deals: list[Deal], today: dt.date) -> Ledger:
    """Each deal chosen on the ledger holding the ones before it: the later outlook's loop."""
    ledger = build_ledger(snapshot, today)
    for deal in deals:
        choice = choose(deal, snapshot, ledger)
        if choice is not None:
            ledger = ledger.with_load(choice.row, choice.week_index)
    return ledger


def one_booking(snapshot: Snapshot) -> Callable[[], Snapshot]:
    """A new pending deal for a different adviser each call, folded into the warm snapshot."""
    counter = itertools.count()
    advisers = snapshot.advisers
    week = week_of(TODAY) + dt.timedelta(weeks=3)

    def fold() -> Snapshot:
        n = next(counter)
        booking = PendingDeal(f"bench-booking-{n}", advisers[n % len(advisers)].id, week)
        return snapshot.with_pending(added=[booking])

    return fold


def run(runs: int = 30) -> list[dict[str, Any]]:
    firm = synthetic_firm(TODAY, FirmSize())
    columns = meeting_columns(firm)
    tabled = dataclasses.replace(firm, meetings=columns.table())
    deal = Deal("bench", "Series A", "Couple")
    hypothetical = [
        Deal(f"what-if-{k}", PACKAGES[k % len(PACKAGES)], ("Single", "Couple", None)[k % 3])
        for k in range(HYPOTHETICAL_DEALS)
    ]
    build_ledger(firm, TODAY)  # warm imports and numpy
    allocate(deal, tabled, TODAY)
    fold = one_booking(tabled)
    rows: list[tuple[str, Callable[[], object]]] = [
        (
            "build_ledger, cold: 50,000 Meeting objects (old path)",
            lambda: build_ledger(fresh(firm), TODAY),
        ),
        (
            "allocate, cold: 50,000 Meeting objects (old path)",
            lambda: allocate(deal, fresh(firm), TODAY),
        ),
        (
            "store's share, new path: a MeetingTable from 5 columns (not in rows below)",
            columns.table,
        ),
        (
            "store's share, old path: 50,000 Meeting records from 5 columns (not in rows above)",
            columns.meetings,
        ),
        (
            "build_ledger, cold: ready MeetingTable",
            lambda: build_ledger(fresh(tabled), TODAY),
        ),
        (
            "allocate, cold: ready MeetingTable",
            lambda: allocate(deal, fresh(tabled), TODAY),
        ),
        (
            "build_ledger, columns cached, ledger recomputed",
            lambda: ledger_recomputed(tabled, TODAY),
        ),
        (
            "build_ledger, warm (same snapshot and week: cached)",
            lambda: build_ledger(tabled, TODAY),
        ),
        (
            "allocate, warm (ledger cached; per-deal work only)",
            lambda: allocate(deal, tabled, TODAY),
        ),
        (
            "one booking folded in (with_pending: one row recomputed)",
            fold,
        ),
        (
            "allocate right after one booking folded in (with_pending + allocate)",
            lambda: allocate(deal, fold(), TODAY),
        ),
        (
            f"book {HYPOTHETICAL_DEALS} hypothetical deals one after another (incremental)",
            lambda: book_in_turn(tabled, hypothetical, TODAY),
        ),
    ]
    results = []
    for name, fn in rows:
        results.append({"what": name, **measure(fn, runs), "peak_mb": peak_memory_mb(fn)})
    return results
