"""What a snapshot remembers (``SnapshotMemo``) never outlives the data it was worked out from."""

import dataclasses

from hypothesis import HealthCheck, given, settings

from allocation import Deal, Snapshot, allocate, build_ledger, exclusion_reason
from tests.builders import adviser, closure, d, snapshot
from tests.unit.firm_strategies import TODAY, deals, firms

checks = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_a_what_if_copy_of_a_snapshot_works_its_ledger_out_again():
    snap = snapshot(adviser())
    before = build_ledger(snap, TODAY)
    what_if = dataclasses.replace(snap, closures=(closure("2026-03-23", "2026-03-27"),))
    frame = build_ledger(what_if, TODAY).to_frame().set_index("week")
    assert frame.loc[d("2026-03-23"), "reason"] == "away"
    assert build_ledger(snap, TODAY) is before
    assert allocate(Deal("x", "Series A"), what_if, TODAY).week == d("2026-03-30")
    assert allocate(Deal("x", "Series A"), snap, TODAY).week == d("2026-03-23")


def test_days_of_one_week_share_a_ledger_and_the_next_week_gets_its_own():
    snap = snapshot(adviser())
    wednesday = build_ledger(snap, TODAY)
    assert build_ledger(snap, d("2026-03-15")) is wednesday  # the Sunday of that week
    monday = build_ledger(snap, d("2026-03-16"))
    assert monday.current_week == d("2026-03-16")
    assert build_ledger(snap, TODAY) is wednesday


def test_what_a_snapshot_remembers_is_not_part_of_its_value():
    worked = snapshot(adviser())
    build_ledger(worked, TODAY)
    untouched = snapshot(adviser())
    assert worked == untouched
    assert "memo" not in repr(worked)
    assert "memo" not in {f.name for f in dataclasses.fields(Snapshot) if f.init}


@checks
@given(firms(), deals())
def test_each_excluded_adviser_gives_the_reason_exclusion_reason_gives(snap, deal):
    reasons = {c.adviser_id: c.reason for c in allocate(deal, snap, TODAY).candidates}
    for person in snap.advisers:
        expected = exclusion_reason(person, deal, snap.rules)
        if expected is not None:
            assert reasons[person.id] == expected
        else:
            assert reasons[person.id] in (None, "no_capacity_in_horizon")
