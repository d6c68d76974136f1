"""Advisers: what HubSpot says about each adviser (read only) and what the firm sets here:
region, pod, monthly limit, end date, Employment Hero email, notes."""

from __future__ import annotations

import streamlit as st

from console import auth, handle
from console.editing_page import EditorPage, render
from console.editor_diff import EditorSlot
from services.adviser_edits import FILTERS

FILTER_KEY = "advisers.filter"
ORDER = (
    "name", "email", "packages", "households", "taking_on_clients", "start_date",
    "region", "pod", "monthly_limit", "end_date", "eh_email", "notes", "set_here",
)  # fmt: skip


def synced(label: str) -> object:
    return st.column_config.TextColumn(label, disabled=True, help="From HubSpot; change it there.")


user = auth.current_user()  # before anything else: see console.navigation
svc = handle.services()
st.title("Advisers")
st.caption(
    "Grey columns come from HubSpot and change there. The others are set here: a value set "
    "here wins over HubSpot's and survives every sync; clear a cell to hand it back to HubSpot."
    + (f" {sources}" if (sources := svc.advisers.hubspot_sources()) else "")
)
which = st.selectbox("Show", list(FILTERS), format_func=FILTERS.__getitem__, key=FILTER_KEY)
columns = {
    "name": synced("Name"),
    "email": synced("Email"),
    "packages": synced("Packages"),
    "households": synced("Household types"),
    "taking_on_clients": st.column_config.CheckboxColumn("Taking on clients", disabled=True),
    "start_date": st.column_config.DateColumn("Start date", disabled=True, format="D MMM YYYY"),
    "region": st.column_config.TextColumn(
        "Region", help="Regional closures (public holidays) apply by region, e.g. NSW."
    ),
    "pod": st.column_config.TextColumn("Pod", help="Sets the default monthly limit."),
    "monthly_limit": st.column_config.NumberColumn(
        "Monthly limit",
        min_value=0,
        max_value=100,
        step=0.5,
        help="New clients a month; empty = the pod's default.",
    ),
    "end_date": st.column_config.DateColumn(
        "End date", format="D MMM YYYY", help="Last day with the firm; empty = staying."
    ),
    "eh_email": st.column_config.TextColumn(
        "Employment Hero email", help="Only when their Employment Hero login is another email."
    ),
    "notes": st.column_config.TextColumn("Notes"),
    "set_here": st.column_config.TextColumn("Set here", disabled=True),
}
page = EditorPage(
    slot=EditorSlot(f"advisers.{which}"),  # one per filter: each shows its own rows
    noun="adviser",
    load=lambda: svc.advisers.frame(which),
    save=lambda edits: svc.advisers.save(edits, actor=user.actor, is_editor=user.is_editor),
    columns=columns,
    order=ORDER,
    describe=lambda row: str(row.get("name") or row.get("id")),
    fixed_rows=True,
)
if svc.advisers.frame(which).empty:
    st.info("No adviser matches this filter.")
else:
    render(page, user.is_editor)

st.subheader("Recent changes")
st.dataframe(svc.history.audit_frame("adviser_edits", limit=20), hide_index=True)
