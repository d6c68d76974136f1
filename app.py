"""The adviser capacity console: `streamlit run app.py`.

The console's composition root: it loads the settings and builds the use cases once per
process (``st.cache_resource``, through ``bootstrap``, the only place adapters are chosen),
hands both to the pages through session state (``console.handle``), runs the sign-in gate once
per script run, and draws the page list (``console.navigation``) and the shared sidebar. Each
page is a thin script under ``pages/``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from console import auth, data_quality, handle, navigation, state, widgets
from services.errors import ConfigurationError, StoreUnavailable
from settings import Settings

if TYPE_CHECKING:
    from services import Services


@st.cache_resource(show_spinner=False)
def configure_logging() -> None:
    """Structured JSON logs for this process, once (secret values known, so never printed)."""
    import structured_logging

    structured_logging.configure(Settings.load().secret_values())


@st.cache_resource(show_spinner="Opening the store…")
def built_services() -> Services:
    # Imported here so starting the console touches no adapter before the first page asks.
    from bootstrap import build_services

    return build_services(Settings.load())


# Pages find the settings and the services in session state (``console.handle``); a test
# may have put its own there first.


def wire_settings() -> handle.ConsoleConfig:
    if st.session_state.get(state.SETTINGS) is None:
        st.session_state[state.SETTINGS] = Settings.load()
    return handle.settings()


def wire_services() -> Services:
    """Built on first need, so the sign-in page never waits for the store to open."""
    if st.session_state.get(state.SERVICES) is None:
        st.session_state[state.SERVICES] = built_services()
    return handle.services()


def let_in(decided: auth.Gate) -> auth.User:
    """Act on the gate's decision; stops the script unless the visitor may use the console."""
    if decided.outcome == "refuse":
        st.error(decided.message)
        st.stop()
    if decided.outcome == "login":
        st.title("Adviser capacity console")
        st.write(decided.message)
        st.button("Sign in", type="primary", on_click=st.login)
        st.stop()
    if decided.outcome == "denied" or decided.user is None:
        st.error(decided.message)
        st.button("Sign out", on_click=st.logout)
        st.stop()
    st.session_state[state.USER] = decided.user
    return decided.user


def sidebar(user: auth.User) -> None:
    svc = handle.services()
    with st.sidebar:
        if user.local:
            widgets.local_mode_banner()
        if svc.demo:
            widgets.demo_banner()
        stale_after = svc.editing.console_settings().value.stale_after_hours
        for words in widgets.stale_sync_words(
            svc.sync.last_syncs(), stale_after, svc.now(), svc.demo
        ):
            st.warning(words, icon=":material/schedule:")
        no_region = data_quality.region_line(svc)
        if no_region:
            st.warning(no_region, icon=":material/public_off:")
        widgets.user_badge(user)
        if not user.local:
            st.button("Sign out", on_click=st.logout)


st.set_page_config(
    page_title="Adviser capacity", page_icon=":material/calendar_month:", layout="wide"
)
try:
    configure_logging()
    st.session_state.pop(state.HANDED_OVER, None)
    # The sign-in gate: once per run, here.
    decided = auth.check(wire_settings(), lambda: wire_services().access)
    # The page list before anything is drawn, for every visitor: the URL's page is resolved
    # (no "Page not found" for a real page, and a page's query string stays), and
    # Streamlit's old pages/ mode ends for the process (see console/navigation.py). Only
    # someone let in sees the list.
    let_through = decided.outcome == "ok"
    page = st.navigation(navigation.pages(), position="sidebar" if let_through else "hidden")
    current = let_in(decided)
    wire_services()
    sidebar(current)
    page.run()
except ConfigurationError as exc:  # a bad or missing setting, named by the message
    st.error(f"The console is not configured correctly: {exc}")
except StoreUnavailable as exc:  # an outage: say which store, and that nothing was saved
    st.error(
        f"The console cannot reach its data store, so nothing can be shown or saved right now. "
        f"{exc}. Try again in a minute; if it persists, check the store's status.",
        icon=":material/cloud_off:",
    )
finally:
    st.session_state.pop(state.USER, None)  # the gate's answer is for this run only
