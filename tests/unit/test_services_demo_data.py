from __future__ import annotations

from collections import Counter

from allocation import Deal, allocate
from integrations.demo_data import seed_demo
from services.snapshots import load_snapshot
from tests.fakes import InMemoryStore
from tests.unit.services_support import NOW, TODAY


def seeded() -> InMemoryStore:
    store = InMemoryStore(clock=lambda: NOW)
    seed_demo(store, TODAY, NOW)
    return store


def test_demo_data_is_the_same_every_time_for_the_same_day() -> None:
    one, two = seeded(), seeded()
    assert one.list_advisers() == two.list_advisers()
    assert one.list_meetings(
        TODAY.replace(year=2025), TODAY.replace(year=2027)
    ) == two.list_meetings(TODAY.replace(year=2025), TODAY.replace(year=2027))
    assert one.list_allocations() == two.list_allocations()
    assert [c.value for c in one.list_closures()] == [c.value for c in two.list_closures()]


def test_the_demo_firm_looks_like_a_real_one() -> None:
    store = seeded()
    advisers = store.list_advisers()
    assert 20 <= len(advisers) <= 30
    assert {a.region for a in advisers} == {"NSW", "VIC", "QLD", "WA", None}
    # A couple synced from HubSpot with no region yet, as a real firm has: the warnings show.
    assert sum(a.region is None for a in advisers) == 2
    assert sum(not a.taking_on_clients for a in advisers) in (1, 2)
    assert any(a.start_date and a.start_date > TODAY for a in advisers)
    assert any(a.end_date for a in advisers)
    assert any(lv.day_fraction == 0.5 for lv in store.list_leave())
    closures = [c.value for c in store.list_closures()]
    assert any(c.is_global for c in closures)
    assert any(c.regions == frozenset({"VIC"}) for c in closures)
    statuses = Counter(r.status for r in store.list_allocations())
    assert statuses["allocated"] > 20
    assert statuses["unallocated"] >= 1
    assert statuses["writeback_pending"] >= 1
    assert store.list_pending()


def test_the_core_can_allocate_on_the_demo_firm() -> None:
    snapshot, _ = load_snapshot(seeded(), None, TODAY)
    decision = allocate(Deal("new", "Series A", "Couple"), snapshot, TODAY)
    assert decision.adviser_id is not None
    assert decision.week is not None
    assert decision.week > TODAY
    assert allocate(Deal("ipo", "IPO", "Couple"), snapshot, TODAY).adviser_id is None
