"""The data version: it moves exactly when a decision's inputs move.

Cached snapshots reload, and bookings decided on older data are refused, only when the
version moves; so every write a decision depends on must move it, and bookkeeping (audit,
sync runs, tokens, notes, write-back outcomes) must not, or every write-back would force a
reload and make concurrent bookings refuse each other for nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from allocation import Leave, Meeting, PendingDeal
from services.ports import Store
from services.records import AllocationRecord, AuditEntry, ConsoleSettings, EditBatch
from tests.builders import adviser, d
from tests.contract.edits_contract import holiday, limit
from tests.contract.support import UTC, allocation, at, load_version, record

Write = Callable[[Store], object]


def _decision_input_writes() -> list[tuple[str, Write]]:
    meeting = Meeting("m1", "dana", dt.datetime(2026, 3, 10, 1, tzinfo=UTC), "clarify")
    return [
        ("advisers", lambda s: s.replace_advisers([adviser("dana")])),
        ("meetings", lambda s: s.replace_meetings([meeting], d("2026-03-01"), d("2026-04-01"))),
        ("synced leave", lambda s: s.replace_synced_leave(
            [Leave("eh-1", "dana", d("2026-03-02"), d("2026-03-03"))], d("2026-01-01"))),
        ("manual leave", lambda s: s.add_manual_leave(
            Leave("man-1", "dana", d("2026-03-09"), d("2026-03-09")))),
        ("open deals", lambda s: s.replace_open_deals([PendingDeal("x", "dana", d("2026-03-16"))])),
        ("dropped pending", lambda s: s.drop_pending(["x"])),
        ("closures", lambda s: s.save_closures(EditBatch(added=(holiday("c1"),)), "ann")),
        ("overrides", lambda s: s.save_overrides(EditBatch(added=(limit("o1"),)), "ann")),
        ("settings", lambda s: s.save_settings(
            ConsoleSettings(stale_after_hours=5), s.get_settings().version, "ann")),
    ]  # fmt: skip


def _changed(store: Store, **changes: object) -> AllocationRecord:
    return dataclasses.replace(_stored(store, "deal-1"), **changes)  # type: ignore[arg-type]


def _booking_writes() -> list[tuple[str, str, Write]]:
    """Each write of a booked load, and the adviser whose load it moves."""
    return [
        ("booking", "dana", lambda s: record(s, allocation("deal-1"))),
        ("reassignment", "lee", lambda s: s.update_allocation(
            _changed(s, adviser_id="lee"), "ann")),
        ("moved week", "lee", lambda s: s.update_allocation(
            _changed(s, week=d("2026-03-30")), "webhook")),
        ("unallocation", "lee", lambda s: s.update_allocation(
            _changed(s, adviser_id=None, week=None, status="unallocated"), "ann")),
        ("allocated again", "dana", lambda s: s.update_allocation(
            _changed(s, adviser_id="dana", week=d("2026-03-23"), status="allocated"), "ann")),
    ]  # fmt: skip


def _stored(store: Store, deal_id: str) -> AllocationRecord:
    found = store.get_allocation(deal_id)
    assert found is not None
    return found


def _bookkeeping_writes() -> list[tuple[str, Write]]:
    entry = AuditEntry(at(0), "ann", "export.test", "exports", "e1")
    return [
        ("audit entry", lambda s: s.append_audit(entry)),
        ("sync start", lambda s: s.start_sync("leave", "system", at(0))),
        ("sync finish", lambda s: s.finish_sync(dataclasses.replace(
            s.list_sync_runs("leave")[0], status="ok", finished_at=at(1), added=3))),
        ("token", lambda s: s.save_token("employment_hero", {"access_token": "a1"})),
        ("override note", lambda s: s.set_override_note("o1", "ramp-up")),
        ("unallocated decision", lambda s: record(s, allocation("deal-9", None))),
        ("failed write-back", lambda s: s.update_allocation(dataclasses.replace(
            _stored(s, "deal-1"), writeback_attempts=1, last_error="HubSpot 503"), "system")),
        ("write-back done", lambda s: s.update_allocation(dataclasses.replace(
            _stored(s, "deal-1"), status="allocated", writeback_attempts=2, last_error=None),
            "webhook")),
        ("a person's note", lambda s: s.update_allocation(dataclasses.replace(
            _stored(s, "deal-1"), note="client asked for Dana"), "ann@firm.au", "noted")),
    ]  # fmt: skip


class DataVersionContract:
    def test_every_write_a_decision_depends_on_changes_the_data_version(self, store: Store) -> None:
        seen = [store.data_version()]
        for name, write in _decision_input_writes():
            write(store)
            now = store.data_version()
            assert now not in seen, f"{name} did not change the data version"
            seen.append(now)

    def test_every_booking_change_moves_its_advisers_load_and_nothing_else(
        self, store: Store
    ) -> None:
        reference = store.data_version()
        watermark = store.booked_loads().watermark
        for name, adviser_id, write in _booking_writes():
            before = load_version(store, adviser_id)
            write(store)
            changed = store.booked_loads(watermark)
            assert adviser_id in {a.adviser_id for a in changed.loads}, f"{name}: not reported"
            assert load_version(store, adviser_id) != before, f"{name}: load version unmoved"
            assert store.data_version() == reference, f"{name} moved the reference version"
            watermark = changed.watermark

    def test_bookkeeping_writes_leave_the_versions_and_a_booking_on_them_stands(
        self, store: Store
    ) -> None:
        store.replace_advisers([adviser("dana")])
        record(store, allocation("deal-1", "dana", status="writeback_pending"))
        decided_on, dana = store.data_version(), load_version(store, "dana")
        for name, write in _bookkeeping_writes():
            write(store)
            assert store.data_version() == decided_on, f"{name} changed the data version"
            assert load_version(store, "dana") == dana, f"{name} changed Dana's load version"
        booked = store.record_allocation(allocation("deal-2", "dana"), based_on=dana)
        assert store.get_allocation("deal-2") == booked
        assert sorted(p.deal_id for p in store.list_pending()) == ["deal-1", "deal-2"]
        assert store.get_allocation("deal-1") == _stored(store, "deal-1")
        assert _stored(store, "deal-1").status == "allocated"

    def test_an_unallocated_decision_clearing_a_pending_load_changes_the_version(
        self, store: Store
    ) -> None:
        store.replace_open_deals([PendingDeal("deal-3", "dana", d("2026-03-16"))])
        before = store.data_version()
        record(store, allocation("deal-3", None))
        assert store.list_pending() == []
        assert store.data_version() != before

    def test_a_write_back_outcome_keeps_the_pending_load_as_booked(self, store: Store) -> None:
        first = record(store, allocation("deal-1", "dana", status="writeback_pending"))
        store.update_allocation(dataclasses.replace(first, status="allocated"), "webhook")
        # A later sync of open deals must still leave our booking's load alone.
        store.replace_open_deals([PendingDeal("deal-2", "lee", d("2026-03-16"))])
        assert sorted(p.deal_id for p in store.list_pending()) == ["deal-1", "deal-2"]

    def test_the_data_version_stays_put_while_nothing_is_written(self, store: Store) -> None:
        store.replace_advisers([adviser("dana")])
        first = store.data_version()
        store.list_advisers()
        store.list_closures()
        assert store.data_version() == first
