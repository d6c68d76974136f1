"""Each rule of allocation-rules.md §4 on its own: availability, limits, load, balance."""

import pytest

from allocation import Rules, build_ledger
from tests.builders import (
    adviser,
    clarify,
    closure,
    d,
    kickoff,
    leave,
    override,
    pending,
    snapshot,
)

TODAY = d("2026-03-11")  # current week 2026-03-09
WEEKLY = 6 * 12 / 52


def column(snap, name, adviser_id="dana"):
    frame = build_ledger(snap, TODAY).to_frame(detail=True)
    rows = frame[frame["adviser_id"] == adviser_id].set_index("week")
    return rows[name]


class TestAvailability:
    def test_half_day_leave_all_week_halves_availability(self):
        snap = snapshot(adviser(), leave=[leave("dana", "2026-04-06", "2026-04-10", 0.5)])
        assert column(snap, "avail")[d("2026-04-06")] == pytest.approx(0.5)

    def test_leave_and_closure_on_the_same_day_count_once(self):
        snap = snapshot(
            adviser(),
            leave=[leave("dana", "2026-04-06", "2026-04-07")],
            closures=[closure("2026-04-06", "2026-04-06")],
        )
        assert column(snap, "avail")[d("2026-04-06")] == pytest.approx(0.6)

    def test_overlapping_part_day_leave_adds_up_but_never_past_a_whole_day(self):
        snap = snapshot(
            adviser(),
            leave=[
                leave("dana", "2026-04-06", "2026-04-06", 0.7),
                leave("dana", "2026-04-06", "2026-04-07", 0.7),
            ],
        )
        # Monday 0.7 + 0.7 capped at 1, Tuesday 0.7: 1.7 days of 5 away.
        assert column(snap, "avail")[d("2026-04-06")] == pytest.approx((5 - 1.7) / 5)

    def test_weekend_leave_costs_nothing(self):
        snap = snapshot(adviser(), leave=[leave("dana", "2026-04-11", "2026-04-12")])
        assert column(snap, "avail")[d("2026-04-06")] == 1

    def test_a_closure_for_named_advisers_spares_the_others(self):
        snap = snapshot(
            adviser("dana"),
            adviser("eli"),
            closures=[closure("2026-04-06", "2026-04-10", advisers=("eli",))],
        )
        assert column(snap, "avail", "dana")[d("2026-04-06")] == 1
        assert column(snap, "avail", "eli")[d("2026-04-06")] == 0

    def test_a_closure_for_a_region_matches_case_insensitively(self):
        snap = snapshot(
            adviser("dana", region="VIC"),
            adviser("eli", region="NSW"),
            adviser("fay"),
            closures=[closure("2026-04-06", "2026-04-07", regions=(" vic ",))],
        )
        assert column(snap, "avail", "dana")[d("2026-04-06")] == pytest.approx(0.6)
        assert column(snap, "avail", "eli")[d("2026-04-06")] == 1
        assert column(snap, "avail", "fay")[d("2026-04-06")] == 1

    def test_a_future_starter_is_available_from_prestart_weeks_before_the_start_week(self):
        snap = snapshot(adviser(start_date=d("2026-05-06")))  # week of 2026-05-04
        avail = column(snap, "avail")
        assert avail[d("2026-04-06")] == 0
        assert avail[d("2026-04-13")] == 1  # 3 weeks before 2026-05-04

    def test_a_leaver_is_away_after_the_week_they_leave(self):
        snap = snapshot(adviser(end_date=d("2026-04-08")))
        avail = column(snap, "avail")
        assert avail[d("2026-04-06")] == 1
        assert avail[d("2026-04-13")] == 0

    def test_an_end_before_the_start_is_not_refused_the_adviser_is_never_available(self):
        # Within prestart_weeks of the start: without the rule, weeks in between would open.
        typo = adviser("typo", start_date=d("2026-05-06"), end_date=d("2026-05-01"))
        snap = snapshot(typo, adviser("eli"))
        assert set(column(snap, "avail", "typo")) == {0}
        assert set(column(snap, "avail", "eli")) == {1}


