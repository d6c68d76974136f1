"""app.py: the sign-in gate (once per run), local mode, the shared sidebar; pages behind it."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from console import handle, navigation, state
from services import Services
from services.access import Admission, SignIn
from services.errors import StoreUnavailable
from settings import Settings
from tests.app.firm import Firm, small_firm, texts
from tests.app.markdown_view import shown

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def app(settings: Settings) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state[state.SERVICES] = small_firm().services
    at.session_state[state.SETTINGS] = settings
    return at


def test_requiring_auth_without_an_auth_section_refuses_to_start() -> None:
    at = app(Settings.of(CONSOLE_REQUIRE_AUTH="1")).run()

    assert "CONSOLE_REQUIRE_AUTH=1 but no [auth] section is configured" in at.error[0].value
    assert not at.title  # no page ran


def test_without_auth_the_console_runs_in_local_mode_with_a_banner() -> None:
    at = app(Settings.of()).run()

    assert not at.exception
    assert at.title[0].value == "Availability"
    assert any("Local mode" in w.value for w in at.sidebar.warning)
    assert "local user (no sign-in)" in shown(at.sidebar.caption[0].value)
    assert "editor" in at.sidebar.caption[0].value


def test_with_auth_configured_a_visitor_must_sign_in_first() -> None:
    at = app(Settings(auth_configured=True)).run()

    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert at.title[0].value == "Adviser capacity console"
    assert state.USER not in at.session_state


def test_the_sidebar_warns_when_no_sync_has_run() -> None:
    at = app(Settings.of()).run()

    assert "No data sync has run yet: figures may be out of date." in [
        w.value for w in at.sidebar.warning
    ]


class _UnreachableStore:
    """Every store call fails the way an unreachable Firestore does, after its budget."""

    reads = 0

    def __getattr__(self, name: str) -> object:
        def fail(*_: object, **__: object) -> None:
            raise StoreUnavailable("Firestore (firm-prod) cannot be reached while reading")

        return fail


def test_an_unreachable_store_is_a_plain_message_not_a_traceback() -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state[state.SERVICES] = Services(_UnreachableStore())  # type: ignore[arg-type]
    at.session_state[state.SETTINGS] = Settings.of()
    at.run()

    assert not at.exception
    [error] = at.error
    assert "cannot reach its data store" in error.value
    assert "Firestore (firm-prod)" in error.value


# --- with sign-in configured: what st.user holds after a sign-in ---------------------------

GOOGLE = "https://accounts.google.com"
SIGN_IN = Settings.load(environ={"CONSOLE_ADMINS": "ada@firm.example"}, secrets={"auth": {"x": 1}})


def test_the_sign_in_page_shows_before_the_store_is_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nobody signed in yet: the store is not even opened, so an outage (or a slow cold
    start seeding the demo firm) never stands between a person and the Sign in button."""
    monkeypatch.setenv("CONSOLE_STORE", f"sqlite:///{tmp_path / 'not-a-folder' / 'x.db'}")
    (tmp_path / "not-a-folder").write_text("a file where the store's folder should be")
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state[state.SETTINGS] = SIGN_IN
    at.run()

    assert not at.exception
    assert not at.error
    assert [b.label for b in at.button] == ["Sign in"]


def signed_in(email: str, hd: str | None = None, verified: object = True) -> dict[str, object]:
    return {"is_logged_in": True, "email": email, "name": email.split("@")[0].title(),
            "email_verified": verified, "hd": hd, "iss": GOOGLE}  # fmt: skip


def visit(user: dict[str, object], firm: Firm | None = None, script: str = APP) -> AppTest:
    at = AppTest.from_file(script, default_timeout=30)
    at.session_state[state.SERVICES] = (firm or small_firm()).services
    at.session_state[state.SETTINGS] = SIGN_IN
    at.user = user
    return at.run()


def allowing_domain(domain: str) -> Firm:
    firm = small_firm()
    policy = dataclasses.replace(firm.store.get_settings().value, allowed_domains=(domain,))
    firm.store.save_settings(policy, firm.store.get_settings().version, "setup")
    return firm


