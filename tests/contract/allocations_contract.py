"""Recorded decisions: one per deal, never on stale data, pending load kept in step."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from allocation import PendingDeal
from services.errors import AlreadyRecorded, Conflict, NotFound
from services.ports import Store
from tests.builders import d
from tests.contract.support import allocation, at, load_version, record


class AllocationContract:
    def test_a_recorded_decision_comes_back_with_its_pending_load(self, store: Store) -> None:
        decided = allocation("deal-1", "dana", d("2026-03-23"), note="first")
        assert record(store, decided) == decided
        assert store.get_allocation("deal-1") == decided
        assert store.list_pending() == [PendingDeal("deal-1", "dana", d("2026-03-23"))]

    def test_an_unallocated_decision_books_no_load(self, store: Store) -> None:
        record(store, allocation("deal-1", None))
        assert store.get_allocation("deal-1") is not None
        assert store.list_pending() == []

    def test_an_unknown_deal_has_no_allocation(self, store: Store) -> None:
        assert store.get_allocation("deal-unknown") is None

    def test_a_replayed_deal_is_refused_with_the_recorded_decision(self, store: Store) -> None:
        first = record(store, allocation("deal-1", "dana"))
        with pytest.raises(AlreadyRecorded) as refused:
            record(store, allocation("deal-1", "lee", minutes=5))
        assert refused.value.record == first
        assert store.get_allocation("deal-1") == first

    def test_a_booking_decided_on_an_old_picture_of_its_adviser_is_refused(
        self, store: Store
    ) -> None:
        seen = load_version(store, "dana")
        record(store, allocation("deal-0", "dana"))  # someone else booked Dana meanwhile
        with pytest.raises(Conflict, match="deal-1"):
            store.record_allocation(allocation("deal-1", "dana"), based_on=seen)
        assert store.get_allocation("deal-1") is None
        assert [p.deal_id for p in store.list_pending()] == ["deal-0"]

    def test_bookings_for_different_advisers_never_refuse_each_other(self, store: Store) -> None:
        dana, lee = load_version(store, "dana"), load_version(store, "lee")
        store.record_allocation(allocation("deal-1", "dana"), based_on=dana)
        store.record_allocation(allocation("deal-2", "lee"), based_on=lee)
        assert sorted(p.deal_id for p in store.list_pending()) == ["deal-1", "deal-2"]

    def test_a_rerun_decided_on_an_old_picture_of_its_adviser_is_refused(
        self, store: Store
    ) -> None:
        """An unallocated deal re-run onto Dana, while a booking for Dana lands: refused, as a
        new booking would be, and nothing moves; on the news it books."""
        waiting = record(store, allocation("deal-1", None))
        seen = load_version(store, "dana")
        record(store, allocation("deal-0", "dana"))  # someone else booked Dana meanwhile
        rerun = dataclasses.replace(waiting, status="allocated", adviser_id="dana",
                                    week=dt.date(2026, 3, 23))  # fmt: skip
        with pytest.raises(Conflict, match="deal-1"):
            store.update_allocation(rerun, actor="ann@firm.au", reason="re-run", based_on=seen)
        assert store.get_allocation("deal-1") == waiting
        assert [p.deal_id for p in store.list_pending()] == ["deal-0"]

        fresh = load_version(store, "dana")
        moved = store.update_allocation(rerun, actor="ann@firm.au", reason="re-run", based_on=fresh)
        assert moved.adviser_id == "dana"
        assert sorted(p.deal_id for p in store.list_pending()) == ["deal-0", "deal-1"]

    def test_a_checked_reassignment_is_refused_when_its_adviser_was_booked_meanwhile(
        self, store: Store
    ) -> None:
        first = record(store, allocation("deal-1", "dana"))
        seen = load_version(store, "lee")
        record(store, allocation("deal-0", "lee"))  # a booking for Lee lands meanwhile
        to_lee = dataclasses.replace(first, adviser_id="lee")
        with pytest.raises(Conflict, match="deal-1"):
            store.update_allocation(to_lee, actor="ann@firm.au", reason="asked", based_on=seen)
        assert store.get_allocation("deal-1") == first
        assert sorted((p.deal_id, p.adviser_id) for p in store.list_pending()) == [
            ("deal-0", "lee"), ("deal-1", "dana")]  # fmt: skip

        fresh = load_version(store, "lee")
        store.update_allocation(to_lee, actor="ann@firm.au", reason="asked", based_on=fresh)
        assert sorted((p.deal_id, p.adviser_id) for p in store.list_pending()) == [
            ("deal-0", "lee"), ("deal-1", "lee")]  # fmt: skip

    def test_a_checked_move_to_another_week_of_the_same_adviser_moves_the_one_booking(
        self, store: Store
    ) -> None:
        first = record(store, allocation("deal-1", "dana", dt.date(2026, 3, 23)))
        later = dataclasses.replace(first, week=dt.date(2026, 4, 6))
        store.update_allocation(later, actor="system", based_on=load_version(store, "dana"))
        assert store.list_pending() == [PendingDeal("deal-1", "dana", dt.date(2026, 4, 6))]

    def test_a_rerun_onto_an_adviser_with_no_bookings_yet_books(self, store: Store) -> None:
        waiting = record(store, allocation("deal-1", None))
        rerun = dataclasses.replace(waiting, status="allocated", adviser_id="lee",
                                    week=dt.date(2026, 3, 23))  # fmt: skip
        store.update_allocation(rerun, actor="system", based_on=load_version(store, "lee"))
        assert store.list_pending() == [PendingDeal("deal-1", "lee", dt.date(2026, 3, 23))]

    def test_a_change_from_a_stale_copy_is_refused_and_undoes_nothing(self, store: Store) -> None:
        first = record(store, allocation("deal-1", "dana"))
        moved = store.update_allocation(
            dataclasses.replace(first, adviser_id="lee"), actor="ann@firm.au", reason="leave"
        )
        stale = dataclasses.replace(first, status="allocated", writeback_attempts=1)
        with pytest.raises(Conflict, match="deal-1"):
            store.update_allocation(stale, actor="system")
        assert store.get_allocation("deal-1") == moved
        assert store.list_pending() == [PendingDeal("deal-1", "lee", d("2026-03-23"))]

    def test_each_change_gives_the_record_a_new_version(self, store: Store) -> None:
        first = record(store, allocation("deal-1", "dana"))
        second = store.update_allocation(dataclasses.replace(first, note="a"), actor="system")
        assert second.version not in ("", first.version)
        stored = store.get_allocation("deal-1")
        assert stored is not None
        assert stored.version == second.version

    def test_booked_loads_report_only_the_advisers_that_changed(self, store: Store) -> None:
        record(store, allocation("deal-1", "dana"))
        record(store, allocation("deal-2", "lee"))
        everyone = store.booked_loads()
        assert {a.adviser_id for a in everyone.loads} == {"dana", "lee"}
        assert store.booked_loads(everyone.watermark).loads == ()
        moved = store.get_allocation("deal-1")
        assert moved is not None
        store.update_allocation(dataclasses.replace(moved, adviser_id="lee"), actor="ann")
        changed = store.booked_loads(everyone.watermark)
        assert {a.adviser_id: [p.deal_id for p in a.pending] for a in changed.loads} == {
            "dana": [],
            "lee": ["deal-1", "deal-2"],
        }
        assert store.booked_loads(changed.watermark).loads == ()

    def test_allocations_are_listed_newest_first_and_filtered(self, store: Store) -> None:
        record(store, allocation("deal-1", "dana", minutes=0))
        record(store, allocation("deal-2", "lee", minutes=10))
        record(store, allocation("deal-3", None, minutes=20))
        record(store, allocation("deal-4", "dana", minutes=30, status="writeback_pending"))
        ids = [r.deal_id for r in store.list_allocations()]
        assert ids == ["deal-4", "deal-3", "deal-2", "deal-1"]
        assert [r.deal_id for r in store.list_allocations(since=at(10), until=at(30))] == [
            "deal-3",
            "deal-2",
        ]
        assert [r.deal_id for r in store.list_allocations(status="unallocated")] == ["deal-3"]
        assert [r.deal_id for r in store.list_allocations(adviser_id="dana")] == [
            "deal-4",
            "deal-1",
        ]
        assert [r.deal_id for r in store.list_allocations(limit=2)] == ["deal-4", "deal-3"]

    def test_a_reassignment_moves_the_pending_load_and_is_audited(self, store: Store) -> None:
        first = record(store, allocation("deal-1", "dana", d("2026-03-23")))
        moved = dataclasses.replace(first, adviser_id="lee", week=d("2026-03-30"), source="console")
        store.update_allocation(moved, actor="ann@firm.au", reason="Dana is on leave")
        assert store.get_allocation("deal-1") == moved
        assert store.list_pending() == [PendingDeal("deal-1", "lee", d("2026-03-30"))]
        [entry] = store.list_audit("allocations")
        assert (entry.actor, entry.entity_id) == ("ann@firm.au", "deal-1")
        assert entry.before is not None
        assert entry.before["adviser_id"] == "dana"
        assert entry.after is not None
        assert entry.after["adviser_id"] == "lee"
        assert "Dana is on leave" in str(entry.after)

    def test_unallocating_a_deal_removes_its_pending_load(self, store: Store) -> None:
        first = record(store, allocation("deal-1", "dana"))
        store.update_allocation(
            dataclasses.replace(first, status="unallocated", adviser_id=None, week=None),
            actor="ann@firm.au",
        )
        assert store.list_pending() == []

    def test_machine_updates_are_not_audited_as_edits(self, store: Store) -> None:
        first = record(store, allocation("deal-1", "dana", status="writeback_pending"))
        written = dataclasses.replace(first, status="allocated", writeback_attempts=1)
        store.update_allocation(written, actor="webhook")
        assert store.get_allocation("deal-1") == written
        assert store.list_pending() == [PendingDeal("deal-1", "dana", d("2026-03-23"))]
        assert store.list_audit("allocations") == []

    def test_updating_an_unrecorded_deal_is_refused(self, store: Store) -> None:
        with pytest.raises(NotFound, match="deal-9"):
            store.update_allocation(allocation("deal-9"), actor="ann@firm.au")
