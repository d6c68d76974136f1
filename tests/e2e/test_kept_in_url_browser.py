"""Views kept in the URL, in a real browser: the Settings tab a person saved in, the Closures
"Show past closures" choice and the Sync history's source survive a save and a reload, and a
link opens them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.e2e.conftest import new_tab, running_console
from tests.e2e.console_ui import choose, expect, no_exception, open_page, settled

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Its own store: this saves settings."""
    with running_console(tmp_path_factory.mktemp("kept-in-url")) as url:
        yield url


def selected_tab(tab: Page) -> str:
    return tab.get_by_role("tab", selected=True).inner_text().strip()


def test_saving_settings_stays_on_the_tab_saved_in_and_a_reload_keeps_it(
    browser: Browser, console: str
) -> None:
    with new_tab(browser, "kept-settings-tab") as tab:
        open_page(tab, console, "settings", "Settings")
        tab.get_by_role("tab", name="Console policy").click()
        settled(tab)
        hours = tab.get_by_role("spinbutton", name="Warn when a sync is older than (hours)")
        hours.fill("30")
        tab.get_by_role("button", name="Save console policy").click()
        expect(tab.get_by_text("Saved: Warn when a sync is older than (hours).")).to_be_visible()
        settled(tab)

        assert selected_tab(tab) == "Console policy"
        assert "tab=Console+policy" in tab.url or "tab=Console%20policy" in tab.url
        tab.reload()
        tab.get_by_role("heading", name="Settings", level=1).wait_for()
        settled(tab)
        assert selected_tab(tab) == "Console policy"
        no_exception(tab)


def test_a_closures_link_with_past_shows_the_toggle_on(browser: Browser, console: str) -> None:
    with new_tab(browser, "kept-closures-past") as tab:
        open_page(tab, console, "closures?past=true", "Office closures")

        expect(tab.get_by_role("switch", name="Show past closures")).to_be_checked()
        no_exception(tab)


def test_the_sync_history_source_survives_a_reload(browser: Browser, console: str) -> None:
    with new_tab(browser, "kept-sync-source") as tab:
        open_page(tab, console, "sync", "Sync")
        choose(tab, "Source", "Employment Hero leave")
        settled(tab)
        assert "source=" in tab.url
        tab.reload()
        tab.get_by_role("heading", name="Sync", level=1).wait_for()
        settled(tab)

        expect(tab.get_by_role("combobox", name="Source")).to_have_value("Employment Hero leave")
        no_exception(tab)