def test_on_a_fresh_deploy_a_stranger_sees_why_and_no_data() -> None:
    at = visit(signed_in("eve@gmail.example"))

    assert not at.exception
    assert "eve@gmail.example is not allowed in." in texts(at, "error")
    assert "CONSOLE_ADMINS" in texts(at, "error")
    assert not at.title  # no page ran
    assert [b.label for b in at.button] == ["Sign out"]
    assert state.USER not in at.session_state


def test_the_configured_admin_enters_a_fresh_deploy_as_an_editor() -> None:
    at = visit(signed_in("ada@firm.example"))

    assert not at.exception
    assert at.title[0].value == "Availability"
    assert "Ada · ada@firm.example" in at.sidebar.caption[0].value
    assert at.sidebar.caption[0].value.endswith("editor")


def test_a_domain_viewer_gets_the_closures_read_only() -> None:
    at = visit(signed_in("cat@firm.example", hd="firm.example"), allowing_domain("firm.example"),
               str(ROOT / "pages/closures.py"))  # fmt: skip

    assert not at.exception
    assert at.title[0].value == "Office closures"
    assert not at.data_editor
    assert "Save changes" not in [b.label for b in at.button]
    assert "Only editors can change closures." in [c.value for c in at.caption]


def test_an_unverified_address_is_refused_in_words() -> None:
    at = visit(signed_in("ada@firm.example", verified=False), allowing_domain("firm.example"))

    assert "ada@firm.example cannot be used to sign in" in texts(at, "error")
    assert "email_verified is false" in texts(at, "error")
    assert not at.title


def test_a_malformed_admin_list_is_named_on_the_page() -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state[state.SERVICES] = small_firm().services
    at.session_state[state.SETTINGS] = Settings.load(
        environ={"CONSOLE_ADMINS": "ada@firm.example; bea"}, secrets={"auth": {"x": 1}}
    )
    at.user = signed_in("ada@firm.example")
    at.run()

    assert "CONSOLE_ADMINS must be email addresses separated by commas" in texts(at, "error")
    assert not at.title


# --- the gate runs once per run, in app.py; a page never runs ahead of it ------------------


def test_the_gate_asks_the_policy_once_per_run_and_the_page_uses_its_answer() -> None:
    firm = small_firm()
    asked: list[str] = []
    admission = firm.services.access.admission

    def counted(person: SignIn, admins: Collection[str] = ()) -> Admission:
        asked.append(person.email)
        return admission(person, admins)

    firm.services.access.admission = counted  # type: ignore[method-assign]
    at = visit(signed_in("ada@firm.example"), firm)
    assert at.title[0].value == "Availability"
    assert asked == ["ada@firm.example"]

    at.run()
    assert asked == ["ada@firm.example"] * 2


def test_every_script_in_pages_is_in_the_page_list() -> None:
    """Streamlit's old pages/ mode serves any script in pages/ by its file name on a fresh
    server; one missing from the console's list would end in "Page not found" there."""
    scripts = {str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py")}
    assert sorted(scripts) == sorted(script for script, _, _ in navigation.PAGES)


@pytest.mark.parametrize("script", [script for script, _, _ in navigation.PAGES])
def test_a_page_run_without_app_py_hands_over_before_it_reads_anything(
    script: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a freshly started server does with a page's URL: the page runs without app.py,
    so it must hand over (and rerun) before it asks for the use cases. AppTest has no app.py
    to hand over to, so the rerun runs the page alone again, which then asks the gate itself
    and draws."""
    firm = small_firm()
    asked_after_handover: list[bool] = []

    def services() -> Services:
        asked_after_handover.append(bool(st.session_state.get(state.HANDED_OVER)))
        return firm.services

    monkeypatch.setattr(handle, "services", services)
    at = AppTest.from_file(str(ROOT / script), default_timeout=30)
    at.session_state[state.SETTINGS] = Settings.of()
    at.run()

    assert not at.exception, at.exception
    assert at.title  # the page, drawn on the run after the handover
    assert asked_after_handover
    assert all(asked_after_handover)