class TestMonthlyLimit:
    def test_default_pod_and_own_limits(self):
        snap = snapshot(
            adviser("dana"),
            adviser("solo", pod_type=" solo adviser"),
            adviser("own", pod_type="Solo Adviser", monthly_limit=3),
        )
        week = d("2026-04-06")
        assert column(snap, "monthly_limit", "dana")[week] == 6
        assert column(snap, "monthly_limit", "solo")[week] == 4
        assert column(snap, "monthly_limit", "own")[week] == 3

    def test_an_override_runs_from_its_start_week_to_its_end_week_inclusive(self):
        snap = snapshot(adviser(), overrides=[override("dana", "2026-04-08", 2, "2026-04-15")])
        limit = column(snap, "monthly_limit")
        assert [limit[d(w)] for w in ("2026-03-30", "2026-04-06", "2026-04-13", "2026-04-20")] == [
            6,
            2,
            2,
            6,
        ]

    def test_an_open_ended_override_runs_to_the_end_of_the_horizon(self):
        snap = snapshot(adviser(), overrides=[override("dana", "2026-01-01", 3)])
        assert set(column(snap, "monthly_limit")) == {3}

    def test_the_override_with_the_latest_start_wins(self):
        snap = snapshot(
            adviser(),
            overrides=[override("dana", "2026-04-01", 2), override("dana", "2026-03-01", 8)],
        )
        limit = column(snap, "monthly_limit")
        assert limit[d("2026-03-23")] == 8
        assert limit[d("2026-04-06")] == 2

    def test_on_equal_starts_the_larger_id_wins(self):
        snap = snapshot(
            adviser(),
            overrides=[
                override("dana", "2026-04-01", 5, id="b"),
                override("dana", "2026-04-01", 1, id="a"),
            ],
        )
        assert column(snap, "monthly_limit")[d("2026-04-06")] == 5


class TestLoad:
    def test_only_clarify_meetings_weigh_by_default(self):
        snap = snapshot(
            adviser(), meetings=[kickoff("dana", "2026-04-07"), clarify("dana", "2026-04-08")]
        )
        assert column(snap, "load")[d("2026-04-06")] == 1

    def test_meeting_weights_come_from_the_rules(self):
        rules = Rules(meeting_weights={"clarify": 1.0, "KickOff": 0.5})
        snap = snapshot(adviser(), rules=rules, meetings=[kickoff("dana", "2026-04-07")])
        assert column(snap, "load")[d("2026-04-06")] == 0.5

    def test_a_pending_deal_loads_its_week(self):
        snap = snapshot(adviser(), pending=[pending("p1", "dana", "2026-04-09")])
        assert column(snap, "load")[d("2026-04-06")] == 1

    def test_a_pending_deal_left_in_a_past_week_counts_in_the_current_week(self):
        snap = snapshot(adviser(), pending=[pending("p1", "dana", "2026-02-02")])
        load = column(snap, "load")
        assert load[d("2026-03-09")] == 1
        assert load.sum() == 1

    def test_a_pending_deal_with_a_clarify_booked_is_counted_once_through_the_meeting(self):
        snap = snapshot(
            adviser("dana"),
            adviser("eli"),
            meetings=[clarify("eli", "2026-04-14", deal_id="p1")],
            pending=[pending("p1", "dana", "2026-04-06")],
        )
        assert column(snap, "load", "dana").sum() == 0
        assert column(snap, "load", "eli")[d("2026-04-13")] == 1

    def test_meetings_of_advisers_outside_the_snapshot_are_ignored(self):
        snap = snapshot(adviser(), meetings=[clarify("ghost", "2026-04-07")])
        assert column(snap, "load").sum() == 0


class TestBalance:
    def test_unused_capacity_banks_up_to_the_cap(self):
        balance = column(snapshot(adviser()), "balance")
        assert balance.max() == pytest.approx(2 * WEEKLY)

    def test_work_beyond_the_bank_is_carried_forward_as_a_negative_balance(self):
        meetings = [kickoff("dana", "2026-04-07") for _ in range(4)]
        rules = Rules(meeting_weights={"clarify": 1, "kickoff": 1})
        balance = column(snapshot(adviser(), rules=rules, meetings=meetings), "balance")
        assert balance[d("2026-04-06")] == pytest.approx(2 * WEEKLY - 4)
        assert balance[d("2026-04-13")] == pytest.approx(3 * WEEKLY - 4)

    def test_a_year_of_weeks_earns_twelve_months_of_limit(self):
        earn = column(snapshot(adviser(), rules=Rules(horizon_weeks=50)), "earn")
        assert earn.iloc[:52].sum() == pytest.approx(12 * 6)


def test_the_ledger_says_how_many_weekdays_were_closed_and_on_leave():
    snap = snapshot(
        adviser(),
        leave=[leave("dana", "2026-04-06", "2026-04-08", 0.5)],
        closures=[closure("2026-04-08", "2026-04-09")],
    )
    frame = build_ledger(snap, TODAY).to_frame(detail=True).set_index("week")
    week = frame.loc[d("2026-04-06")]
    # Wednesday is closed and on half-day leave: it counts as closed, not twice.
    assert (week["closure_days"], week["leave_days"]) == (2, 1.0)
    assert week["avail"] == pytest.approx((5 - 3) / 5)
