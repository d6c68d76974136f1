"""Whether a new client can start in a week (allocation-rules.md §5), one reason at a time."""

import pytest

from allocation import Deal, Rules, allocate, build_ledger
from tests.builders import adviser, clarify, closure, d, kickoff, pending, snapshot

TODAY = d("2026-03-11")  # current week 2026-03-09; first allowed week 2026-03-23


def reasons_of(snap, adviser_id="dana"):
    frame = build_ledger(snap, TODAY).to_frame()
    rows = frame[frame["adviser_id"] == adviser_id].set_index("week")
    return rows["reason"]


def test_history_weeks_are_never_open_and_have_no_reason():
    frame = build_ledger(snapshot(adviser()), TODAY).to_frame().set_index("week")
    for week in ("2026-02-23", "2026-03-02"):
        assert not frame.loc[d(week), "open"]
        assert frame.loc[d(week), "reason"] is None


def test_the_current_week_and_the_buffer_weeks_are_before_start():
    reasons = reasons_of(snapshot(adviser()))
    assert reasons[d("2026-03-09")] == "before_start"
    assert reasons[d("2026-03-16")] == "before_start"
    assert reasons[d("2026-03-23")] is None


def test_a_fully_closed_week_is_away():
    snap = snapshot(adviser(), closures=[closure("2026-03-23", "2026-03-27")])
    assert reasons_of(snap)[d("2026-03-23")] == "away"


def test_two_new_clients_in_a_week_reach_the_weekly_maximum_before_the_balance_is_checked():
    snap = snapshot(
        adviser(),
        meetings=[clarify("dana", "2026-03-24")],
        pending=[pending("p1", "dana", "2026-03-23")],
    )
    assert reasons_of(snap)[d("2026-03-23")] == "weekly_max"


def test_a_week_without_a_whole_unit_banked_has_no_balance():
    rules = Rules(meeting_weights={"clarify": 1, "kickoff": 1})
    snap = snapshot(adviser(), rules=rules, meetings=[kickoff("dana", "2026-03-24")] * 2)
    assert reasons_of(snap)[d("2026-03-23")] == "no_balance"


def heavy_next_week():
    """Week of 03-23 banks 1.27 but the week after is overbooked with no cap to spare."""
    rules = Rules(meeting_weights={"clarify": 1.0, "kickoff": 1.5})
    meetings = [
        kickoff("dana", "2026-03-24"),
        kickoff("dana", "2026-03-31"),
        kickoff("dana", "2026-04-01"),
    ]
    return snapshot(adviser(), rules=rules, meetings=meetings)


def test_a_week_whose_extra_client_would_push_a_later_week_negative_overbooks_later():
    reasons = reasons_of(heavy_next_week())
    assert reasons[d("2026-03-23")] == "overbooks_later"
    assert reasons[d("2026-03-30")] == "no_balance"
    assert reasons[d("2026-04-06")] is None


def test_blocked_weeks_list_each_week_before_the_earliest_from_the_first_allowed_week():
    decision = allocate(Deal("x", "Series A"), heavy_next_week(), TODAY)
    assert decision.week == d("2026-04-06")
    assert decision.candidates[0].blocked_weeks == (
        (d("2026-03-23"), "overbooks_later"),
        (d("2026-03-30"), "no_balance"),
    )


def test_ledger_earliest_week_ignores_agreement_dates():
    ledger = build_ledger(heavy_next_week(), TODAY)
    assert ledger.earliest_week("dana") == d("2026-04-06")


def test_an_agreement_beyond_the_horizon_leaves_no_capacity():
    deal = Deal("x", "Series A", agreement_start=d("2027-06-01"))
    decision = allocate(deal, snapshot(adviser()), TODAY)
    assert decision.adviser_id is None
    (only,) = decision.candidates
    assert only.eligible
    assert only.reason == "no_capacity_in_horizon"
    assert only.blocked_weeks == ()


@pytest.mark.parametrize("buffer_weeks", [0, 1, 4])
def test_the_buffer_decides_the_first_allowed_week(buffer_weeks):
    rules = Rules(buffer_weeks=buffer_weeks)
    decision = allocate(Deal("x", "Series A"), snapshot(adviser(), rules=rules), TODAY)
    assert decision.week == d("2026-03-09") + (d("2026-03-16") - d("2026-03-09")) * buffer_weeks


def test_earliest_weeks_of_all_advisers_agree_with_asking_one_by_one():
    snap = snapshot(
        adviser("dana"),
        adviser("eli", monthly_limit=0),
        adviser("fay"),
        closures=[closure("2026-03-23", "2026-04-03", advisers=("fay",))],
    )
    ledger = build_ledger(snap, TODAY)
    assert ledger.earliest_weeks() == {a: ledger.earliest_week(a) for a in ("dana", "eli", "fay")}
    assert ledger.earliest_weeks() == {"dana": d("2026-03-23"), "eli": None, "fay": d("2026-04-06")}
