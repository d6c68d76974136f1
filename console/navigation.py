"""The console's pages, as app.py hands them to ``st.navigation``, and why their URLs work.

The page scripts live in ``pages/`` (the layout the firm asked for). Streamlit treats a
``pages/`` folder beside the entry script as an old-style multipage app until the process's
first ``st.navigation`` call: that first script run after a server start lists every file in
``pages/`` itself, names each page after its file (``pages/schedule.py`` → ``/schedule``,
``pages/_settings.py`` → ``/settings``: leading digits, ``_``, ``-`` and spaces dropped) and,
for any URL but ``/``, runs the page script alone, without app.py.

So every page here keeps the URL Streamlit derives from its file name (no ``url_path``): a
direct link then means the same page in both modes and Streamlit never answers "Page not
found" for it. The default page (Availability) is served at ``/``; Streamlit ignores a default
page's path, so none is declared. A page script that finds itself running without app.py's
gate (``console.auth.current_user``, the first call of every page) calls
``enter_through_app``, which ends the old mode the public way (``st.navigation``) and reruns,
so app.py's gate decides before the page reads or draws anything.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from console import state

ROOT = Path(__file__).resolve().parents[1]
# (script, title, icon); the first is the home page. Each URL is the script's name, so a new
# page picks a file name that reads well in the address bar. The settings page is not
# pages/settings.py: a script of that name would shadow the top-level settings module under
# AppTest (which puts pages/ on sys.path) and mypy; the leading "_" keeps its URL /settings.
PAGES: tuple[tuple[str, str, str], ...] = (
    ("pages/availability.py", "Availability", ":material/grid_view:"),
    ("pages/schedule.py", "Adviser schedule", ":material/calendar_month:"),
    ("pages/advisers.py", "Advisers", ":material/badge:"),
    ("pages/closures.py", "Closures", ":material/event_busy:"),
    ("pages/overrides.py", "Capacity overrides", ":material/tune:"),
    ("pages/preview.py", "Allocation preview", ":material/manage_search:"),
    ("pages/outlook.py", "Capacity outlook", ":material/trending_up:"),
    ("pages/allocations.py", "Allocations", ":material/assignment_ind:"),
    ("pages/folders.py", "Client folders", ":material/folder_shared:"),
    ("pages/sync.py", "Sync", ":material/sync:"),
    ("pages/_settings.py", "Settings", ":material/settings:"),
)


def pages() -> list[st.Page]:
    return [
        st.Page(ROOT / script, title=title, icon=icon, default=(n == 0))
        for n, (script, title, icon) in enumerate(PAGES)
    ]


def enter_through_app() -> None:
    """Rerun through app.py when a page script ran without it, as Streamlit's old ``pages/``
    mode does with the first URL a freshly started server is asked for.

    ``st.navigation`` ends that mode for the whole process and, because every page keeps the
    URL its file name gives it, resolves the very page that was asked for (hidden: the real
    page list comes with app.py's run); the rerun keeps that page and its query string, so a
    sign-in return such as ``/settings?code=…&state=…`` arrives intact. Returns, without a
    rerun, only when the page ran alone again straight after a handover: it has no app.py
    to go to (an AppTest of one page script), and the caller asks the gate itself."""
    if st.session_state.get(state.HANDED_OVER):
        return
    st.session_state[state.HANDED_OVER] = True
    st.navigation(pages(), position="hidden")
    st.rerun()
