from __future__ import annotations

import datetime as dt

from allocation import Rules
from services.snapshots import SnapshotCache, load_snapshot, meeting_window
from tests.builders import adviser, clarify
from tests.unit.services_support import TODAY, firm


def test_a_warm_snapshot_costs_one_store_read() -> None:
    store = firm()
    cache = SnapshotCache()
    cache.get(store, TODAY)
    before = store.reads
    snapshot, _ = cache.get(store, TODAY)
    assert store.reads - before == 1
    assert [a.id for a in snapshot.advisers] == ["dana", "eli"]


def test_the_cache_reloads_after_any_write() -> None:
    store = firm()
    cache = SnapshotCache()
    cache.get(store, TODAY)
    store.replace_advisers([adviser("zoe")])
    snapshot, version = cache.get(store, TODAY)
    assert [a.id for a in snapshot.advisers] == ["zoe"]
    assert version == store.data_version()


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
