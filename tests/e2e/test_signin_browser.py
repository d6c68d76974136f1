"""Real sign-ins: ``st.login`` in a real `streamlit run app.py` with an ``[auth]`` section,
against a loopback OpenID Connect provider (``oidc_provider.py``), with Chromium pressing
*Sign in* and typing the account's email into the provider's login form.

Two deploys, both naming their first editor in ``CONSOLE_ADMINS``: a fresh one (nothing
stored yet), where the admin gets in and edits while a stranger is turned away and told which
settings to fill, and one whose stored policy allows the firm's domain, where a colleague is a
viewer without edit controls and an unverified address is refused with the reason.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from services.records import ConsoleSettings
from tests.e2e.conftest import free_port, new_tab, running_console
from tests.e2e.console_ui import expect, go_to, no_exception, no_page_not_found, settled
from tests.e2e.oidc_provider import Account, Provider

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

CLIENT_ID = "adviser-console"
ADMIN = Account("ada@firm.example", "Ada Admin", hd="firm.example")
VIEWER = Account("cat@firm.example", "Cat Viewer", hd="firm.example")
STRANGER = Account("eve@stranger.example", "Eve Stranger")
UNVERIFIED = Account("uma@firm.example", "Uma Unverified", email_verified=False, hd="firm.example")


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with Provider(CLIENT_ID, secrets.token_urlsafe(24), (ADMIN, VIEWER, STRANGER, UNVERIFIED)) as p:
        yield p


@contextlib.contextmanager
def deploy(workdir: Path, provider: Provider, policy: ConsoleSettings | None) -> Iterator[str]:
    """The console with sign-in configured (``[auth]`` pointing at ``provider``) and
    ``CONSOLE_ADMINS`` naming the admin; ``policy`` is stored first, as if an editor had
    saved it on the Settings page."""
    from integrations.sqlite import SqliteStore

    if policy is not None:
        store = SqliteStore(str(workdir / "console.db"))
        store.save_settings(policy, store.get_settings().version, actor=ADMIN.email)
    port = free_port()
    auth = workdir / "secrets.toml"
    auth.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        f'client_id = "{provider.client_id}"\n'
        f'client_secret = "{provider.client_secret}"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n'
    )
    with running_console(
        workdir,
        env={"CONSOLE_ADMINS": ADMIN.email, "CONSOLE_REQUIRE_AUTH": "1"},
        args=["--secrets.files", str(auth)],
        port=port,
    ) as url:
        yield url


@pytest.fixture(scope="module")
def fresh_url(tmp_path_factory: pytest.TempPathFactory, provider: Provider) -> Iterator[str]:
    with deploy(tmp_path_factory.mktemp("fresh-deploy"), provider, None) as url:
        yield url


@pytest.fixture(scope="module")
def firm_url(tmp_path_factory: pytest.TempPathFactory, provider: Provider) -> Iterator[str]:
    allowed = ConsoleSettings(allowed_domains=("firm.example",))
    with deploy(tmp_path_factory.mktemp("firm-deploy"), provider, allowed) as url:
        yield url


@pytest.fixture
def tab(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    with new_tab(browser, request.node.name) as opened:
        yield opened


def sign_in(page: Page, url: str, account: Account) -> None:
    """Press *Sign in*, type the email on the provider's form, and wait to be back."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    try:
        page.get_by_role("heading", name="Sign in to Loopback ID").wait_for()
    except PlaywrightTimeout:  # e.g. st.login crashing: say what the browser got instead
        said = page.inner_text("body")
        pytest.fail(f"Sign in never reached the provider's login form; the page says {said!r}")
    page.get_by_label("Email").fill(account.email)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{url}/")  # the console's callback has set its cookie and sent us home
    settled(page)


def turned_away(page: Page) -> None:
    """Nothing of the console's data: no page list, no page, only Sign out."""
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_count(0)
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    no_exception(page)


def test_on_a_fresh_deploy_the_admin_from_settings_signs_in_and_can_edit(
    tab: Page, fresh_url: str, provider: Provider
) -> None:
    sign_in(tab, fresh_url, ADMIN)

    tab.get_by_role("heading", name="Availability", level=1).wait_for()
    sidebar = tab.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("Ada Admin · ada@firm.example — editor")
    expect(sidebar.get_by_role("button", name="Sign out")).to_be_visible()
    go_to(tab, "Closures", "Office closures")
    expect(tab.get_by_role("button", name="Save changes")).to_be_visible()
    quick_add = tab.get_by_test_id("stExpander").filter(has_text="Quick add: one closure")
    expect(quick_add).to_be_visible()
    no_exception(tab)
    assert ADMIN.email in provider.issued  # a real token exchange happened


def test_a_fresh_deploy_refuses_a_stranger_and_names_the_settings_to_fill(
    tab: Page, fresh_url: str
) -> None:
    sign_in(tab, fresh_url, STRANGER)

    refusal = tab.get_by_test_id("stAlert")
    expect(refusal).to_contain_text("eve@stranger.example is not allowed in.")
    expect(refusal).to_contain_text("allowed_emails and allowed_domains")
    expect(refusal).to_contain_text("CONSOLE_ADMINS")
    turned_away(tab)
    tab.get_by_role("button", name="Sign out").click()
    expect(tab.get_by_role("button", name="Sign in")).to_be_visible()


def test_a_viewer_from_the_allowed_domain_sees_no_edit_controls(tab: Page, firm_url: str) -> None:
    sign_in(tab, firm_url, VIEWER)

    tab.get_by_role("heading", name="Availability", level=1).wait_for()
    expect(tab.get_by_test_id("stSidebar")).to_contain_text(
        "Cat Viewer · cat@firm.example — viewer (read only)"
    )
    go_to(tab, "Closures", "Office closures")
    expect(tab.get_by_text("Only editors can change closures.")).to_be_visible()
    expect(tab.get_by_role("button", name="Save changes")).to_have_count(0)
    expect(tab.get_by_test_id("stExpander")).to_have_count(0)
    no_exception(tab)


def test_an_unverified_email_of_the_allowed_domain_is_refused_with_the_reason(
    tab: Page, firm_url: str
) -> None:
    sign_in(tab, firm_url, UNVERIFIED)

    expect(tab.get_by_test_id("stAlert")).to_contain_text(
        "uma@firm.example cannot be used to sign in: your identity provider says the address "
        "is not verified (email_verified is false)"
    )
    turned_away(tab)


def test_a_pages_url_as_the_first_request_after_a_start_shows_only_the_sign_in(
    browser: Browser, tmp_path: Path, provider: Provider
) -> None:
    """Streamlit runs that first request's page script without app.py (console/navigation.py):
    the page hands over to app.py's gate before it draws anything, and nobody who has not
    signed in sees the page, the page list or a "Page not found"."""
    with (
        deploy(tmp_path, provider, None) as url,
        new_tab(browser, "signin-first-request-after-a-start") as tab,
    ):
        tab.goto(f"{url}/allocations")
        expect(tab.get_by_role("button", name="Sign in")).to_be_visible()
        settled(tab)

        expect(tab.get_by_role("heading", level=1)).to_have_text(["Adviser capacity console"])
        expect(tab.get_by_test_id("stSidebarNav")).to_have_count(0)
        expect(tab.get_by_test_id("stDataFrame")).to_have_count(0)
        no_page_not_found(tab)
        no_exception(tab)
