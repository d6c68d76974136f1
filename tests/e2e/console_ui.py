"""How the browser tests see and drive the console: pages, widgets, the heatmap, the grids.

Every wait is on a condition the user would see (a heading, a cell's text, Streamlit's
"Running…" indicator gone), never a fixed sleep. Playwright is imported inside the helpers so
that, without it, the harness skips (or fails under CONSOLE_REQUIRE_BROWSER=1) with a reason
instead of the module failing to import.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

EXCEPTION = '[data-testid="stException"]'
PAGE_NOT_FOUND = "Page not found"
# Every page: (its URL path, its sidebar link, its heading), in the sidebar's order. The home
# page is served at the root; the others at the name of their script in pages/.
PAGES = [
    ("", "Availability", "Availability"),
    ("schedule", "Adviser schedule", "Adviser schedule"),
    ("advisers", "Advisers", "Advisers"),
    ("closures", "Closures", "Office closures"),
    ("overrides", "Capacity overrides", "Capacity overrides"),
    ("preview", "Allocation preview", "Allocation preview"),
    ("outlook", "Capacity outlook", "Capacity outlook"),
    ("allocations", "Allocations", "Allocations"),
    ("folders", "Client folders", "Client folders"),
    ("sync", "Sync", "Sync"),
    ("settings", "Settings", "Settings"),
]
# A Streamlit script is done when the app says so, its status widget ("Running…") is gone and
# no skeleton placeholder (an element still to come) is left.
DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
BUSY = '[data-testid="stStatusWidget"], [data-testid="stSkeleton"]'
RUN_SECONDS = 60
ROW_MARKER_PX = 34  # width of the editor's row-marker column, left of the first data column
ROW_PX = 35  # Streamlit's data grid row height


def expect(target: Any) -> Any:
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def settled(page: Page) -> None:
    """Wait until Streamlit has finished running the page's script."""
    page.wait_for_function(
        f"() => document.querySelector('{DONE}') && !document.querySelector('{BUSY}')",
        timeout=RUN_SECONDS * 1000,
    )


def open_page(page: Page, url: str, path: str, title: str) -> None:
    """Load a page by URL (a new session), wait for it to finish drawing, and check that
    Streamlit did not say the URL was no page of the app."""
    page.goto(f"{url}/{path}")
    page.get_by_role("heading", name=title, level=1).wait_for()
    settled(page)
    no_page_not_found(page)


def page_not_found(page: Page) -> Locator:
    """Streamlit's "Page not found … Running the app's main page." dialog: it comes before
    the page is drawn, so once the page has settled it is there or it never came."""
    return page.get_by_role("dialog").filter(has_text=PAGE_NOT_FOUND)


def no_page_not_found(page: Page) -> None:
    shown = page_not_found(page)
    assert shown.count() == 0, shown.first.inner_text()
    assert page.get_by_text(PAGE_NOT_FOUND).count() == 0  # nor as a toast or anywhere else


def go_to(page: Page, link: str, title: str) -> None:
    """Follow a sidebar link (the same session, as a user moves around)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True).click()
    page.get_by_role("heading", name=title, level=1).wait_for()
    settled(page)


def no_exception(page: Page) -> None:
    boxes = page.locator(EXCEPTION)
    assert boxes.count() == 0, boxes.first.inner_text()


def open_expander(page: Page, label: str) -> Locator:
    """Open an expander and wait for its opening animation to end: a click on a widget that is
    still sliding into place can land while the layout moves and be lost."""
    expander = page.get_by_test_id("stExpander").filter(has_text=label)
    expander.locator("summary").click()
    expect(expander.locator("details")).to_have_attribute("open", "")
    expander.locator("details").evaluate(
        """details => Promise.all(details.getAnimations({subtree: true}).map(a => a.finished))"""
    )
    return expander


def open_select(page: Page, label: str) -> None:
    """Open the select labelled ``label``. A click that lands while a rerun redraws the select
    can leave its list shut, so click again once the page has settled (checking first, so a
    second click never shuts a list the first one opened)."""
    box = page.get_by_role("combobox", name=label).first
    for attempt in range(3):
        if box.get_attribute("aria-expanded") != "true":
            box.click()
        try:
            expect(box).to_have_attribute("aria-expanded", "true", timeout=5_000)
            return
        except AssertionError:
            if attempt == 2:
                raise
            settled(page)


def choose(page: Page, label: str, option: str, many: bool = False) -> None:
    """Pick ``option`` in the select (or, with ``many``, multiselect) labelled ``label``."""
    open_select(page, label)
    page.keyboard.type(option)  # the list opens and narrows on typing
    page.get_by_role("option", name=option, exact=True).click()
    if many:  # a multiselect stays open; Escape closes it (on a select it would clear it)
        page.keyboard.press("Escape")


def choose_first(page: Page, label: str) -> str:
    """Pick the first option of the select labelled ``label`` and return its text."""
    open_select(page, label)
    option = page.get_by_role("option").first
    text = option.inner_text()
    option.click()
    return text


def type_date(page: Page, label: str, day: dt.date) -> None:
    """Type into a date field's year, month and day segments (each moves on when full)."""
    page.get_by_role("spinbutton", name=f"year, {label}").click()
    page.keyboard.type(f"{day:%Y%m%d}")
    page.keyboard.press("Tab")


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


