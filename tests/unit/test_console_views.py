"""Pure helpers behind the console pages: schedule weeks, sync warnings, blocked weeks, what-ifs."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from allocation import Deal, allocate, build_ledger
from console.schedule_view import highlight_earliest, meetings_frame, weeks_frame
from console.whatif import what_if_frame
from console.widgets import blocked_weeks_frame, stale_sync_words, week_words
from services import views
from services.preview import WhatIf
from services.records import SyncRun
from tests.builders import adviser, clarify, closure, d, leave, override, snapshot

TODAY = d("2026-03-11")
NOW = dt.datetime(2026, 3, 11, 1, tzinfo=dt.UTC)
FIRM = snapshot(
    adviser("dana", "Dana"),
    adviser("eli", "Eli"),
    meetings=(clarify("dana", "2026-03-24"), clarify("dana", "2026-03-25")),
    leave=(leave("eli", "2026-03-23", "2026-04-03"),),
)


def dana_weeks():
    plan = views.schedule(FIRM, build_ledger(FIRM, TODAY), "dana")
    return weeks_frame(plan.weeks, plan.earliest_week)


def test_schedule_weeks_read_in_plain_words_with_the_earliest_flagged() -> None:
    weeks = dana_weeks().set_index("week")

    assert weeks.loc[d("2026-02-23"), "status"] == "past week (history)"
    assert weeks.loc[d("2026-03-23"), "status"] == (
        "already has the weekly maximum of new clients starting"
    )
    assert weeks.loc[d("2026-03-30"), "status"] == "open — earliest week for a new client"
    assert weeks["earliest"].sum() == 1


def test_the_earliest_week_row_is_painted() -> None:
    weeks = dana_weeks()

    styles = highlight_earliest(weeks).to_html().split("</style>")[0]

    # one CSS rule lists every cell of the earliest week's row (row 5: 30 March)
    assert "background-color: #fff3bf" in styles
    assert "_row5_col0" in styles
    assert "_row4_col0" not in styles


def test_meetings_show_in_the_firms_timezone() -> None:
    sydney = zoneinfo.ZoneInfo("Australia/Sydney")
    late_sunday_utc = dt.datetime(2026, 3, 22, 22, 30, tzinfo=dt.UTC)
    meeting = clarify("dana", "2026-03-23")
    meeting = type(meeting)(meeting.id, "dana", late_sunday_utc, "clarify", "deal-9")

    frame = meetings_frame([meeting], sydney)

    assert frame.to_dict("records") == [
        {"When": "Mon 23 Mar 2026, 09:30", "Meeting": "Clarify meeting", "Deal": "deal-9"}
    ]


def run(source: str, status: str, hours_ago: float) -> SyncRun:
    at = NOW - dt.timedelta(hours=hours_ago)
    return SyncRun("r", source, at, "system", status, at)  # type: ignore[arg-type]


def test_sync_warnings_name_failed_and_stale_sources_only() -> None:
    runs = {
        "hubspot_meetings": run("hubspot_meetings", "ok", 30),
        "leave": run("leave", "failed", 1),
        "holidays": run("holidays", "ok", 2),
    }

    words = stale_sync_words(runs, 26, NOW, demo=False)

    assert words == [
        "HubSpot meetings last synced 30 hours ago.",
        "The last Employment Hero leave sync failed.",
    ]


def test_a_source_skipped_as_not_configured_is_neither_failed_nor_stale() -> None:
    runs = {
        "hubspot_meetings": run("hubspot_meetings", "ok", 1),
        "leave": run("leave", "skipped", 100),
    }

    assert stale_sync_words(runs, 26, NOW, demo=False) == []
    assert stale_sync_words({"leave": run("leave", "skipped", 1)}, 26, NOW, demo=False) == [
        "No data sync has run yet: figures may be out of date."
    ]


def test_no_sync_at_all_is_a_warning_except_on_demo_data() -> None:
    assert stale_sync_words({}, 26, NOW, demo=False) == [
        "No data sync has run yet: figures may be out of date."
    ]
    assert stale_sync_words({}, 26, NOW, demo=True) == []


def test_blocked_weeks_of_the_top_candidates_in_plain_words() -> None:
    decision = allocate(Deal("x", "Series A"), FIRM, TODAY)

    frame = blocked_weeks_frame(decision, {"dana": "Dana", "eli": "Eli"}, top=2)

    assert set(frame["adviser"]) == {"Dana", "Eli"}
    eli = frame[frame["adviser"] == "Eli"]
    assert list(eli["why"]) == ["away all week (leave, closure, not started or left)"] * 2


def test_what_if_records_are_listed_in_plain_words() -> None:
    tried = WhatIf(
        closures=(closure("2026-04-06", "2026-04-06"),),
        leave=(leave("eli", "2026-04-06", "2026-04-10", 0.5),),
        overrides=(override("dana", "2026-04-01", 2),),
    )

    frame = what_if_frame(tried, {"dana": "Dana", "eli": "Eli"})

    assert list(frame["who"]) == ["everyone", "Eli", "Dana"]
    assert list(frame["detail"])[1:] == ["50% of each weekday", "2 new clients a month"]


def test_week_words() -> None:
    assert week_words(d("2026-03-23")) == "week of 23 Mar 2026"
    assert week_words("2026-03-23") == "week of 23 Mar 2026"
    assert week_words(None) == "—"
