"""A page's URL as the first request a freshly started console gets: every page, and the
Employment Hero sign-in return (``/settings?code=…&state=…``) after a restart.

Streamlit serves the first script run of a new process in its old ``pages/`` mode (see
console/navigation.py), which is where a spurious "Page not found" or a page drawn without
app.py's gate would come from; only a new ``streamlit run`` meets that run again, so every
check here starts one (on one store, seeded once). Opening URLs on a server that has been
running a while is covered by test_console_browser.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import new_tab, running_console
from tests.e2e.console_ui import (
    PAGES,
    expect,
    no_exception,
    open_page,
    page_not_found,
    settled,
)
from tests.streamlit_server import free_port

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

EMPLOYMENT_HERO = {"EH_CLIENT_ID": "console-client", "EH_CLIENT_SECRET": "test-only-secret"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One embedded store with demo data for every fresh start here (seeded by the first)."""
    return tmp_path_factory.mktemp("fresh-starts")


def sidebar_shows(tab: Page, link: str) -> None:
    """The whole page list is in the sidebar, with ``link`` marked as the page shown."""
    nav = tab.get_by_test_id("stSidebarNav")
    titles = nav.get_by_role("link").get_by_test_id("stMarkdownContainer").all_inner_texts()
    assert titles == [name for _, name, _ in PAGES]
    shown = nav.locator('a[aria-current="page"]').get_by_test_id("stMarkdownContainer")
    expect(shown).to_have_text(link)


@pytest.mark.parametrize(("path", "link", "title"), PAGES, ids=[p[1] for p in PAGES])
def test_a_pages_url_as_the_first_request_after_a_start_opens_that_page(
    browser: Browser, store: Path, path: str, link: str, title: str
) -> None:
    with (
        running_console(store) as url,
        new_tab(browser, f"first-request-{path or 'home'}") as tab,
    ):
        open_page(tab, url, path, title)  # and no "Page not found"

        address, _, query = tab.url.partition("?")
        assert address == f"{url}/{path}"
        # Only the schedule adds to its address: the adviser shown, so the link can be shared.
        assert query.startswith("adviser=") if path == "schedule" else not query
        sidebar_shows(tab, link)
        no_exception(tab)


def test_a_url_that_is_no_page_still_gets_streamlits_page_not_found(
    page: Page, console_url: str
) -> None:
    """The other side of the checks above: the dialog they look for is the one Streamlit
    shows, and the home page runs underneath it."""
    page.goto(f"{console_url}/no-such-page")
    page.get_by_role("heading", name="Availability", level=1).wait_for()
    settled(page)

    expect(page_not_found(page)).to_contain_text("Running the app's main page")


def test_the_employment_hero_sign_in_return_lands_on_settings_after_a_restart(
    browser: Browser, store: Path
) -> None:
    port = free_port()
    settings = {**EMPLOYMENT_HERO, "EH_REDIRECT_URI": f"http://127.0.0.1:{port}/settings"}
    with (
        running_console(store, settings, port=port) as url,
        new_tab(browser, "employment-hero-connect") as tab,
    ):
        open_page(tab, url, "settings", "Settings")
        tab.get_by_role("tab", name="Integrations").click()
        tab.get_by_role("button", name="Connect Employment Hero").click()
        sign_in = tab.get_by_role("link", name="Continue to Employment Hero to sign in")
        sent = parse_qs(urlsplit(sign_in.get_attribute("href") or "").query)
        assert sent["redirect_uri"] == [f"{url}/settings"]  # where Employment Hero returns
        [state] = sent["state"]

    # The console restarts (a deploy, a new instance) while the person signs in; Employment
    # Hero then sends the browser back, and that URL is the new process's first request.
    with (
        running_console(store, settings, port=port) as url,
        new_tab(browser, "employment-hero-return") as tab,
    ):
        open_page(tab, url, f"settings?code=the-code&state={state}", "Settings")

        # The page took the code and the state this person started: the sign-in is used up
        # and only the code exchange is left, which fails because Employment Hero cannot be
        # reached from the test machine (tests/app covers a successful exchange).
        expect(tab.get_by_test_id("stAlertContentError")).to_contain_text(
            "Employment Hero was not connected: Employment Hero did not accept the connection"
        )
        assert tab.url == f"{url}/settings"  # code and state are gone from the address bar
        sidebar_shows(tab, "Settings")
        no_exception(tab)
