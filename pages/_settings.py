"""Settings: the allocation rules and console policy (editors), integration status,
connecting Employment Hero, and Box client folders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from console import auth, box_settings, handle, settings_form, text, widgets
from services.errors import ServiceError
from services.records import SyncRun

TAB = "tab"
NOT_CONFIGURED = (
    "Employment Hero is not configured: set EH_CLIENT_ID, EH_CLIENT_SECRET and "
    "EH_REDIRECT_URI (the console's /settings URL), then restart the console."
)


def status_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Which settings are set, never their values."""
    return pd.DataFrame(
        [
            {
                "setting": r["key"],
                "status": "set" if r["configured"] else ("default" if r["default"] else "—"),
                "secret": "yes" if r["secret"] else "",
                "what it is": r["about"],
            }
            for r in rows
        ],
        columns=["setting", "status", "secret", "what it is"],
    )


def last_syncs_frame(runs: Mapping[str, SyncRun], zone: dt.tzinfo = dt.UTC) -> pd.DataFrame:
    rows = [
        {
            "Source": widgets.SYNC_NAMES.get(source, source),
            "Status": widgets.sync_status_words(run.status),
            "Finished": text.moment(run.finished_at, zone) or "still running",
            "Errors": "; ".join(run.errors),
        }
        for source, run in sorted(runs.items())
    ]
    return pd.DataFrame(rows, columns=["Source", "Status", "Finished", "Errors"])


def employment_hero(user: auth.User) -> None:
    client = svc.sync.employment_hero()
    if client is None:
        st.button("Connect Employment Hero", disabled=True, key="settings.eh.connect")
        st.caption(NOT_CONFIGURED)
        return
    params = st.query_params
    if "code" in params and "state" in params:  # Employment Hero sent the browser back here
        try:
            svc.sync.finish_connect(params["code"], params["state"], user.actor, user.is_editor)
            widgets.flash("Employment Hero is connected.")
        except ServiceError as problem:
            widgets.flash(f"Employment Hero was not connected: {problem}", "error")
        st.query_params.clear()
        st.rerun()
    st.write("Connected." if client.connected() else "Not connected yet.")
    if user.is_editor and st.button("Connect Employment Hero", key="settings.eh.connect"):
        url = svc.sync.start_connect(user.actor, user.is_editor)
        st.link_button("Continue to Employment Hero to sign in", url, type="primary")


user = auth.current_user()  # before anything else: see console.navigation
svc = handle.services()
st.title("Settings")
widgets.show_flash()
settings_form.show_problems()
stored = settings_form.shown(svc.editing.console_settings)


def save(changes: Mapping[str, Any], version: str) -> object:
    return svc.editing.save_settings(changes, version, actor=user.actor, is_editor=user.is_editor)


# The tab is kept in the URL (?tab=…): a save reruns the page on the tab it was made in, and a
# link opens the tab it names.
rules_tab, policy_tab, integrations_tab, box_tab = st.tabs(
    ["Allocation rules", "Console policy", "Integrations", "Box client folders"],
    key=TAB,
    bind="query-params",
)
with rules_tab:
    if user.is_editor:
        settings_form.rules_form(stored, save)
    else:
        st.dataframe(settings_form.read_only_rules(stored.value), hide_index=True)
with policy_tab:
    if user.is_editor:
        settings_form.policy_form(stored, save)
    else:
        st.dataframe(settings_form.read_only_policy(stored.value), hide_index=True)
    st.subheader("Recent changes")
    st.dataframe(svc.history.audit_frame("settings", limit=10), hide_index=True)
with integrations_tab:
    st.subheader("Configuration")
    st.dataframe(status_frame(svc.access.integration_status()), hide_index=True)
    st.subheader("Last sync per source")
    st.dataframe(
        last_syncs_frame(svc.sync.last_syncs(), svc.browsing.rules().zone), hide_index=True
    )
    st.subheader("Employment Hero")
    employment_hero(user)
with box_tab:
    box_settings.box_section(svc, user)
