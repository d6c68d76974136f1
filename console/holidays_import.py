"""The Closures page's "Import public holidays": pick a country, state and year, preview the
weekday holidays that are not closures yet, then save them as one batch of new closures."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from console.editing_page import EditorPage, save_edits
from services.errors import BadRequest
from services.rows import RowEdits

PREVIEW = "closures.holidays.preview"
COUNTRY = "closures.holidays.country"
SUBDIVISION = "closures.holidays.subdivision"
YEAR = "closures.holidays.year"
SAVE = "closures.holidays.save"
ROW_COLUMNS = ["start", "end", "description", "advisers", "regions"]

Preview = Callable[[str, str, int], pd.DataFrame]


def render(page: EditorPage, preview: Preview, country: str, subdivision: str, year: int) -> None:
    state = st.session_state
    with st.form("closures.holidays.form"):
        left, middle, right = st.columns(3)
        chosen_country = left.text_input("Country code", value=country, key=COUNTRY)
        chosen_subdivision = middle.text_input(
            "State or region", value=subdivision, key=SUBDIVISION, help="Empty = national only."
        )
        chosen_year = right.number_input(
            "Year", min_value=year - 1, max_value=year + 5, value=year, step=1, key=YEAR
        )
        asked = st.form_submit_button("Preview holidays")
    if asked:
        try:
            state[PREVIEW] = preview(chosen_country, chosen_subdivision, int(chosen_year))
        except BadRequest as problem:
            state.pop(PREVIEW, None)
            st.error(str(problem))
            return
    found: pd.DataFrame | None = state.get(PREVIEW)
    if found is None:
        return
    if found.empty:
        st.info("Every weekday public holiday for that choice is already a closure.")
        return
    st.write(f"{len(found)} weekday holidays to add (weekends are left out):")
    st.dataframe(found, column_order=ROW_COLUMNS, hide_index=True)
    if st.button(f"Save {len(found)} holidays as closures", key=SAVE, type="primary"):
        del state[PREVIEW]
        rows = tuple(found[ROW_COLUMNS].to_dict("records"))
        save_edits(page, RowEdits(added=rows))
