"""The Adviser schedule page: the weekly ledger in plain words, the earliest week, records."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from console import state
from tests.app.firm import Firm, page, small_firm

PAGE = "pages/schedule.py"


@pytest.fixture
def firm() -> Firm:
    return small_firm()


def status_of(at: AppTest, week: str) -> str:
    weeks = at.dataframe[0].value
    row = weeks[weeks["week"].astype(str) == week]
    return str(row["status"].iloc[0])


def test_a_link_opens_the_schedule_of_the_adviser_it_names(firm: Firm) -> None:
    at = page(PAGE, firm, adviser="eli").run()

    assert not at.exception
    assert at.selectbox(key=state.SC_ADVISER).value == "eli"
    assert at.metric[0].value == "6 Apr 2026"


def test_the_adviser_chosen_on_the_heatmap_opens_without_a_link(firm: Firm) -> None:
    at = page(PAGE, firm)
    at.session_state[state.ADVISER] = "gus"

    at.run()

    assert at.selectbox(key=state.SC_ADVISER).value == "gus"


def test_weeks_say_in_plain_words_why_they_are_not_open(firm: Firm) -> None:
    at = page(PAGE, firm, adviser="eli").run()

    assert status_of(at, "2026-03-02") == "past week (history)"
    assert (
        status_of(at, "2026-03-16") == "too soon (inside the buffer or before the agreement allows)"
    )
    assert status_of(at, "2026-03-23") == "away all week (leave, closure, not started or left)"
    assert status_of(at, "2026-04-06") == "open — earliest week for a new client"


def test_only_the_earliest_week_is_flagged_for_highlighting(firm: Firm) -> None:
    at = page(PAGE, firm, adviser="eli").run()
    weeks = at.dataframe[0].value

    flagged = weeks[weeks["earliest"]]

    assert list(flagged["week"].astype(str)) == ["2026-04-06"]


def test_ledger_shows_clarify_and_pending_load_separately(firm: Firm) -> None:
    at = page(PAGE, firm, adviser="dana").run()
    table = at.dataframe[0].value
    weeks = table.set_index(table["week"].astype(str))

    assert weeks.loc["2026-03-16", "meeting_load"] == 2  # two Clarifies that week
    assert weeks["pending_load"].sum() >= 1  # deal D-101, given to Dana, no Clarify yet


def test_meetings_leave_and_overrides_of_the_adviser_are_listed(firm: Firm) -> None:
    eli = page(PAGE, firm, adviser="eli").run()
    gus = page(PAGE, firm, adviser="gus").run()

    assert [t.label for t in eli.tabs] == ["Meetings (1)", "Leave (1)", "Overrides (0)"]
    assert eli.dataframe[2].value.iloc[0]["From"] == "23 Mar 2026"
    assert gus.dataframe[3].value.iloc[0]["Monthly limit"] == "0"


def test_schedule_tables_read_as_words_without_ids_or_codes(firm: Firm) -> None:
    at = page(PAGE, firm, adviser="dana").run()

    meetings, leave, overrides = (t.value for t in at.dataframe[1:4])
    assert list(meetings.columns) == ["When", "Meeting", "Deal"]
    assert set(meetings["Meeting"]) == {"Clarify meeting"}  # never the code "clarify"
    assert all(re.fullmatch(r"\w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d", w) for w in meetings["When"])
    shown = " ".join(t.to_string() for t in (meetings, leave, overrides))
    plan = firm.services.browsing.schedule("dana")
    ids = (
        {m.id for m in plan.meetings} | {o.id for o in plan.overrides} | {x.id for x in plan.leave}
    )
    assert not [i for i in ids if i in shown]
    assert "None" not in shown


def test_choosing_another_adviser_updates_the_shareable_link(firm: Firm) -> None:
    at = page(PAGE, firm, adviser="eli").run()

    at.selectbox(key=state.SC_ADVISER).select("dana").run()

    assert at.query_params[state.ADVISER_PARAM] in ("dana", ["dana"])
    assert at.metric[0].value == "13 Apr 2026"


def test_an_adviser_not_taking_on_clients_has_no_earliest_week_and_no_open_week(
    firm: Firm,
) -> None:
    at = page(PAGE, firm, adviser="fay").run()
    weeks = at.dataframe[0].value

    assert not at.exception
    assert at.metric[0].value == "not taking clients"
    assert at.metric[1].value == "0"  # open weeks ahead
    assert not weeks["earliest"].any()
    assert "open — earliest week for a new client" not in set(weeks["status"])
    assert status_of(at, "2026-03-23") == "free capacity, but not taking on new clients"


def test_arriving_from_the_sidebar_puts_the_adviser_in_the_link(firm: Firm) -> None:
    at = page(PAGE, firm).run()  # no ?adviser=: the first adviser by name

    assert at.selectbox(key=state.SC_ADVISER).value == "dana"
    assert at.query_params[state.ADVISER_PARAM] in ("dana", ["dana"])


def test_a_link_to_an_unknown_adviser_says_so_instead_of_showing_someone_else(
    firm: Firm,
) -> None:
    at = page(PAGE, firm, adviser="zoe-left-last-year").run()

    assert not at.exception
    assert "No adviser “zoe-left-last-year” is known here" in at.warning[0].value
    assert at.selectbox(key=state.SC_ADVISER).value is None
    assert not at.metric  # nobody's schedule is shown

    at.selectbox(key=state.SC_ADVISER).select("eli").run()

    assert at.query_params[state.ADVISER_PARAM] in ("eli", ["eli"])
    assert at.metric[0].value == "6 Apr 2026"
