"""The Availability page: filters, sorting, the earliest week, opening a schedule, CSV."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from console import state
from services import Services
from services.records import EditBatch
from tests.app.firm import Firm, page, small_firm
from tests.builders import closure
from tests.fake_ports import FakeCrm
from tests.fakes import InMemoryStore

PAGE = "pages/availability.py"


@pytest.fixture
def firm() -> Firm:
    return small_firm()


def shown(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["adviser"])


def earliest(at: AppTest) -> dict[str, str]:
    table = at.dataframe[0].value
    return {a: str(w) for a, w in zip(table["adviser"], table["earliest_week"], strict=True)}


def test_every_adviser_is_listed_soonest_first_with_their_earliest_week(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    assert not at.exception
    # Fay is not taking on clients: the allocator skips her, so she comes last, unmarked.
    assert shown(at) == ["Eli", "Dana", "Gus", "Fay"]
    assert earliest(at)["Eli"] == "2026-04-06"  # on leave the two weeks before
    assert earliest(at)["Fay"] == "None"
    assert "**4** advisers shown" in at.markdown[0].value


def test_package_filter_hides_advisers_who_do_not_offer_it(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    at.selectbox(key=state.AV_PACKAGE).select("Series B").run()

    assert shown(at) == ["Dana"]


def test_household_region_and_pod_filters_narrow_the_rows(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    at.selectbox(key=state.AV_HOUSEHOLD).select("Single").run()
    assert "Eli" not in shown(at)  # couples only

    at.multiselect(key=state.AV_REGIONS).select("NSW").run()
    assert sorted(shown(at)) == ["Dana", "Fay"]

    at.multiselect(key=state.AV_PODS).select("Team Pod").run()
    assert shown(at) == ["Fay"]


def test_taking_on_clients_only_hides_advisers_who_are_not(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    at.toggle(key=state.AV_TAKING).set_value(True).run()

    assert "Fay" not in shown(at)
    assert len(shown(at)) == 3


def test_filters_that_match_nobody_say_so(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    at.selectbox(key=state.AV_PACKAGE).select("IPO").run()

    assert not at.exception
    assert [i.value for i in at.info] == ["No adviser matches these filters."]


def test_sorting_by_name(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    at.radio(key=state.AV_SORT).set_value("name").run()

    assert shown(at) == ["Dana", "Eli", "Fay", "Gus"]


def chart(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def test_metric_switch_recolours_the_heatmap(firm: Firm) -> None:
    at = page(PAGE, firm).run()
    assert chart(at)["data"][0]["name"] == "Free capacity (balance)"

    at.selectbox(key=state.AV_METRIC).select("load").run()

    assert not at.exception
    heat = chart(at)["data"][0]
    assert heat["name"] == "Load (new clients)"
    assert heat["colorbar"]["ticktext"] == ["away", "0", "1", "2", "3"]


def test_the_table_gives_each_advisers_earliest_week_and_open_weeks(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    table = at.dataframe[0].value.set_index("adviser")

    assert str(table.loc["Eli", "earliest_week"]) == "2026-04-06"
    assert table.loc["Dana", "open_weeks"] > 0
    assert table.loc["Fay", "open_weeks"] == 0  # not taking on clients: never open
    assert table.loc["Gus", "region"] == "QLD"


def test_choosing_an_adviser_carries_them_to_the_schedule(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    at.selectbox(key=state.AV_PICK).select("eli").run()

    assert at.session_state[state.ADVISER] == "eli"


def test_what_is_shown_can_be_downloaded_as_csv(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    buttons = at.get("download_button")

    assert [b.proto.label for b in buttons] == ["Download CSV"]
    assert buttons[0].proto.url.endswith(".csv")


def test_a_new_closure_shows_on_the_next_run_despite_the_cache(firm: Firm) -> None:
    at = page(PAGE, firm).run()
    assert earliest(at)["Dana"] == "2026-04-13"

    dana_away = closure("2026-04-13", "2026-04-17", advisers=("dana",))
    firm.store.save_closures(EditBatch(added=(dana_away,)), "ed@firm.example")
    at.run()

    assert earliest(at)["Dana"] != "2026-04-13"


def test_the_filters_are_in_the_link_and_a_link_opens_with_them(firm: Firm) -> None:
    at = page(PAGE, firm).run()
    assert at.query_params == {}  # the defaults need no query string

    at.selectbox(key=state.AV_PACKAGE).select("Series A").run()
    at.multiselect(key=state.AV_REGIONS).select("NSW").select("VIC").run()
    at.radio(key=state.AV_GROUP).set_value("pod").run()

    assert at.query_params == {"package": "Series A", "region": ["NSW", "VIC"], "group": "pod"}
    shared = page(PAGE, firm, package="Series A", group="pod")
    shared.query_params["region"] = ["NSW", "VIC"]
    shared.run()
    assert not shared.exception
    assert shown(shared) == shown(at) == ["Eli", "Dana"]
    assert shared.multiselect(key=state.AV_REGIONS).value == ["NSW", "VIC"]


def test_coming_back_without_a_query_string_keeps_the_filters_and_restores_the_link(
    firm: Firm,
) -> None:
    at = page(PAGE, firm).run()
    at.selectbox(key=state.AV_HOUSEHOLD).select("Couple").run()

    at.query_params.clear()  # the sidebar's link to this page has no query string
    at.run()

    assert at.selectbox(key=state.AV_HOUSEHOLD).value == "Couple"
    assert at.query_params == {"household": "Couple"}


def test_a_link_naming_something_unknown_says_so_and_shows_the_rest(firm: Firm) -> None:
    at = page(PAGE, firm, package="Series Z", region="NSW").run()

    assert not at.exception
    assert "service package “Series Z” is not known" in at.warning[0].value
    assert sorted(shown(at)) == ["Dana", "Fay"]


def test_an_adviser_not_taking_clients_is_labelled_and_has_no_diamond(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    traces = {t["name"]: t for t in chart(at)["data"]}
    marks = traces["earliest week (click ◆ to open the schedule)"]
    assert "fay" not in marks["customdata"]
    assert "Fay · not taking on clients" in traces["Free capacity (balance)"]["y"]
    assert "1 not taking on clients" in at.markdown[0].value


def test_grouping_by_region_heads_each_group_with_its_summary(firm: Firm) -> None:
    at = page(PAGE, firm, group="region").run()

    rows = chart(at)["data"][0]["y"]

    assert rows[0] == "▾ Region NSW: 2 advisers · 1 with an open week · soonest 13 Apr 2026"
    assert rows[1:3] == ["Dana", "Fay · not taking on clients"]
    assert "▾ Region QLD: 1 adviser · 1 with an open week" in rows[3]


def test_an_empty_store_says_to_run_a_sync_not_that_filters_match_nobody() -> None:
    store = InMemoryStore()
    empty = Firm(store, FakeCrm(), Services(store))
    at = page(PAGE, empty).run()

    assert [i.value for i in at.info] == [
        "No advisers yet — run a HubSpot sync from the Sync page."
    ]
