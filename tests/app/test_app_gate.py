"""app.py: the sign-in gate, local mode, the shared sidebar."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from console import state
from settings import Settings
from tests.app.firm import small_firm
from tests.app.markdown_view import shown

APP = str(Path(__file__).resolve().parents[2] / "app.py")


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
