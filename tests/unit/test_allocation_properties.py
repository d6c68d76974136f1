"""Properties that must hold for any firm, checked on generated data with hypothesis."""

import dataclasses
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocation import (
    Closure,
    Deal,
    Leave,
    Meeting,
    PendingDeal,
    Rules,
    Snapshot,
    allocate,
    build_ledger,
)
from tests.builders import SYDNEY, adviser, d

TODAY = d("2026-03-11")
TOL = 1e-9
day_offsets = st.integers(min_value=-14, max_value=120)


@st.composite
def firms(draw) -> Snapshot:
    n = draw(st.integers(min_value=1, max_value=5))
    ids = [f"a{i}" for i in range(n)]
    advisers = [
        adviser(
            i,
            monthly_limit=draw(st.sampled_from([None, 2, 4, 6, 8])),
            taking_on_clients=draw(st.booleans()) or k == 0,
        )
        for k, i in enumerate(ids)
    ]
    meetings = [
        Meeting(
            f"m{k}",
            draw(st.sampled_from(ids)),
            dt.datetime.combine(TODAY + dt.timedelta(days=draw(day_offsets)), dt.time(10), SYDNEY),
            draw(st.sampled_from(["clarify", "clarify", "kickoff"])),
        )
        for k in range(draw(st.integers(min_value=0, max_value=30)))
    ]
    leave = []
    for k in range(draw(st.integers(min_value=0, max_value=4))):
        start = TODAY + dt.timedelta(days=draw(day_offsets))
        end = start + dt.timedelta(days=draw(st.integers(min_value=0, max_value=10)))
        frac = draw(st.sampled_from([0.5, 1.0]))
        leave.append(Leave(f"l{k}", draw(st.sampled_from(ids)), start, end, frac))
    closures = []
    for k in range(draw(st.integers(min_value=0, max_value=2))):
        start = TODAY + dt.timedelta(days=draw(day_offsets))
        closures.append(Closure(f"c{k}", start, start + dt.timedelta(days=draw(st.integers(0, 6)))))
    return Snapshot(tuple(advisers), tuple(meetings), tuple(leave), tuple(closures), rules=Rules())


def with_pending(snap: Snapshot, adviser_id: str, week: dt.date, deal_id: str) -> Snapshot:
    return dataclasses.replace(
        snap, pending=(*snap.pending, PendingDeal(deal_id, adviser_id, week))
    )


fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(firms(), st.sampled_from(["a0", "a1", "a2"]), day_offsets)
def test_adding_load_never_makes_an_earliest_week_earlier(snap, adviser_id, offset):
    if adviser_id not in {a.id for a in snap.advisers}:
        adviser_id = snap.advisers[0].id
    before = build_ledger(snap, TODAY).earliest_week(adviser_id)
    loaded = with_pending(snap, adviser_id, TODAY + dt.timedelta(days=offset), "extra")
    after = build_ledger(loaded, TODAY).earliest_week(adviser_id)
    assert before is not None or after is None
    if before is not None and after is not None:
        assert after >= before


@fast
@given(firms())
def test_the_chosen_adviser_has_the_earliest_week_of_all_candidates(snap):
    decision = allocate(Deal("x", "Series A"), snap, TODAY)
    weeks = [c.earliest_week for c in decision.candidates if c.earliest_week]
    assert decision.week == (min(weeks) if weeks else None)
    if decision.adviser_id:
        assert decision.candidates[0].adviser_id == decision.adviser_id


@fast
@given(firms())
def test_recording_the_decision_costs_exactly_one_unit_and_overbooks_nothing(snap):
    decision = allocate(Deal("x", "Series A"), snap, TODAY)
    if decision.adviser_id is None:
        return
    before = build_ledger(snap, TODAY)
    after = build_ledger(with_pending(snap, decision.adviser_id, decision.week, "x"), TODAY)
    row = before.row(decision.adviser_id)
    col = before.weeks.index(decision.week)
    assert (
        after.balance[row, col] == before.balance[row, col] - 1
        or abs(after.balance[row, col] - (before.balance[row, col] - 1)) < TOL
    )
    for later in range(col, len(before.weeks)):
        old, new = before.balance[row, later], after.balance[row, later]
        assert (
            new >= min(old, 0) - TOL
        )  # no week pushed below zero, none already short pushed further
        if old < 0:
            assert abs(new - old) < TOL
    assert after.starts[row, col] <= Rules().weekly_max_new
