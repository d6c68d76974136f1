"""Bookings folded in row by row equal a rebuild from scratch (``with_pending``, ``with_load``)."""

import dataclasses
import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocation import (
    Deal,
    MeetingTable,
    PendingDeal,
    Snapshot,
    allocate,
    build_ledger,
    choose,
)
from tests.builders import adviser, clarify, d, pending, snapshot
from tests.unit.firm_strategies import (
    DEAL_IDS,
    TODAY,
    TOLERANCE,
    assert_same_ledger,
    day,
    deals,
    firms,
)

checks = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LATER = TODAY + dt.timedelta(weeks=3)  # a second cached ledger, for another current week


def from_scratch(snap: Snapshot) -> Snapshot:
    """The same records in a new snapshot: nothing carried over from earlier work."""
    return Snapshot(
        snap.advisers,
        snap.meetings,
        snap.leave,
        snap.closures,
        snap.overrides,
        snap.pending,
        snap.rules,
    )


@st.composite
def bookings(draw: st.DrawFn, snap: Snapshot) -> list[tuple[list[PendingDeal], list[str]]]:
    """Steps of (added, removed): new bookings, unbookings and moves, in any order."""
    ids = [a.id for a in snap.advisers] + ["ghost"]
    steps = []
    known = [p.deal_id for p in snap.pending]
    for k in range(draw(st.integers(min_value=1, max_value=8))):
        removed = draw(st.lists(st.sampled_from([*known, "never-booked"]), max_size=2))
        added = [
            PendingDeal(
                # Sometimes a deal a Clarify already carries: it must not count.
                draw(st.sampled_from([f"b{k}-{j}", *DEAL_IDS])),
                draw(st.sampled_from(ids)),
                day(draw(st.integers(min_value=-40, max_value=420))),
            )
            for j in range(draw(st.integers(min_value=0, max_value=2)))
        ]
        known += [p.deal_id for p in added]
        steps.append((added, removed))
    return steps


@checks
@given(firms(), st.data())
def test_folding_bookings_in_equals_building_the_ledger_from_scratch(snap, data):
    if data.draw(st.booleans()):
        snap = dataclasses.replace(snap, meetings=MeetingTable.from_meetings(snap.meetings))
    deal = data.draw(deals())
    build_ledger(snap, TODAY)
    build_ledger(snap, LATER)
    expected = list(snap.pending)
    for added, removed in data.draw(bookings(snap)):
        snap = snap.with_pending(added=added, removed=removed)
        expected = [p for p in expected if p.deal_id not in removed] + added
        assert list(snap.pending) == expected
        fresh = from_scratch(snap)
        for today in (TODAY, LATER):
            assert_same_ledger(build_ledger(snap, today), build_ledger(fresh, today))
        assert allocate(deal, snap, TODAY) == allocate(deal, fresh, TODAY)


@checks
@given(firms(), st.lists(deals(), min_size=1, max_size=6))
def test_booking_deals_one_after_another_incrementally_equals_rebuilding_after_each(snap, wanted):
    ledger = build_ledger(snap, TODAY)
    rebuilt = snap
    for k, deal in enumerate(wanted):
        choice = choose(deal, snap, ledger)
        decision = allocate(deal, rebuilt, TODAY)
        got = (choice.adviser_id, choice.week) if choice else (None, None)
        assert got == (decision.adviser_id, decision.week)
        if choice is None:
            continue
        assert abs(choice.utilisation - decision.candidates[0].utilisation) < TOLERANCE
        ledger = ledger.with_load(choice.row, choice.week_index)
        booking = PendingDeal(f"hypothetical-{k}", choice.adviser_id, choice.week)
        rebuilt = dataclasses.replace(rebuilt, pending=(*rebuilt.pending, booking))
        assert_same_ledger(ledger, build_ledger(rebuilt, TODAY))


def test_a_booking_takes_the_next_deal_to_another_adviser_once_the_first_is_full():
    snap = snapshot(adviser("ann", monthly_limit=6), adviser("bo", monthly_limit=6))
    ledger = build_ledger(snap, TODAY)
    deal = Deal("x", "Series A")
    first = choose(deal, snap, ledger)
    assert (first.adviser_id, first.week) == ("ann", d("2026-03-23"))  # by name
    ledger = ledger.with_load(first.row, first.week_index)
    second = choose(deal, snap, ledger)
    assert (second.adviser_id, second.week) == ("bo", d("2026-03-23"))  # ann is now busier


def test_load_for_a_past_week_counts_in_the_current_week_and_beyond_the_horizon_nowhere():
    ledger = build_ledger(snapshot(adviser()), TODAY)
    past = ledger.with_load(0, 0)
    assert past.pending_load[0, ledger.current_index] == 1
    assert past.pending_load.sum() == 1
    assert ledger.with_load(0, len(ledger.weeks)) is ledger


def test_negative_load_undoes_a_booking():
    snap = snapshot(adviser(), pending=[pending("p1", "dana", "2026-03-30")])
    ledger = build_ledger(snap, TODAY)
    undone = ledger.with_load(0, ledger.weeks.index(d("2026-03-30")), -1)
    assert_same_ledger(undone, build_ledger(snapshot(adviser()), TODAY))


def test_moving_a_booking_to_another_adviser_moves_its_load():
    snap = snapshot(adviser("ann"), adviser("bo"), pending=[pending("p1", "ann", "2026-03-30")])
    build_ledger(snap, TODAY)
    moved = snap.with_pending(added=[pending("p1", "bo", "2026-04-06")], removed="p1")
    frame = build_ledger(moved, TODAY).to_frame().set_index(["adviser_id", "week"])
    assert frame.loc[("ann", d("2026-03-30")), "load"] == 0
    assert frame.loc[("bo", d("2026-04-06")), "load"] == 1


def test_folding_leaves_the_snapshot_it_started_from_as_it_was():
    snap = snapshot(adviser(), meetings=[clarify("dana", "2026-03-24")])
    before = build_ledger(snap, TODAY)
    balance = before.balance.copy()
    snap.with_pending(added=[pending("p1", "dana", "2026-03-30")])
    assert snap.pending == ()
    assert build_ledger(snap, TODAY) is before
    assert np.array_equal(before.balance, balance)


def test_a_snapshot_that_never_built_a_ledger_can_fold_bookings_too():
    snap = snapshot(adviser()).with_pending(added=[pending("p1", "dana", "2026-03-30")])
    assert build_ledger(snap, TODAY).pending_load.sum() == 1


def test_ledgers_share_arrays_so_their_arrays_are_read_only():
    ledger = build_ledger(snapshot(adviser()), TODAY)
    with pytest.raises(ValueError, match="read-only"):
        ledger.balance[0, 0] = 5.0


def test_a_firm_with_no_advisers_gives_nobody_every_way():
    empty = Snapshot(()).with_pending(added=[pending("p1", "ghost", "2026-03-30")])
    deal = Deal("x", "Series A")
    assert allocate(deal, empty, TODAY).candidates == ()
    assert choose(deal, empty, build_ledger(empty, TODAY)) is None
