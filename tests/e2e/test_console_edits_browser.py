"""Edits made in a real browser reach the views built on them: a closure typed into the
Closures grid moves one adviser on the heatmap; an override set on the Capacity overrides
page changes that adviser's schedule."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from tests.e2e.console_ui import (
    add_row,
    choose,
    drawn_heatmap,
    expect,
    go_to,
    grid_column,
    no_exception,
    open_expander,
    open_page,
    type_date,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

START, END, DESCRIPTION, ADVISERS = 1, 2, 3, 5  # the Closures grid's columns (0: row marker)


def test_a_closure_typed_into_the_grid_moves_only_that_advisers_earliest_week(
    page: Page, console_url: str
) -> None:
    open_page(page, console_url, "", "Availability")
    before = drawn_heatmap(page)
    name, week = min(before.earliest.items(), key=lambda item: (item[1], item[0]))
    friday = week + dt.timedelta(days=4)

    go_to(page, "Closures", "Office closures")
    row = add_row(page, page.get_by_test_id("stDataFrame").first)
    row.fill(START, week.isoformat(), date=True)
    row.fill(END, friday.isoformat(), date=True)
    row.fill(DESCRIPTION, "E2E team offsite")
    row.skip()  # "Applies to" is worked out from the advisers and regions
    row.fill(ADVISERS, name)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved: 1 added, 0 changed, 0 deleted.")).to_be_visible()
    no_exception(page)

    go_to(page, "Availability", "Availability")
    after = drawn_heatmap(page)
    assert after.earliest[name] > week
    assert "5 day(s) closed" in after.note(name, week)
    others = {n: w for n, w in after.earliest.items() if n != name}
    assert others == {n: w for n, w in before.earliest.items() if n != name}


def test_a_zero_override_sets_the_schedules_monthly_limit_and_leaves_no_open_week(
    page: Page, console_url: str
) -> None:
    open_page(page, console_url, "", "Availability")
    name = sorted(drawn_heatmap(page).earliest)[-1]
    earliest = page.get_by_test_id("stMetricValue").first
    go_to(page, "Adviser schedule", "Adviser schedule")
    choose(page, "Adviser", name)
    page.wait_for_url("**adviser=**")
    expect(earliest).not_to_have_text("none")
    ledger = page.get_by_test_id("stDataFrame").first
    assert set(grid_column(ledger, "Limit/month")) != {"0"}

    go_to(page, "Capacity overrides", "Capacity overrides")
    open_expander(page, "Quick add: one override")
    choose(page, "Adviser", name)
    page.get_by_role("spinbutton", name="Monthly limit").fill("0")
    type_date(page, "From", dt.date.today() - dt.timedelta(days=30))
    page.get_by_role("textbox", name="Note").fill("E2E: on a break from new clients")
    page.get_by_role("button", name="Add override").click()
    expect(page.get_by_text("Saved: 1 added, 0 changed, 0 deleted.")).to_be_visible()

    go_to(page, "Adviser schedule", "Adviser schedule")
    expect(page.get_by_role("combobox", name="Adviser")).to_have_value(name)
    expect(earliest).to_have_text("none")
    assert set(grid_column(ledger, "Limit/month")) == {"0"}
    no_exception(page)
