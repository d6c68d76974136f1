"""The adviser capacity console: `streamlit run app.py`.

Entry point only: the sign-in gate (run here, once per script run), the page list
(``console.navigation``), the shared sidebar. The use cases are built once per process
(``console.handle``); each page is a thin script under ``pages/``.
"""

from __future__ import annotations

import streamlit as st

from console import auth, data_quality, handle, navigation, state, widgets
from services.errors import ConfigurationError, StoreUnavailable


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
    handle.configure_logging()
    st.session_state.pop(state.HANDED_OVER, None)
    decided = auth.check(handle.settings())  # the sign-in gate: once per run, here
    # The page list before anything is drawn, for every visitor: the URL's page is resolved
    # (no "Page not found" for a real page, and a page's query string stays), and
    # Streamlit's old pages/ mode ends for the process (see console/navigation.py). Only
    # someone let in sees the list.
    let_through = decided.outcome == "ok"
    page = st.navigation(navigation.pages(), position="sidebar" if let_through else "hidden")
    current = let_in(decided)
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
