"""Opening one decision on the Allocations page in Chromium: from a Chat card's "Open in the
console" link (the card built by the real Chat notifier, caught by a loopback Chat) and by
selecting its history row. A real ``streamlit run`` on an embedded store with demo history."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

import bootstrap
from integrations.google_chat import ChatNotifier
from services import Services
from services.records import AllocationRecord
from settings import Settings
from tests.e2e.conftest import new_tab, running_console
from tests.e2e.console_ui import (
    ROW_MARKER_PX,
    ROW_PX,
    choose,
    expect,
    no_exception,
    open_page,
    settled,
)
from tests.integration.chat_server import FakeChatServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


def links_in(card: Any) -> list[str]:
    """Every button URL in a Chat card."""
    if isinstance(card, dict):
        found = [card["openLink"]["url"]] if "openLink" in card else []
        return found + [u for value in card.values() for u in links_in(value)]
    if isinstance(card, list):
        return [u for value in card for u in links_in(value)]
    return []


def card_link(record: AllocationRecord, console: str) -> str:
    with FakeChatServer() as chat:
        ChatNotifier(chat.url, console_url=console).decision(record)
        [card] = chat.cards
    [link] = [u for u in links_in(card) if "/allocations?deal=" in u]
    return link


@dataclass(frozen=True)
class DemoConsole:
    url: str
    services: Services  # an in-process view of the console's store


@pytest.fixture(scope="module")
def demo_console(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoConsole]:
    """The console on a fresh embedded store, filled with the demo firm by a first visit."""
    workdir = tmp_path_factory.mktemp("allocations")
    with running_console(workdir) as url, new_tab(browser, "allocations_first_visit") as tab:
        tab.goto(url)
        tab.get_by_role("heading", name="Availability", level=1).wait_for()
        store = f"sqlite:///{workdir / 'console.db'}"
        services = bootstrap.build_services(Settings.of(CONSOLE_STORE=store, CONSOLE_DEMO="0"))
        assert len(services.history.allocations()) > 1, "the demo firm has a history"
        yield DemoConsole(url, services)


def opened_decision(tab: Page, deal_id: str) -> None:
    """The decision of ``deal_id`` is open below the history."""
    summary = tab.get_by_test_id("stMarkdownContainer").filter(has_text=f"Deal {deal_id} —")
    expect(summary.first).to_be_visible()
    expect(tab.get_by_text("Every adviser as ranked when it was decided")).to_be_visible()
    expect(tab.get_by_role("combobox", name="Explain a decision")).to_have_value(deal_id)


def test_a_chat_cards_deal_link_opens_that_decision(
    browser: Browser, demo_console: DemoConsole
) -> None:
    record = demo_console.services.history.allocations()[-1]  # the oldest: not shown first
    with new_tab(browser, "chat_deal_link_opens_the_decision") as tab:
        tab.goto(card_link(record, demo_console.url))
        tab.get_by_role("heading", name="Allocations", level=1).wait_for()
        settled(tab)

        opened_decision(tab, record.deal_id)
        assert f"deal={record.deal_id}" in tab.url
        no_exception(tab)


def test_selecting_a_history_row_opens_its_explanation(
    browser: Browser, demo_console: DemoConsole
) -> None:
    newest = demo_console.services.history.allocations()[0]
    with new_tab(browser, "history_row_opens_the_decision") as tab:
        open_page(tab, demo_console.url, "allocations", "Allocations")
        grid = tab.get_by_test_id("stDataFrame").first
        box = grid.bounding_box()
        assert box is not None
        # The first row's selection box, in the row-marker column left of the data.
        tab.mouse.click(box["x"] + ROW_MARKER_PX / 2, box["y"] + ROW_PX * 1.5)
        settled(tab)

        opened_decision(tab, newest.deal_id)
        expect(tab).to_have_url(re.compile(rf"[?&]deal={newest.deal_id}(&|$)"))
        no_exception(tab)


def test_the_filters_and_the_open_part_survive_a_reload(
    browser: Browser, demo_console: DemoConsole
) -> None:
    with new_tab(browser, "allocations_filters_survive_a_reload") as tab:
        open_page(tab, demo_console.url, "allocations", "Allocations")
        choose(tab, "Status", "Allocated")
        settled(tab)
        tab.get_by_role("radio", name=re.compile(r"^Unallocated \(")).click()
        settled(tab)
        expect(tab).to_have_url(re.compile(r"status=allocated"))
        expect(tab).to_have_url(re.compile(r"view=unallocated"))

        tab.reload()
        tab.get_by_role("heading", name="Allocations", level=1).wait_for()
        settled(tab)

        expect(tab.get_by_role("combobox", name="Status")).to_have_value("Allocated")
        expect(tab.get_by_role("radio", name=re.compile(r"^Unallocated \("))).to_be_checked()
        no_exception(tab)
