"""Capacity overrides: one adviser's monthly limit for a while (ramping up, winding down)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from console import auth, handle, quick_add, text
from console.editing_page import EditorPage, render
from console.editor_diff import EditorSlot
from services.errors import RowProblem

ORDER = ("adviser", "start", "end", "monthly_limit", "note", "overlap")


def adviser_column(names: list[str]) -> object:
    return st.column_config.SelectboxColumn(
        "Adviser", options=names, required=True, help="Whose limit changes."
    )


def with_overlaps(frame: pd.DataFrame, warnings: list[RowProblem]) -> pd.DataFrame:
    """A read-only column flagging overrides that overlap another for the same adviser."""
    by_id: dict[str, list[str]] = {}
    for warning in warnings:
        by_id.setdefault(warning.row, []).append(warning.message)
    flagged = frame.copy()
    flagged["overlap"] = ["; ".join(by_id.get(str(i), [])) for i in frame["id"]]
    return flagged


user = auth.current_user()  # before anything else: see console.navigation
svc = handle.services()
st.title("Capacity overrides")
st.caption(
    "An override replaces an adviser's monthly limit from its start to its end (open-ended "
    "when the end is empty). When two overlap, the one that started later applies."
)
columns = {
    "adviser": adviser_column(sorted((a.name for a in svc.browsing.advisers()), key=str.casefold)),
    "start": st.column_config.DateColumn("Start", required=True, format=text.DATE_FORMAT),
    "end": st.column_config.DateColumn("End", format=text.DATE_FORMAT, help="Empty = no end."),
    "monthly_limit": st.column_config.NumberColumn(
        "Monthly limit", min_value=0, step=0.5, required=True, help="New clients per month."
    ),
    "note": st.column_config.TextColumn("Note", help="Why, for the next person who reads it."),
    "overlap": st.column_config.TextColumn("⚠ Overlaps", disabled=True),
}
page = EditorPage(
    slot=EditorSlot("overrides"),
    noun="override",
    load=lambda: with_overlaps(svc.editing.overrides_frame(), svc.editing.override_warnings()),
    save=lambda edits: svc.editing.save_overrides(
        edits, actor=user.actor, is_editor=user.is_editor
    ),
    columns=columns,
    order=ORDER,
    describe=lambda row: f"{row.get('adviser') or 'override'} from {text.day(row.get('start'))}",
)
render(page, user.is_editor)
if user.is_editor:
    quick_add.override_form(
        page, sorted((a.name for a in svc.browsing.advisers()), key=str.casefold), svc.today()
    )

overlapping = len(svc.editing.override_warnings())
if overlapping:
    st.warning(f"{overlapping} override(s) overlap another for the same adviser: see ⚠ Overlaps.")

st.subheader("Recent changes")
st.dataframe(svc.history.audit_frame("overrides", limit=20), hide_index=True)
