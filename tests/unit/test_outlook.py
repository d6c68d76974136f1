"""The capacity outlook books hypothetical deals exactly as the rules would, one after another."""

import dataclasses
import datetime as dt

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocation import Deal, PendingDeal, Snapshot, allocate, build_ledger, choose
from allocation.outlook import (
    PLACES_WEEKS,
    Segment,
    outlook,
    places_per_adviser,
    projected_deals,
    segments_of,
    simulate,
)
from allocation.simulation import BookingSimulation
from tests.builders import adviser, clarify, d, snapshot
from tests.unit.firm_strategies import TODAY, TOLERANCE, assert_same_ledger, deals, firms

checks = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEGMENTS = (Segment("Series A"), Segment("Series A", "Couple"), Segment("Seed", "Single"))


@checks
@given(firms(), st.lists(deals(), min_size=1, max_size=8))
def test_simulated_bookings_equal_rebuilding_the_ledger_after_each_booking(snap, wanted):
    sim = BookingSimulation(snap, build_ledger(snap, TODAY))
    rebuilt = snap
    for k, deal in enumerate(wanted):
        choice = sim.choose(deal)
        decision = allocate(deal, rebuilt, TODAY)
        got = (choice.adviser_id, choice.week) if choice else (None, None)
        assert got == (decision.adviser_id, decision.week)
        if choice is None:
            continue
        assert abs(choice.utilisation - decision.candidates[0].utilisation) < TOLERANCE
        sim.book(choice.row, choice.week_index)
        booking = PendingDeal(f"hypothetical-{k}", choice.adviser_id, choice.week)
        rebuilt = Snapshot(
            rebuilt.advisers, rebuilt.meetings, rebuilt.leave, rebuilt.closures,
            rebuilt.overrides, (*rebuilt.pending, booking), rebuilt.rules,
        )  # fmt: skip
        assert_same_ledger(sim.to_ledger(), build_ledger(rebuilt, TODAY))


@checks
@given(firms(), st.sampled_from(SEGMENTS))
def test_places_equal_booking_a_segments_deals_one_by_one_until_past_each_limit(snap, segment):
    counts, soonest = places_per_adviser(snap, TODAY)
    ledger = build_ledger(snap, TODAY)
    limits = [min(ledger.current_index + w, len(ledger.weeks)) for w in PLACES_WEEKS]
    deal = segment.deal("next")
    booked: list[int] = []
    first = choose(deal, snap, ledger)
    while (choice := choose(deal, snap, ledger)) is not None and choice.week_index < max(limits):
        booked.append(choice.week_index)
        ledger = ledger.with_load(choice.row, choice.week_index)
    want = tuple(sum(c < limit for c in booked) for limit in limits)
    eligible = [i for i, a in enumerate(snap.advisers) if _offers(a, deal, snap)]
    assert tuple(counts[eligible].sum(axis=0)) == want
    got_soonest = [c for c in soonest[eligible] if c >= 0]
    assert (min(got_soonest) if got_soonest else None) == (first.week_index if first else None)


def _offers(a, deal, snap) -> bool:
    from allocation import exclusion_reason

    return exclusion_reason(a, deal, snap.rules) is None


@checks
@given(firms(), st.lists(st.sampled_from([0.0, 0.3, 1.0, 2.5]), min_size=3, max_size=3))
def test_the_projection_equals_allocating_each_projected_deal_on_the_firm_with_the_ones_before(
    snap, rates
):
    demand = dict(zip(SEGMENTS, rates, strict=True))
    rules = snap.rules
    deals_ = projected_deals(
        demand, d("2026-03-09"), rules.buffer_weeks, rules.agreement_lag_weeks, 8
    )
    bookings = simulate(snap, TODAY, deals_)
    rebuilt = snap
    for booking in bookings:
        decision = allocate(booking.projected.deal, rebuilt, TODAY)
        assert (booking.adviser_id, booking.week) == (decision.adviser_id, decision.week)
        if decision.adviser_id is not None:
            added = PendingDeal(booking.projected.deal.id, decision.adviser_id, decision.week)
            rebuilt = dataclasses.replace(rebuilt, pending=(*rebuilt.pending, added))


def test_projected_deals_are_interleaved_by_arrival_and_start_no_sooner_than_the_buffer():
    demand = {Segment("Seed"): 1.0, Segment("Series A"): 0.5}
    deals_ = projected_deals(demand, d("2026-03-09"), 2, 1, 4)
    # Seed at weeks 0.5, 1.5, 2.5, 3.5; Series A at 1.0 and 3.0
    assert [(p.segment.package, p.arrives) for p in deals_] == [
        ("Seed", d("2026-03-09")),
        ("Series A", d("2026-03-16")),
        ("Seed", d("2026-03-16")),
        ("Seed", d("2026-03-23")),
        ("Series A", d("2026-03-30")),
        ("Seed", d("2026-03-30")),
    ]
    # a deal expected in week a is signed so that it starts no sooner than a + buffer
    ledger = build_ledger(snapshot(adviser()), TODAY)
    for p in deals_:
        first = ledger.weeks[ledger.first_allowed_index(p.deal.agreement_start)]
        assert first == max(p.arrives, d("2026-03-09")) + dt.timedelta(weeks=2)


