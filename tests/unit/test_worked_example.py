"""The worked example of allocation-rules.md §8, figure for figure."""

import datetime as dt

import pytest

from allocation import Deal, allocate, build_ledger
from tests.builders import SYDNEY, adviser, clarify, closure, d, snapshot

TODAY = d("2026-03-11")


@pytest.fixture
def dana_snapshot():
    meetings = [
        clarify("dana", day) for day in ("2026-03-10", "2026-03-17", "2026-03-18", "2026-03-24")
    ]
    return snapshot(
        adviser("dana", "Dana", monthly_limit=6),
        meetings=meetings,
        closures=[closure("2026-03-30", "2026-04-02")],
    )


# week, load, avail, earn, waste, balance, absorb, reason ("open" / None for history)
TABLE = [
    ("2026-02-23", 0, 1.0, 1.3846, 0, 1.3846, 1.3846, None),
    ("2026-03-02", 0, 1.0, 1.3846, 0, 2.7692, 2.5385, None),
    ("2026-03-09", 1, 1.0, 1.3846, 1.3846, 1.7692, 1.1538, "before_start"),
    ("2026-03-16", 2, 1.0, 1.3846, 0.3846, 0.7692, 0.7692, "before_start"),
    ("2026-03-23", 1, 1.0, 1.3846, 0, 1.1538, 1.1538, "open"),
    ("2026-03-30", 0, 0.2, 0.2769, 0, 1.4308, 1.4308, "open"),
    ("2026-04-06", 0, 1.0, 1.3846, 0.0462, 2.7692, 2.7692, "open"),
]


def test_ledger_matches_the_worked_example_week_by_week(dana_snapshot):
    frame = build_ledger(dana_snapshot, TODAY).to_frame(detail=True).set_index("week")
    for week, load, avail, earn, _waste, balance, absorb, reason in TABLE:
        row = frame.loc[d(week)]
        assert row["load"] == pytest.approx(load)
        assert row["avail"] == pytest.approx(avail)
        assert row["earn"] == pytest.approx(earn, abs=1e-4)
        assert row["balance"] == pytest.approx(balance, abs=1e-4)
        assert row["absorb"] == pytest.approx(absorb, abs=1e-4)
        if reason is None:
            assert not row["open"]
            assert row["reason"] is None
        elif reason == "open":
            assert row["open"]
            assert row["reason"] is None
        else:
            assert not row["open"]
            assert row["reason"] == reason


def test_ledger_starts_two_weeks_before_the_current_week_and_spans_the_horizon(dana_snapshot):
    ledger = build_ledger(dana_snapshot, TODAY)
    assert ledger.weeks[0] == d("2026-02-23")
    assert ledger.current_week == d("2026-03-09")
    assert len(ledger.weeks) == 54
    assert ledger.weeks[-1] == d("2026-03-09") + dt.timedelta(weeks=51)


def test_dana_gets_the_deal_from_the_week_of_23_march(dana_snapshot):
    decision = allocate(Deal("d1", "Series A"), dana_snapshot, TODAY)
    assert decision.adviser_id == "dana"
    assert decision.week == d("2026-03-23")
    assert decision.candidates[0].utilisation == pytest.approx(4 / (5 * 6 * 12 / 52))
    assert decision.candidates[0].utilisation == pytest.approx(0.5778, abs=1e-4)


def test_agreement_start_on_25_march_moves_the_first_allowed_week_to_30_march(dana_snapshot):
    deal = Deal("d1", "Series A", agreement_start=d("2026-03-25"))
    decision = allocate(deal, dana_snapshot, TODAY)
    assert decision.week == d("2026-03-30")
    assert decision.first_allowed_week == d("2026-03-30")


def test_monday_morning_sydney_clarify_belongs_to_that_monday_not_the_utc_sunday():
    start = dt.datetime(2026, 3, 23, 9, 30, tzinfo=SYDNEY)
    assert start.astimezone(dt.UTC).date() == d("2026-03-22")
    from allocation import Meeting

    snap = snapshot(adviser("dana"), meetings=[Meeting("m", "dana", start, "clarify")])
    frame = build_ledger(snap, TODAY).to_frame().set_index("week")
    assert frame.loc[d("2026-03-23"), "load"] == 1
    assert frame.loc[d("2026-03-16"), "load"] == 0


def test_utc_timestamps_are_read_in_the_firms_timezone():
    utc_sunday_night = dt.datetime(2026, 3, 22, 22, 30, tzinfo=dt.UTC)
    from allocation import Meeting

    snap = snapshot(adviser("dana"), meetings=[Meeting("m", "dana", utc_sunday_night, "Clarify")])
    frame = build_ledger(snap, TODAY).to_frame().set_index("week")
    assert frame.loc[d("2026-03-23"), "load"] == 1
