"""No page shows internals: every page of the demo console, every tab of it, read in a real
browser, has no ``None``, no raw status or action code, no ISO timestamp, no JSON and no
record id in what a person can read (the text on the page and the cells of its tables).

The console runs on its own store, and every source is synced first from the Sync page (demo
mode needs no accounts), so the run tables, the audit and the allocations have rows to show.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from integrations.demo_data import demo_advisers
from tests.e2e.conftest import new_tab, running_console
from tests.e2e.console_ui import PAGES, choose_first, no_exception, open_page, settled

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

# What a person must never read, each with what it is.
INTERNALS = {
    "None": re.compile(r"\bNone\b"),
    "NaT or nan": re.compile(r"\b(NaT|nan)\b"),
    "a status code": re.compile(r"\b(writeback_pending|writeback_failed)\b"),
    "a source code": re.compile(r"\breassign:\S*"),
    "an action code": re.compile(
        r"\b(closure|override|settings|allocation|sync|writeback|rejection|integration)"
        r"\.(create|update|delete|reassign|retry|resolve|connect|hubspot_\w+|leave|holidays)\b"
    ),
    "a meeting kind code": re.compile(r"\bkind (clarify|kickoff)\b"),
    "an ISO timestamp": re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?"),
    "a UTC offset": re.compile(r"[+-]\d\d:\d\d\b"),
    "an ISO date": re.compile(r"\b\d{4}-\d\d-\d\d\b"),
    "JSON": re.compile(r"[{\[]\s*\"\w+\"\s*:"),
    "an entity id column": re.compile(r"\bentity_id\b"),
    "a record id": re.compile(
        r"\b(closure|override)-[0-9a-f]{10}\b|\b[0-9a-f]{32}\b|\b[mk]-\d{6}\b"
        r"|\bleave-\d+-\w\b|\bholiday-\d{4}-\d\d-\d\d\b|\bshutdown-\d{4}\b"
    ),
}
# The grid's accessible table holds a cell's value, not its display: a DateColumn's value is
# ISO however it is drawn ("D MMM YYYY"), so in tables an ISO date alone is not a finding.
DRAWN_BY_FORMAT = frozenset({"an ISO date"})
TABLE_TEXT = """grid => Array.from(
    grid.querySelectorAll('table[role="grid"] th, table[role="grid"] td')
).map(cell => cell.textContent).join('\\n')"""


@pytest.fixture(scope="module")
def synced_console(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[str]:
    """The demo console on its own store, after one "Sync all" from the Sync page."""
    with running_console(tmp_path_factory.mktemp("words")) as url:
        with new_tab(browser, "words-sync-all") as tab:
            open_page(tab, url, "sync", "Sync")
            tab.get_by_role("button", name="Sync all").click()
            tab.get_by_text("Sync finished").first.wait_for(timeout=120_000)
            settled(tab)
        yield url


def readable_text(tab: Page) -> tuple[str, str]:
    """The page's visible text, and the text of every table cell in view (the grid draws on
    a canvas; its accessible table beside it holds the cells' values)."""
    main = tab.get_by_test_id("stMain")
    grids = tab.locator('[data-testid="stDataFrame"]')
    cells = [grids.nth(n).evaluate(TABLE_TEXT) for n in range(grids.count())]
    return main.inner_text(), "\n".join(cells)


def every_view(tab: Page) -> Iterator[tuple[str, str]]:
    """The page as opened, then with each of its tabs chosen in turn and its expanders open."""
    for summary in tab.get_by_test_id("stExpander").locator("summary").all():
        summary.click()
    yield readable_text(tab)
    tabs = tab.get_by_test_id("stMain").get_by_role("tab")
    for n in range(tabs.count()):
        tabs.nth(n).click()
        settled(tab)
        yield readable_text(tab)


def internals_in(text: str, adviser_ids: set[str], cells: bool = False) -> list[str]:
    found = [
        f"{what}: {match.group(0)!r} in …{text[max(0, match.start() - 40) : match.end() + 40]}…"
        for what, pattern in INTERNALS.items()
        if not (cells and what in DRAWN_BY_FORMAT)
        for match in pattern.finditer(text)
    ]
    found += [
        f"an adviser id: {word!r}" for word in re.findall(r"\b\d{5}\b", text) if word in adviser_ids
    ]
    return found


@pytest.mark.parametrize(("path", "link", "title"), PAGES, ids=[p[1] for p in PAGES])
def test_no_page_shows_none_codes_timestamps_json_or_ids(
    browser: Browser, synced_console: str, path: str, link: str, title: str
) -> None:
    adviser_ids = {a.id for a in demo_advisers(dt.date.today())}
    with new_tab(browser, f"words-{link}") as tab:
        open_page(tab, synced_console, path, title)
        problems = sorted(
            {
                problem
                for visible, cells in every_view(tab)
                for problem in internals_in(visible, adviser_ids)
                + internals_in(cells, adviser_ids, cells=True)
            }
        )
        no_exception(tab)

    assert problems == [], f"{title} shows internals:\n" + "\n".join(problems)


def test_the_scan_finds_what_it_looks_for() -> None:
    """The patterns catch the internals the console used to show (so a clean page is clean)."""
    old = (
        'closure.create  {"start": "2026-12-25"}  2026-11-25T09:31:00+00:00  None  '
        "writeback_pending  reassign:local  kind clarify  closure-261baafaed  71017"
    )
    kinds = {p.split(":")[0] for p in internals_in(old, {"71017"})}
    assert kinds == set(INTERNALS) - {"NaT or nan", "an entity id column"} | {"an adviser id"}
    assert internals_in("Added closure · 7 Dec 2026, 14:05 · Write-back pending", set()) == []


def test_a_preview_and_an_explained_decision_show_no_internals(
    browser: Browser, synced_console: str
) -> None:
    """The ranking tables appear only once asked for: a preview, and a decision explained."""
    adviser_ids = {a.id for a in demo_advisers(dt.date.today())}
    with new_tab(browser, "words-preview-and-explanation") as tab:
        open_page(tab, synced_console, "preview", "Allocation preview")
        tab.get_by_role("button", name="Preview").click()
        tab.get_by_role("heading", name="Every adviser, ranked").wait_for()
        settled(tab)
        visible, cells = readable_text(tab)
        problems = internals_in(visible, adviser_ids) + internals_in(cells, adviser_ids, True)

        open_page(tab, synced_console, "allocations", "Allocations")
        choose_first(tab, "Explain a decision")
        tab.get_by_text("decided", exact=False).first.wait_for()
        settled(tab)
        visible, cells = readable_text(tab)
        problems += internals_in(visible, adviser_ids) + internals_in(cells, adviser_ids, True)
        no_exception(tab)

    assert problems == []
