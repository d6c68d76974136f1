"""Meetings handed over as columns (``MeetingTable``) decide exactly as ``Meeting`` records do."""

import dataclasses
import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from allocation import (
    Deal,
    InvalidInput,
    Meeting,
    MeetingTable,
    Snapshot,
    allocate,
    build_ledger,
)
from services import views
from tests.builders import SYDNEY, adviser, clarify, d, kickoff, pending, snapshot
from tests.unit.firm_strategies import TODAY, assert_same_ledger, deals, firms

checks = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def as_table(snap: Snapshot) -> Snapshot:
    return dataclasses.replace(snap, meetings=MeetingTable.from_meetings(snap.meetings))


def table(**columns: object) -> MeetingTable:
    one = {
        "ids": ["m1"],
        "adviser_ids": ["dana"],
        "starts": [int(dt.datetime(2026, 3, 24, tzinfo=dt.UTC).timestamp())],
        "kinds": ["clarify"],
        "deal_ids": [None],
    }
    one.update(columns)
    return MeetingTable(**{k: np.array(v, dtype=object) for k, v in one.items()})


@checks
@given(firms(), deals())
def test_a_table_gives_the_ledger_and_decision_its_meetings_give(snap, deal):
    tabled = as_table(snap)
    assert_same_ledger(build_ledger(tabled, TODAY), build_ledger(snap, TODAY))
    assert allocate(deal, tabled, TODAY) == allocate(deal, snap, TODAY)


def test_kinds_are_normalised_so_a_spaced_capitalised_clarify_counts():
    snap = snapshot(
        adviser(),
        meetings=table(
            kinds=[" CLARIFY "],
            starts=[int(dt.datetime(2026, 3, 24, 1, tzinfo=dt.UTC).timestamp())],
        ),
    )
    frame = build_ledger(snap, TODAY).to_frame(detail=True).set_index("week")
    assert frame.loc[d("2026-03-23"), "load"] == 1
    assert frame.loc[d("2026-03-23"), "starts"] == 1
    assert list(snap.meetings.kinds) == ["clarify"]


def test_a_monday_morning_in_sydney_is_that_week_although_utc_still_says_sunday():
    start = dt.datetime(2026, 3, 23, 9, 30, tzinfo=SYDNEY)  # Sunday 22:30 UTC
    snap = snapshot(adviser(), meetings=table(starts=[int(start.timestamp())]))
    frame = build_ledger(snap, TODAY).to_frame(detail=True).set_index("week")
    assert frame.loc[d("2026-03-23"), "load"] == 1
    assert frame.loc[d("2026-03-16"), "load"] == 0


def test_a_pending_deal_carried_by_a_clarify_in_the_table_is_not_counted_twice():
    snap = snapshot(
        adviser(),
        meetings=table(deal_ids=["deal-7"]),
        pending=[pending("deal-7", "dana", "2026-03-23")],
    )
    frame = build_ledger(snap, TODAY).to_frame(detail=True).set_index("week")
    assert frame.loc[d("2026-03-23"), "load"] == 1
    assert frame["pending_load"].sum() == 0


def test_meetings_of_unknown_or_missing_advisers_are_ignored():
    snap = snapshot(adviser(), meetings=table(adviser_ids=[None], ids=["m9"]))
    assert build_ledger(snap, TODAY).load.sum() == 0


def test_a_schedule_lists_one_advisers_meetings_from_a_table_with_their_instants():
    meetings = (
        clarify("dana", "2026-03-24"),
        kickoff("eli", "2026-03-25"),
        clarify("dana", "2026-03-17"),
    )
    snap = snapshot(adviser("dana"), adviser("eli"), meetings=MeetingTable.from_meetings(meetings))
    plan = views.schedule(snap, build_ledger(snap, TODAY), "dana")
    assert [m.start for m in plan.meetings] == [meetings[2].start, meetings[0].start]
    assert all(m.start.tzinfo is dt.UTC and m.adviser_id == "dana" for m in plan.meetings)
    assert snap.meetings_of("eli") == (meetings[1],)
    assert snap.meetings_of("nobody") == ()


def test_a_table_equals_the_meetings_it_holds_and_reads_back_as_meetings():
    meetings = (clarify("dana", "2026-03-24", deal_id="d1"), kickoff("eli", "2026-03-25"))
    made = MeetingTable.from_meetings(meetings)
    assert made == meetings
    assert made == MeetingTable.from_meetings(meetings)
    assert made != meetings[:1]
    assert tuple(made) == meetings
    assert made[1] == meetings[1]
    assert len(made) == 2
    assert MeetingTable.from_meetings(()) == ()
    assert snapshot(adviser(), meetings=made) == snapshot(adviser(), meetings=made)


def test_a_tables_columns_cannot_be_changed_behind_its_back():
    made = table()
    with pytest.raises(ValueError, match="read-only"):
        made.starts[0] = 0


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"adviser_ids": ["dana", "eli"]}, "adviser_ids has"),
        ({"starts": [1.5]}, "whole seconds"),
    ],
)
def test_a_malformed_table_is_refused_saying_what_is_wrong(columns, message):
    with pytest.raises(InvalidInput, match=message):
        table(**columns)


def test_meeting_records_still_work_as_a_tuple():
    snap = Snapshot((adviser(),), meetings=[clarify("dana", "2026-03-24")])
    assert isinstance(snap.meetings, tuple)
    assert isinstance(snap.meetings[0], Meeting)
    assert allocate(Deal("x", "Series A"), snap, TODAY).adviser_id == "dana"
