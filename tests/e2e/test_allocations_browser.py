"""A Chat card's "Open in the console" link, followed in Chromium, opens that decision on the
Allocations page (a real ``streamlit run`` on an embedded store with demo history; the card is
built by the real Chat notifier and caught by a loopback Chat)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import bootstrap
from integrations.google_chat import ChatNotifier
from services.records import AllocationRecord
from settings import Settings
from tests.e2e.conftest import new_tab, running_console
from tests.e2e.console_ui import expect, no_exception, settled
from tests.integration.chat_server import FakeChatServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser

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


def test_a_chat_cards_deal_link_opens_that_decision(browser: Browser, tmp_path: Path) -> None:
    with (
        running_console(tmp_path) as url,
        new_tab(browser, "chat_deal_link_opens_the_decision") as tab,
    ):
        tab.goto(url)  # the first visit fills the fresh store with the demo firm
        tab.get_by_role("heading", name="Availability", level=1).wait_for()
        store = f"sqlite:///{tmp_path / 'console.db'}"
        services = bootstrap.build_services(Settings.of(CONSOLE_STORE=store, CONSOLE_DEMO="0"))
        decisions = services.history.allocations()
        assert len(decisions) > 1, "the demo firm has a history of decisions"
        record = decisions[-1]  # the oldest: not what the page would show first anyway

        tab.goto(card_link(record, url))
        tab.get_by_role("heading", name="Allocations", level=1).wait_for()
        settled(tab)

        summary = tab.get_by_test_id("stMarkdownContainer").filter(
            has_text=f"Deal {record.deal_id} —"
        )
        expect(summary.first).to_be_visible()
        expect(tab.get_by_text("Every adviser as ranked when it was decided")).to_be_visible()
        chosen = tab.get_by_role("combobox", name="Explain a decision")
        expect(chosen).to_have_value(record.deal_id)
        assert f"deal={record.deal_id}" in tab.url
        no_exception(tab)
