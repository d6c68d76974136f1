"""The adviser capacity console: `streamlit run app.py`.

Entry point only: page list, sign-in gate, shared sidebar. The use cases are built once per
process (``console.handle``); each page is a thin script under ``pages/``.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from console import auth, handle, state, widgets
from services.errors import ConfigurationError, StoreUnavailable

ROOT = Path(__file__).resolve().parent
# (script, title, icon, URL path). The settings page's script is not called settings.py: a
# page script of that name would shadow the top-level settings module under AppTest and mypy.
PAGES: tuple[tuple[str, str, str, str], ...] = (
    ("pages/availability.py", "Availability", ":material/grid_view:", "availability"),
    ("pages/schedule.py", "Adviser schedule", ":material/calendar_month:", "schedule"),
    ("pages/closures.py", "Closures", ":material/event_busy:", "closures"),
    ("pages/overrides.py", "Capacity overrides", ":material/tune:", "overrides"),
    ("pages/preview.py", "Allocation preview", ":material/manage_search:", "preview"),
    ("pages/allocations.py", "Allocations", ":material/assignment_ind:", "allocations"),
    ("pages/sync.py", "Sync", ":material/sync:", "sync"),
    ("pages/console_settings.py", "Settings", ":material/settings:", "settings"),
)


def navigation() -> list[st.Page]:
    return [
        st.Page(ROOT / script, title=title, icon=icon, url_path=path, default=(n == 0))
        for n, (script, title, icon, path) in enumerate(PAGES)
    ]


def let_in() -> auth.User:
    """Run the sign-in gate; stops the script unless the visitor may use the console."""
    decided = auth.check(handle.settings())
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
        stale_after = svc.console_settings().value.stale_after_hours
        for words in widgets.stale_sync_words(svc.last_syncs(), stale_after, svc.now(), svc.demo):
            st.warning(words, icon=":material/schedule:")
        widgets.user_badge(user)
        if not user.local:
            st.button("Sign out", on_click=st.logout)


st.set_page_config(
    page_title="Adviser capacity", page_icon=":material/calendar_month:", layout="wide"
)
try:
    handle.configure_logging()
    current = let_in()
    page = st.navigation(navigation())
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
