"""Twenty deals decided at once for a small firm: none lost, none twice, no week overbooked."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from allocation import Deal, Rules, allocate, build_ledger
from services.errors import Conflict
from services.ports import Store
from services.records import AllocationRecord, ConsoleSettings
from services.snapshots import load_prepared, load_snapshot
from tests.builders import adviser
from tests.contract.support import NOON, record_of

TODAY = dt.date(2026, 3, 11)
DEALS = 20
PACKAGE = "Series A"
# A short horizon leaves the two advisers room for fewer than DEALS clients.
SMALL_FIRM_RULES = Rules(horizon_weeks=6)
MAX_ATTEMPTS = 200


def book(store: Store, deal_id: str, start: threading.Barrier) -> tuple[AllocationRecord, int]:
    """Decide → record on the version decided from → on Conflict re-read and decide again."""
    start.wait()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        prepared = load_prepared(store, TODAY)
        decision = allocate(Deal(deal_id, PACKAGE), prepared.snapshot, TODAY)
        based_on = prepared.load_version(decision.adviser_id or "")
        try:
            return store.record_allocation(record_of(decision, PACKAGE, NOON), based_on), attempt
        except Conflict:
            continue
    raise AssertionError(f"{deal_id} never settled in {MAX_ATTEMPTS} attempts")


def assert_twenty_deals_never_overbook(stores: Sequence[Store]) -> None:
    """Book DEALS deals at once, thread ``n`` through ``stores[n % len(stores)]`` (several
    handles on one backing store stand for the console and the webhook in separate processes)."""
    store = stores[0]
    store.replace_advisers([adviser("dana"), adviser("lee")])
    settings = store.get_settings()
    store.save_settings(ConsoleSettings(rules=SMALL_FIRM_RULES), settings.version, "test")
    deal_ids = [f"deal-{n:02d}" for n in range(DEALS)]
    start = threading.Barrier(DEALS)

    def one(n: int) -> tuple[AllocationRecord, int]:
        return book(stores[n % len(stores)], deal_ids[n], start)

    with ThreadPoolExecutor(max_workers=DEALS) as pool:
        outcomes = list(pool.map(one, range(DEALS)))

    stored = store.list_allocations(limit=10 * DEALS)
    assert sorted(r.deal_id for r in stored) == deal_ids
    assert {r.deal_id: r for r in stored} == {r.deal_id: r for r, _ in outcomes}
    booked = [r for r in stored if r.adviser_id is not None]
    assert sorted(p.deal_id for p in store.list_pending()) == sorted(r.deal_id for r in booked)
    assert 0 < len(booked) < DEALS, "the firm should fill up part-way through the deals"

    snapshot, _ = load_snapshot(store, None, TODAY)
    ledger = build_ledger(snapshot, TODAY)
    assert (ledger.starts <= SMALL_FIRM_RULES.weekly_max_new).all()
    assert (ledger.balance >= -1e-9).all(), "a booking pushed an adviser-week below zero"
    # Every turned-away deal was decided on the latest data, so the firm really is full.
    assert allocate(Deal("deal-late", PACKAGE), snapshot, TODAY).adviser_id is None
    assert int(np.sum(ledger.pending_load)) == len(booked)


class ConcurrencyContract:
    def test_twenty_deals_decided_at_once_never_overbook_an_adviser_week(
        self, store: Store
    ) -> None:
        assert_twenty_deals_never_overbook([store])
