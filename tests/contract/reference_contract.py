"""Reference data: what the syncs replace, and what they must leave alone."""

from __future__ import annotations

import datetime as dt

from allocation import Adviser, Leave, Meeting, PendingDeal
from services.ports import Store
from services.records import ChangeCounts
from tests.builders import SYDNEY, adviser, d
from tests.contract.support import UTC, allocation, by_id, record


def meeting(
    mid: str, when: dt.datetime, adviser_id: str = "dana", kind: str = "clarify"
) -> Meeting:
    return Meeting(mid, adviser_id, when, kind, deal_id=f"deal-{mid}")


class ReferenceDataContract:
    def test_a_fresh_store_is_empty_and_answers(self, store: Store) -> None:
        assert store.is_empty()
        assert store.ping()
        assert store.list_advisers() == []

    def test_advisers_come_back_exactly_as_synced(self, store: Store) -> None:
        dana = adviser(
            "dana",
            packages=("Series A", "Seed"),
            households=("Couple",),
            monthly_limit=4.5,
            start_date=d("2025-01-06"),
            end_date=d("2027-01-01"),
            region="NSW",
            pod_type="Solo Adviser",
        )
        lee = Adviser("lee", "Lee", "lee@example.com", taking_on_clients=False)
        assert store.replace_advisers([dana, lee]) == ChangeCounts(added=2)
        assert by_id(store.list_advisers()) == {"dana": dana, "lee": lee}
        assert not store.is_empty()

    def test_replacing_advisers_counts_added_changed_and_removed(self, store: Store) -> None:
        store.replace_advisers([adviser("dana"), adviser("lee"), adviser("kim")])
        counts = store.replace_advisers(
            [adviser("dana"), adviser("lee", region="VIC"), adviser("ash")]
        )
        assert counts == ChangeCounts(added=1, updated=1, removed=1)
        assert set(by_id(store.list_advisers())) == {"dana", "lee", "ash"}

    def test_meetings_are_listed_by_their_utc_start_date(self, store: Store) -> None:
        # 09:30 Monday in Sydney is still Sunday in UTC.
        monday_morning = meeting("m1", dt.datetime(2026, 3, 23, 9, 30, tzinfo=SYDNEY))
        later = meeting("m2", dt.datetime(2026, 3, 24, 10, 0, tzinfo=UTC), kind="kickoff")
        store.replace_meetings([monday_morning, later], d("2026-03-01"), d("2026-04-01"))
        assert store.list_meetings(d("2026-03-22"), d("2026-03-23")) == [monday_morning]
        assert store.list_meetings(d("2026-03-23"), d("2026-03-24")) == []
        assert by_id(store.list_meetings(d("2026-03-01"), d("2026-04-01"))) == {
            "m1": monday_morning,
            "m2": later,
        }

    def test_replacing_a_window_of_meetings_leaves_other_weeks_alone(self, store: Store) -> None:
        march = meeting("m1", dt.datetime(2026, 3, 10, 1, tzinfo=UTC))
        april = meeting("m2", dt.datetime(2026, 4, 10, 1, tzinfo=UTC))
        moved = meeting("m3", dt.datetime(2026, 3, 12, 1, tzinfo=UTC))
        store.replace_meetings([march, april, moved], d("2026-03-01"), d("2026-05-01"))
        moved_again = meeting("m3", dt.datetime(2026, 3, 13, 1, tzinfo=UTC))
        fresh = meeting("m4", dt.datetime(2026, 3, 14, 1, tzinfo=UTC))
        counts = store.replace_meetings([moved_again, fresh], d("2026-03-01"), d("2026-04-01"))
        assert counts == ChangeCounts(added=1, updated=1, removed=1)
        listed = by_id(store.list_meetings(d("2026-01-01"), d("2027-01-01")))
        assert listed == {"m2": april, "m3": moved_again, "m4": fresh}

    def test_synced_leave_is_replaced_but_manual_leave_stays(self, store: Store) -> None:
        manual = Leave("manual-1", "dana", d("2026-03-02"), d("2026-03-06"), 0.5)
        store.add_manual_leave(manual)
        old = Leave("eh-old", "dana", d("2026-01-05"), d("2026-01-09"))
        cancelled = Leave("eh-1", "dana", d("2026-03-16"), d("2026-03-20"))
        kept = Leave("eh-2", "lee", d("2026-03-10"), d("2026-03-12"))
        assert store.replace_synced_leave([old, cancelled, kept], d("2026-01-01")) == (
            ChangeCounts(added=3)
        )
        shortened = Leave("eh-2", "lee", d("2026-03-10"), d("2026-03-11"))
        counts = store.replace_synced_leave([shortened], d("2026-03-01"))
        assert counts == ChangeCounts(updated=1, removed=1)
        # Leave that ended before ``since`` is history the sync no longer asks about.
        assert by_id(store.list_leave()) == {"manual-1": manual, "eh-old": old, "eh-2": shortened}

    def test_open_deals_are_replaced_but_our_bookings_stay(self, store: Store) -> None:
        store.replace_advisers([adviser("dana")])
        booked = record(store, allocation("deal-booked", "dana", d("2026-03-23")))
        synced = [
            PendingDeal("deal-1", "dana", d("2026-03-16")),
            PendingDeal("deal-2", "lee", d("2026-03-23")),
        ]
        assert store.replace_open_deals(synced) == ChangeCounts(added=2)
        moved = PendingDeal("deal-2", "lee", d("2026-03-30"))
        assert store.replace_open_deals([moved]) == ChangeCounts(updated=1, removed=1)
        assert by_id(store.list_pending(), "deal_id") == {
            "deal-booked": PendingDeal("deal-booked", "dana", booked.week or d("2026-03-23")),
            "deal-2": moved,
        }

    def test_dropping_pending_deals_forgets_those_whose_clarify_is_booked(
        self, store: Store
    ) -> None:
        store.replace_open_deals(
            [
                PendingDeal("deal-1", "dana", d("2026-03-16")),
                PendingDeal("deal-2", "dana", d("2026-03-23")),
            ]
        )
        assert store.drop_pending(["deal-1", "deal-unknown"]) == 1
        assert [p.deal_id for p in store.list_pending()] == ["deal-2"]

    def test_reads_are_counted(self, store: Store) -> None:
        before = store.reads
        store.list_advisers()
        store.list_closures()
        assert store.reads >= before + 2
