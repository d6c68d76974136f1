"""The Capacity outlook page: segments with places, demand and the fix, projected waits, CSV."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from console import state
from services.records import UNALLOCATED, AllocationRecord
from tests.app.firm import NOW, VIEWER_USER, Firm, opened, small_firm, texts

PAGE = "pages/outlook.py"


@pytest.fixture
def firm() -> Firm:
    return small_firm()


def busy(firm: Firm, per_week: float, weeks: int = 12) -> Firm:
    """Series A couples arriving at ``per_week`` over the last ``weeks`` weeks (unallocated
    history: demand, without load on anyone now)."""
    for k in range(int(per_week * weeks)):
        at = NOW - dt.timedelta(days=1 + k * 7 / per_week)
        record = AllocationRecord(
            f"hist-{k}", UNALLOCATED, None, None, "Series A", "Couple", None, at, "webhook"
        )
        firm.store.record_allocation(record, "0")
    return firm


def segments(at) -> dict[str, dict]:
    frame = at.dataframe[0].value
    return {row["Segment"]: row for row in frame.to_dict("records")}


def test_every_segment_advisers_offer_is_listed_with_its_soonest_start_and_places(firm):
    at = opened(PAGE, firm)
    rows = segments(at)
    # Dana and Eli offer Series A to couples; only Dana offers Series B.
    assert {"Series A · Couple", "Series A · Single", "Series B · Couple"} <= set(rows)
    couple = rows["Series A · Couple"]
    assert couple["Advisers"] == 2  # Dana and Eli (Gus takes singles only)
    assert str(couple["Soonest start"])[:10] == "2026-04-06"  # Eli, back from leave
    places = [couple[f"Places within {w} weeks"] for w in (4, 8, 13, 26)]
    assert places == sorted(places)
    assert places[-1] > 0
    assert "Seed · Single" not in rows  # Fay offers Seed but is not taking on clients


def test_a_squeezed_segment_shows_when_the_wait_passes_the_target_and_what_would_fix_it(firm):
    at = opened(PAGE, busy(firm, per_week=3))
    row = segments(at)["Series A · Couple"]
    assert row["Deals a week (last 13 weeks)"] == pytest.approx(37 / 13, abs=0.01)  # and D-100
    assert row["Projected deals late"] > 0
    assert row["Wait first over target"] is not None
    assert row["Advisers to add"] >= 1
    # IPO (nobody offers it) and Series B with no household given are late too.
    assert int(at.metric[1].value) >= 1
    waits = at.dataframe[1].value
    assert waits[waits["Segment"] == "Series A · Couple"]["Over target"].any()


def test_a_quiet_firm_is_within_the_target(firm):
    at = opened(PAGE, busy(firm, per_week=0.25))
    row = segments(at)["Series A · Couple"]
    assert row["Projected deals late"] == 0
    assert row["Wait first over target"] is None


def test_the_demand_window_changes_the_projection(firm):
    at = opened(PAGE, busy(firm, per_week=3, weeks=4))  # a rush in the last 4 weeks only
    at.radio(key=state.OL_BASIS).set_value(4).run()
    recent = segments(at)["Series A · Couple"]["Projected deals late"]
    assert recent > 0
    at.radio(key=state.OL_BASIS).set_value(52).run()
    assert not at.exception
    yearly = segments(at)["Series A · Couple"]["Projected deals late"]
    assert yearly < recent


def test_segments_and_waits_can_be_downloaded_as_csv(firm):
    at = opened(PAGE, busy(firm, per_week=1))
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download segments (CSV)", "Download projected waits (CSV)"]


def test_viewers_see_the_outlook_too_and_the_target_is_explained(firm):
    at = opened(PAGE, firm, user=VIEWER_USER)
    assert at.metric[2].value == "4 weeks"
    assert "nothing is saved" in texts(at, "caption")


def test_the_trend_shows_the_days_kept_by_the_daily_job(firm):
    assert "python -m cli outlook" in texts(opened(PAGE, firm), "info")
    firm.services.outlook.record_day()
    earlier = [
        dataclasses.replace(
            d, day=d.day - dt.timedelta(days=7), places_8_weeks=d.places_8_weeks + 3
        )
        for d in firm.store.list_outlook_days(dt.date(2026, 1, 1))
    ]
    firm.store.save_outlook_days(earlier)
    at = opened(PAGE, firm)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download the trend (CSV)" in labels
    assert len(at.get("plotly_chart")) >= 2