# --- the heatmap ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Heatmap:
    """What the drawn chart holds, read from Plotly's own data in the page."""

    advisers: tuple[str, ...]  # row labels, top to bottom
    weeks: tuple[dt.date, ...]
    notes: tuple[tuple[str, ...], ...]  # hover words, rows × weeks
    earliest: dict[str, dt.date]  # adviser → their ◆ week

    def note(self, adviser: str, week: dt.date) -> str:
        return self.notes[self.advisers.index(adviser)][self.weeks.index(week)]


def drawn_heatmap(page: Page) -> Heatmap:
    page.locator(".js-plotly-plot .heatmaplayer").first.wait_for()
    raw = page.evaluate(
        """() => {
            const traces = document.querySelector('.js-plotly-plot').data;
            const cells = traces.find(t => t.type === 'heatmap');
            const marks = traces.find(t => t.type === 'scatter');
            return {y: Array.from(cells.y), x: Array.from(cells.x),
                    text: Array.from(cells.text, row => Array.from(row)),
                    my: Array.from(marks.y), mx: Array.from(marks.x)};
        }"""
    )
    return Heatmap(
        advisers=tuple(str(a) for a in raw["y"]),
        weeks=tuple(_day(w) for w in raw["x"]),
        notes=tuple(tuple(str(t) for t in row) for row in raw["text"]),
        earliest={str(a): _day(w) for a, w in zip(raw["my"], raw["mx"], strict=True)},
    )


def _day(value: object) -> dt.date:
    return dt.date.fromisoformat(str(value)[:10])


# --- Streamlit's data grid ------------------------------------------------------------------
# The grid draws on a canvas; beside it sits an accessible table of the rows in view, whose
# cells (``glide-cell-<column>-<row>``) carry the text and which one is selected.


def grid_cell(grid: Locator, column: int, row: int) -> Locator:
    return grid.get_by_test_id(f"glide-cell-{column}-{row}")


def grid_column(grid: Locator, header: str) -> list[str]:
    """The texts of the column headed ``header``, for the rows in view, top to bottom."""
    table = grid.locator('table[role="grid"]')
    table.locator('[role="gridcell"]').first.wait_for(state="attached")
    # Inside a canvas the table is fallback content, not in the accessibility tree that
    # get_by_role searches, so it is found by its attributes.
    heading = table.locator("th", has_text=re.compile(f"^{re.escape(header)}$"))
    index = heading.get_attribute("aria-colindex")
    return table.locator(f'td[aria-colindex="{index}"]').all_inner_texts()


@dataclass(frozen=True)
class NewRow:
    """A row just added to an editor, filled cell by cell from the keyboard as a user would."""

    page: Page
    grid: Locator
    row: int

    def cell(self, column: int) -> Locator:
        return grid_cell(self.grid, column, self.row)

    def fill(self, column: int, value: str, date: bool = False) -> None:
        """Enter opens the cell's editor; Enter again saves it and moves down, so come back up
        and step right, to the next column."""
        expect(self.cell(column)).to_have_attribute("aria-selected", "true")
        self.page.keyboard.press("Enter")
        editor = self.page.locator(
            '[data-testid="date-picker-cell"]' if date else "#portal textarea"
        )
        editor.fill(value)
        self.page.keyboard.press("Enter")
        expect(editor).to_be_hidden()
        expect(self.cell(column)).to_have_text(value)
        self.page.keyboard.press("ArrowUp")
        expect(self.cell(column)).to_have_attribute("aria-selected", "true")
        self.page.keyboard.press("ArrowRight")

    def skip(self) -> None:
        """Step over a read-only column."""
        self.page.keyboard.press("ArrowRight")


def add_row(page: Page, grid: Locator) -> NewRow:
    """Press the editor's "Add row" and select the new row's first cell."""
    table = grid.locator('table[role="grid"]')
    table.locator('[role="gridcell"]').first.wait_for(state="attached")
    rows_before = int(table.get_attribute("aria-rowcount") or 0)
    grid.hover()  # the toolbar shows on hover
    grid.get_by_role("button", name="Add row").click()
    expect(table).to_have_attribute("aria-rowcount", str(rows_before + 1))
    # The grid scrolls the new row into view: it is the last row of the table.
    last_id = table.locator('[role="gridcell"]').last.get_attribute("id") or ""
    added = NewRow(page, grid, int(last_id.rsplit("-", 1)[1]))
    canvas = grid.get_by_test_id("data-grid-canvas").bounding_box()
    assert canvas is not None
    # Below the header row; on the last line when the grid had to scroll down to it.
    down = min(ROW_PX * (added.row + 1), canvas["height"] - ROW_PX) + ROW_PX / 2
    page.mouse.click(canvas["x"] + ROW_MARKER_PX + 20, canvas["y"] + down)
    return added
