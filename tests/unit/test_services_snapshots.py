from __future__ import annotations

import datetime as dt

from allocation import Rules
from services.snapshots import SnapshotCache, load_snapshot, meeting_window
from tests.builders import adviser, clarify
from tests.contract.support import allocation, record
from tests.unit.services_support import TODAY, firm


def test_a_warm_snapshot_costs_the_version_and_one_empty_question() -> None:
    store = firm()
    cache = SnapshotCache()
    cache.get(store, TODAY)
    before = store.reads
    prepared = cache.get(store, TODAY)
    assert store.reads - before == 2  # the reference version; "any bookings since?" — none
    assert [a.id for a in prepared.snapshot.advisers] == ["dana", "eli"]


def test_the_cache_reloads_after_an_edit_of_the_reference_data() -> None:
    store = firm()
    cache = SnapshotCache()
    cache.get(store, TODAY)
    store.replace_advisers([adviser("zoe")])
    prepared = cache.get(store, TODAY)
    assert [a.id for a in prepared.snapshot.advisers] == ["zoe"]
    assert prepared.reference_version == store.data_version()


def test_a_booking_elsewhere_is_folded_in_without_reloading_the_firm() -> None:
    store = firm()
    cache = SnapshotCache()
    first = cache.get(store, TODAY)
    record(store, allocation("deal-1", "dana", TODAY))  # another process books Dana
    before = store.reads
    prepared = cache.get(store, TODAY)
    assert store.reads - before == 2  # the version, and Dana's one changed load
    assert prepared.snapshot.advisers is first.snapshot.advisers  # nothing reloaded
    assert [p.deal_id for p in prepared.snapshot.pending] == ["deal-1"]
    assert prepared.load_version("dana") != first.load_version("dana")
    assert prepared.key != first.key


def test_a_cold_load_reads_the_same_number_of_times_however_long_the_history() -> None:
    small, large = firm(), firm()
    small.replace_meetings(
        [clarify("dana", "2026-03-17")], dt.date(2020, 1, 1), dt.date(2030, 1, 1)
    )
    old = [clarify("dana", f"{2020 + n // 12}-{n % 12 + 1:02d}-10") for n in range(60)]
    large.replace_meetings(old, dt.date(2020, 1, 1), dt.date(2026, 1, 1))
    counts = []
    for store in (small, large):
        before = store.reads
        snapshot, _ = load_snapshot(store, None, TODAY)
        counts.append(store.reads - before)
    assert counts[0] == counts[1]
    assert snapshot.meetings == ()  # history outside the ledger's window is never read


def test_meetings_are_read_from_just_before_the_ledger_to_just_after_the_horizon() -> None:
    start, end = meeting_window(Rules(), TODAY)
    assert start < dt.date(2026, 2, 23) < dt.date(2027, 3, 8) < end
