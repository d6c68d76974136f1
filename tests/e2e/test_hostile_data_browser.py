"""Hostile data in a real browser (issue 9): a console whose adviser, pod, region, packages,
closure and decision carry markdown and HTML draws no link or image from them, the browser
never asks the attacker's host for anything, and the words read as they were written.

The AppTests (tests/app/test_hostile_data.py) check every page with a stand-in markdown
parser; this checks Streamlit's own renderer (GitHub-flavoured markdown, bare-URL links,
emoji and colour directives) and Plotly's SVG on the pages where the data shows unprompted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from allocation import Adviser, Closure
from integrations.sqlite import SqliteStore
from services.records import AllocationRecord, EditBatch
from tests.e2e.conftest import VIEWPORT, running_console
from tests.e2e.console_ui import choose, no_exception, open_page, settled

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

ATTACKER = "attacker.invalid"


def payload(field: str) -> str:
    return (
        f"![{field}](http://{ATTACKER}/{field}.png) [Reconnect {field}](http://{ATTACKER}/x) "
        f'<img src="http://{ATTACKER}/{field}.gif"> <a href="http://{ATTACKER}/a">{field}</a> '
        f":red[{field}] :smile: "
        f"http://{ATTACKER}/{field}/bare www.{ATTACKER}"
    )


NAME, POD, REGION = payload("name"), payload("pod"), payload("region")
PACKAGE, CLOSURE, NOTE = payload("package"), payload("closure"), payload("note")


def seed(path: Path) -> None:
    store = SqliteStore(path)
    store.replace_advisers(
        [
            Adviser("dana", NAME, "dana@firm.example", pod_type=POD, region=REGION,
                    service_packages=frozenset({"Series A", PACKAGE})),
            Adviser("eli", "Eli", "eli@firm.example", service_packages=frozenset({"Series A"})),
        ]
    )  # fmt: skip
    today = dt.date.today()
    closure = Closure("c1", today, today + dt.timedelta(days=2), CLOSURE)
    store.save_closures(EditBatch(added=(closure,)), "seed")
    decided = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    record = AllocationRecord(
        "D-1", "unallocated", None, None, PACKAGE, payload("household"), None, decided,
        "webhook", note=NOTE,
    )  # fmt: skip
    store.record_allocation(record, based_on="0")  # books nobody: no adviser's load to name
    store.close()


@pytest.fixture(scope="module")
def hostile_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("hostile-console")
    seed(workdir / "console.db")
    with running_console(workdir, env={"CONSOLE_DEMO": "0"}) as url:
        yield url


@pytest.fixture
def tab(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A tab, and every URL it asked for."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    yield page, asked
    context.close()


def drawn_from_the_attacker(page: Page) -> list[str]:
    """Links (HTML or SVG) and images pointing at the attacker's host."""
    found: list[str] = page.evaluate(
        """host => [...document.querySelectorAll('a, img, image')]
            .map(e => e.getAttribute('href') || e.getAttribute('xlink:href')
                      || e.getAttribute('src') || '')
            .filter(target => target.includes(host))""",
        ATTACKER,
    )
    return found


def reads(page: Page, text: str) -> bool:
    """Whether ``text`` is on the page as words (the invisible word joiner aside)."""
    shown: str = page.locator('[data-testid="stMain"]').inner_text()
    return text in " ".join(shown.replace("\u2060", "").split())


def test_the_schedule_caption_shows_the_advisers_fields_literally(
    tab: tuple[Page, list[str]], hostile_console: str
) -> None:
    page, asked = tab
    open_page(page, hostile_console, "schedule?adviser=dana", "Adviser schedule")

    no_exception(page)
    assert drawn_from_the_attacker(page) == []
    assert reads(page, POD)
    assert reads(page, REGION)
    assert [url for url in asked if ATTACKER in url] == []


def test_the_heatmap_and_a_decisions_caption_draw_nothing_from_the_data(
    tab: tuple[Page, list[str]], hostile_console: str
) -> None:
    page, asked = tab
    open_page(page, hostile_console, "", "Availability")
    page.locator(".main-svg").first.wait_for()
    assert drawn_from_the_attacker(page) == []

    open_page(page, hostile_console, "allocations", "Allocations")
    choose(page, "Explain a decision", "D-1")
    page.get_by_test_id("stMarkdownContainer").filter(has_text="Deal D-1").first.wait_for()
    settled(page)

    no_exception(page)
    assert drawn_from_the_attacker(page) == []
    assert reads(page, PACKAGE)
    assert reads(page, NOTE)
    assert [url for url in asked if ATTACKER in url] == []