def test_a_single_busy_adviser_breaches_the_target_and_one_more_like_her_fixes_it():
    # Dana takes 6 a month (1.38 a week); 1 deal a week of Series A keeps her busy, 2 swamp her.
    snap = snapshot(adviser("dana", monthly_limit=6), meetings=[clarify("dana", "2026-03-24")])
    result = outlook(snap, TODAY, {Segment("Series A"): 2.0}, target_weeks=4)
    (seg,) = result.segments
    assert seg.segment == Segment("Series A")
    assert seg.advisers == 1
    assert seg.soonest_week == d("2026-03-23")
    assert seg.places[0] <= seg.places[1] <= seg.places[2] <= seg.places[3]
    assert seg.breach_week is not None
    assert seg.late_deals > 0
    assert seg.extra_advisers is not None
    assert seg.extra_advisers >= 1
    assert seg.extra_monthly == seg.extra_advisers * 6
    assert result.bookings[0].wait_weeks == 2  # the first deal waits only the buffer
    # Hiring that many advisers like Dana really does keep every wait within the target.
    hires = [adviser(f"hire{k}", monthly_limit=6) for k in range(seg.extra_advisers)]
    fixed = snapshot(*snap.advisers, *hires, meetings=snap.meetings)
    (after,) = outlook(fixed, TODAY, {Segment("Series A"): 2.0}, target_weeks=4).segments
    assert after.breach_week is None
    assert after.late_deals == 0


def test_enough_capacity_means_no_breach_and_no_fix():
    people = [adviser(f"a{k}", monthly_limit=8) for k in range(6)]
    result = outlook(snapshot(*people), TODAY, {Segment("Series A"): 1.0}, target_weeks=4)
    (seg,) = result.segments
    assert seg.breach_week is None
    assert seg.late_deals == 0
    assert seg.extra_advisers == 0
    assert all(w.worst_wait is not None and w.worst_wait <= 4 for w in seg.weeks)


def test_segments_compete_for_shared_advisers():
    # One adviser offers both packages: Seed demand alone leaves Series A waiting longer.
    snap = snapshot(adviser("dana", packages=("Series A", "Seed"), monthly_limit=6))
    alone = outlook(snap, TODAY, {Segment("Series A"): 0.5})
    shared = outlook(snap, TODAY, {Segment("Series A"): 0.5, Segment("Seed"): 1.5})
    late = {s.segment.package: s.late_deals for s in shared.segments}
    alone_late = {s.segment.package: s.late_deals for s in alone.segments}
    assert late["Series A"] > alone_late["Series A"]


def test_segments_are_the_package_and_household_pairs_someone_taking_clients_offers():
    snap = snapshot(
        adviser("a", packages=("Seed",), households=("Single",)),
        adviser("b", packages=("Series A",)),
        adviser("c", packages=("IPO",), taking_on_clients=False),
    )
    assert segments_of(snap, ["Single", "Couple"]) == (
        Segment("Seed", "Single"),
        Segment("Series A", "Single"),
        Segment("Series A", "Couple"),
    )
    assert segments_of(snap) == (Segment("Seed"), Segment("Series A"))


def test_demand_for_a_segment_nobody_offers_is_shown_with_no_places_and_never_placed():
    result = outlook(snapshot(adviser()), TODAY, {Segment("IPO"): 1.0})
    ipo = next(s for s in result.segments if s.segment.package == "IPO")
    assert ipo.advisers == 0
    assert ipo.soonest_week is None
    assert ipo.places == (0, 0, 0, 0)
    assert ipo.weeks
    assert all(w.worst_wait is None for w in ipo.weeks)


def test_hypothetical_hires_are_only_offered_their_segment():
    snap = snapshot(adviser())
    sim = BookingSimulation(snap, build_ledger(snap, TODAY))
    hire = snapshot(adviser("hire", packages=("Seed",)))
    sim.add_rows(build_ledger(hire, TODAY), "Seed", None)
    assert sim.choose(Deal("x", "Series A")).adviser_id == "dana"
    assert sim.choose(Deal("y", "Seed")).adviser_id == "hire"
    assert np.array_equal(sim.eligible(Deal("z", "Seed", "Couple")), [False, True])
