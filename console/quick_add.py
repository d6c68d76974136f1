"""One-record "quick add" forms beside the editing grids.

Adding a single closure or override is the commonest edit; plain widgets make it quicker than
typing dates into grid cells, and it goes through exactly the same save path (validation,
audit, stale-edit handling) as the grid, as one added row.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from console.editing_page import EditorPage, save_edits
from services.rows import RowEdits


def closure_form(page: EditorPage, advisers: Sequence[str], regions: Sequence[str]) -> None:
    with st.form(f"{page.slot.name}.quick", clear_on_submit=True):
        start, end, description = st.columns([1, 1, 2])
        first = start.date_input("First closed day", value=None, format="YYYY-MM-DD")
        last = end.date_input("Last closed day", value=None, format="YYYY-MM-DD")
        about = description.text_input("Description", placeholder="e.g. Team offsite")
        who, where = st.columns(2)
        names = who.multiselect("Advisers", advisers, placeholder="Everyone")
        places = where.multiselect("Regions", regions, placeholder="Every region")
        if not st.form_submit_button("Add closure"):
            return
    row = {
        "start": first,
        "end": last or first,
        "description": about,
        "advisers": ", ".join(names),
        "regions": ", ".join(places),
    }
    save_edits(page, RowEdits(added=(row,)))
    st.rerun()


def override_form(page: EditorPage, advisers: Sequence[str]) -> None:
    with st.form(f"{page.slot.name}.quick", clear_on_submit=True):
        who, limit = st.columns([2, 1])
        name = who.selectbox("Adviser", advisers, index=None, placeholder="Choose an adviser")
        monthly = limit.number_input("Monthly limit", min_value=0.0, step=0.5, value=None)
        start, end, note = st.columns([1, 1, 2])
        first = start.date_input("From", value=None, format="YYYY-MM-DD")
        last = end.date_input("Until (optional)", value=None, format="YYYY-MM-DD")
        why = note.text_input("Note", placeholder="e.g. ramping up after leave")
        if not st.form_submit_button("Add override"):
            return
    row = {"adviser": name, "start": first, "end": last, "monthly_limit": monthly, "note": why}
    save_edits(page, RowEdits(added=(row,)))
    st.rerun()
