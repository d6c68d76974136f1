"""A person's place survives moving around (issue 13, items 4-6): the Availability filters
stay through another page, a reload, and ◆ → schedule → Back; every address along the way is
a link to what is on screen, and no "Page not found" appears."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.console_ui import (
    choose,
    expect,
    go_to,
    no_exception,
    no_page_not_found,
    open_page,
    settled,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def query(page: Page, *keys: str) -> dict[str, list[str]]:
    """The address's query, once it holds ``keys``: Streamlit writes ``st.query_params`` to
    the address by a message of its own, which can arrive just after the run is marked done."""
    page.wait_for_function(
        "keys => keys.every(k => new URLSearchParams(location.search).has(k))",
        arg=list(keys),
    )
    return parse_qs(urlsplit(page.url).query)


def filters_shown(page: Page) -> None:
    """Series A for a couple, in NSW: in the boxes and in the address."""
    expect(page.get_by_role("combobox", name="Service package")).to_have_value("Series A")
    expect(page.get_by_role("combobox", name="Household")).to_have_value("Couple")
    expect(page.get_by_test_id("stMultiSelect").filter(has_text="Region")).to_contain_text("NSW")
    want = {"package": ["Series A"], "household": ["Couple"], "region": ["NSW"]}
    assert query(page, *want) == want
    no_page_not_found(page)
    no_exception(page)


def test_availability_filters_survive_other_pages_a_reload_and_back_from_a_schedule(
    page: Page, console_url: str
) -> None:
    open_page(page, console_url, "", "Availability")
    choose(page, "Service package", "Series A")
    settled(page)
    choose(page, "Household", "Couple")
    settled(page)
    choose(page, "Region", "NSW", many=True)
    settled(page)
    filters_shown(page)

    go_to(page, "Closures", "Office closures")
    go_to(page, "Availability", "Availability")
    filters_shown(page)

    page.reload()
    page.get_by_role("heading", name="Availability", level=1).wait_for()
    settled(page)
    filters_shown(page)

    diamond = page.locator(".js-plotly-plot .scatterlayer .point").first.bounding_box()
    assert diamond is not None  # Plotly's drag layer covers the marks: click where one is
    page.mouse.click(diamond["x"] + diamond["width"] / 2, diamond["y"] + diamond["height"] / 2)
    page.get_by_role("heading", name="Adviser schedule", level=1).wait_for()
    settled(page)
    adviser = query(page, "adviser")["adviser"]
    assert adviser
    no_page_not_found(page)

    page.go_back()
    page.get_by_role("heading", name="Availability", level=1).wait_for()
    settled(page)
    filters_shown(page)


def test_the_schedule_reached_from_the_sidebar_has_its_adviser_in_the_address(
    page: Page, console_url: str
) -> None:
    open_page(page, console_url, "", "Availability")
    go_to(page, "Adviser schedule", "Adviser schedule")

    chosen = page.get_by_role("combobox", name="Adviser").input_value()
    assert chosen
    assert query(page, "adviser")["adviser"]
    page.goto(page.url)  # the address, opened again (a bookmark, a pasted link)
    page.get_by_role("heading", name="Adviser schedule", level=1).wait_for()
    settled(page)
    expect(page.get_by_role("combobox", name="Adviser")).to_have_value(chosen)
    no_page_not_found(page)


def test_a_schedule_link_to_an_unknown_adviser_says_so(page: Page, console_url: str) -> None:
    open_page(page, console_url, "schedule?adviser=nobody-here", "Adviser schedule")

    main = page.get_by_test_id("stMainBlockContainer")
    expect(main.get_by_test_id("stAlertContentWarning")).to_contain_text(
        "No adviser “nobody-here” is known here"
    )
    assert page.get_by_test_id("stMetric").count() == 0
    no_exception(page)
