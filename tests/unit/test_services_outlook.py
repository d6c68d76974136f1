"""``svc.outlook``: demand from the allocation history, and a projection that books deals
exactly as booking them one by one through ``svc.booking.allocate`` does."""

import dataclasses
import datetime as dt

import pytest

from allocation.outlook import Segment
from services.errors import BadRequest
from services.outlook import demand_of, segments_frame, waits_frame
from services.records import UNALLOCATED, AllocationRecord
from tests.builders import adviser, clarify
from tests.unit.services_support import NOW, firm, services


def decided(deal_id: str, package: str, household: str | None, days_ago: float) -> AllocationRecord:
    return AllocationRecord(
        deal_id, UNALLOCATED, None, None, package, household, None,
        NOW - dt.timedelta(days=days_ago), "webhook",
    )  # fmt: skip


SEGMENTS = (Segment("Seed", "Single"), Segment("Seed", "Couple"), Segment("IPO"))


def test_demand_counts_each_segments_deals_in_the_last_4_13_and_52_weeks():
    records = [
        decided("a", "Seed", "Single", 3),
        decided("b", " seed ", "SINGLE", 40),  # names match trimmed, any case
        decided("c", "Seed", "Couple", 200),
        decided("d", "IPO", "Couple", 50),  # IPO is one segment whatever the household
        decided("e", "Seed", "Single", 400),  # older than a year: not counted
        decided("f", "Seed", None, 5),  # no household given: its own "any household" segment
    ]
    demand = demand_of(records, SEGMENTS, NOW)
    assert demand.counts[Segment("Seed", "Single")] == (1, 2, 2)
    assert demand.counts[Segment("Seed", "Couple")] == (0, 0, 1)
    assert demand.counts[Segment("IPO")] == (0, 1, 1)
    assert demand.counts[Segment("Seed")] == (1, 1, 1)
    assert demand.per_week(13)[Segment("Seed", "Single")] == pytest.approx(2 / 13)


def busy_firm():
    store = firm(
        adviser("ann", packages=("Seed", "Series A"), households=("Single",), monthly_limit=6),
        adviser("bo", packages=("Series A",), monthly_limit=4),
        adviser("cy", packages=("Seed",), monthly_limit=8),
    )
    meetings = [clarify("ann", "2026-03-24"), clarify("bo", "2026-03-31")]
    store.replace_meetings(meetings, dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    history = [("Seed", "Single", 6), ("Series A", "Couple", 10), ("Seed", "Couple", 4)]
    k = 0
    for package, household, per_quarter in history:
        for n in range(per_quarter * 2):
            record = decided(f"old-{k}", package, household, 1 + n * 91 / (per_quarter * 2))
            store.record_allocation(record, "0")
            k += 1
    return store


def test_the_projection_agrees_with_booking_the_same_deals_one_by_one_through_allocate():
    store = busy_firm()
    svc, _ = services(store)
    view = svc.outlook.outlook(13)
    bookings = view.outlook.bookings
    assert len(bookings) > 20
    assert {b.projected.segment.package for b in bookings} == {"Seed", "Series A"}
    for booking in bookings:
        outcome = svc.booking.allocate(booking.projected.deal, source="console")
        got = (outcome.record.adviser_id, outcome.record.week)
        assert got == (booking.adviser_id, booking.week), booking.projected.deal.id


def test_the_outlook_names_the_squeezed_segment_and_the_fix_in_its_tables():
    svc, _ = services(busy_firm())
    view = svc.outlook.outlook(13)
    frame = segments_frame(view).set_index("Segment")
    assert "Series A · Couple" in frame.index
    squeezed = frame.loc["Series A · Couple"]
    assert squeezed["Projected deals late"] > 0
    assert squeezed["Advisers to add"] >= 1
    assert frame.loc["Seed · Single", "Deals a week (last 13 weeks)"] == pytest.approx(
        12 / 13, 0.01
    )
    waits = waits_frame(view)
    assert set(waits["Segment"]) >= {"Series A · Couple", "Seed · Single"}
    assert waits["Over target"].any()


def test_the_target_wait_is_the_stored_setting():
    store = busy_firm()
    held = store.get_settings()
    store.save_settings(
        dataclasses.replace(held.value, outlook_target_weeks=10), held.version, actor="ann"
    )
    svc, _ = services(store)
    assert svc.outlook.outlook(13).outlook.target_weeks == 10


def test_demand_over_an_unknown_window_is_refused():
    svc, _ = services()
    with pytest.raises(BadRequest, match="4, 13, 52"):
        svc.outlook.outlook(7)


@pytest.mark.parametrize(
    ("count", "weeks", "words"),
    [(0, 4, "1 to 200 deals"), (201, 4, "1 to 200 deals"), (5, 0, "1 to 26 weeks")],
)
def test_a_batch_out_of_bounds_is_refused_in_words(count, weeks, words):
    svc, _ = services()
    with pytest.raises(BadRequest, match=words):
        svc.outlook.batch("Series A", None, count, weeks)


def test_a_batch_agrees_with_booking_its_deals_one_by_one():
    svc, _ = services(busy_firm())
    batch = svc.outlook.batch("Series A", "Couple", 12, 3)
    assert batch.after is None
    for booking in batch.before:
        outcome = svc.booking.allocate(booking.projected.deal, source="console")
        assert (outcome.record.adviser_id, outcome.record.week) == (
            booking.adviser_id,
            booking.week,
        )


def test_the_demo_firm_shows_a_realistic_squeeze_in_one_segment():
    from integrations.demo_data import seed_demo
    from tests.fakes import InMemoryStore

    store = InMemoryStore(clock=lambda: NOW)
    seed_demo(store, dt.date(2026, 3, 11), NOW)
    svc, _ = services(store)
    frame = segments_frame(svc.outlook.outlook(13)).set_index("Segment")
    squeezed = frame.loc["Series C · Couple"]
    assert squeezed["Projected deals late"] > 0
    assert squeezed["Wait first over target"] is not None
    assert squeezed["Advisers to add"] == 1
    # while the segments most advisers offer stay within the target
    assert frame.loc["Series A · Couple", "Projected deals late"] == 0


def test_the_day_kept_for_the_trend_holds_each_segments_figures_once_a_day():
    store = busy_firm()
    svc, _ = services(store)
    kept = svc.outlook.record_day()
    svc.outlook.record_day()  # a second run the same day replaces the first
    trend = svc.outlook.trend()
    assert len(trend) == len(kept) == len(svc.outlook.outlook(13).outlook.segments)
    row = trend.set_index("Segment").loc["Series A · Couple"]
    couple = next(d for d in kept if d.segment == "Series A · Couple")
    assert row["Places within 8 weeks"] == couple.places_8_weeks
    assert row["Projected deals late"] > 0
