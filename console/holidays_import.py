"""The Closures page's "Import public holidays": pick a country, state and year, preview the
weekday holidays that are not closures yet, then save them as one batch of new closures."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pandas as pd
import streamlit as st

from allocation import Closure
from console.editing_page import EditorPage, run_save
from console.text import plain
from services.editing import SaveResult
from services.errors import BadRequest
from services.rows import RowEdits

PREVIEW = "closures.holidays.preview"
COUNTRY = "closures.holidays.country"
SUBDIVISION = "closures.holidays.subdivision"
YEAR = "closures.holidays.year"
SCOPE = "closures.holidays.scope"
SCOPES = {
    "region": "The advisers of that state or region",
    "everyone": "Everyone (the whole office closes)",
}
SAVE = "closures.holidays.save"
ROW_COLUMNS = ["start", "end", "description", "advisers", "regions"]

Preview = Callable[[str, str, int], list[Closure]]
Import = Callable[[list[Closure]], SaveResult]
Reach = Callable[[list[Closure]], str | None]  # "N closures apply to no adviser (…)" or None


def scoped(closures: list[Closure], scope: str) -> list[Closure]:
    """The holidays as closures for everyone, or for their region as the calendar gave them."""
    if scope != "everyone":
        return closures
    return [dataclasses.replace(c, regions=frozenset(), adviser_ids=frozenset()) for c in closures]


def holidays_frame(closures: list[Closure]) -> pd.DataFrame:
    rows = [
        {
            "start": c.start,
            "end": c.end,
            "description": c.description,
            "advisers": "",
            "regions": ", ".join(sorted(c.regions)),
        }
        for c in closures
    ]
    return pd.DataFrame(rows, columns=ROW_COLUMNS)


def render(
    page: EditorPage,
    preview: Preview,
    save: Import,
    country: str,
    subdivision: str,
    year: int,
    reach: Reach | None = None,
) -> None:
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
        scope = st.radio(
            "Applies to", list(SCOPES), format_func=SCOPES.__getitem__, key=SCOPE,
            horizontal=True,
        )  # fmt: skip
        asked = st.form_submit_button("Preview holidays")
    if asked:
        try:
            found_now = preview(chosen_country, chosen_subdivision, int(chosen_year))
            state[PREVIEW] = scoped(found_now, str(scope))
        except BadRequest as problem:
            state.pop(PREVIEW, None)
            st.error(plain(problem))
            return
    found: list[Closure] | None = state.get(PREVIEW)
    if found is None:
        return
    if not found:
        st.info("Every weekday public holiday for that choice is already a closure.")
        return
    st.write(f"{len(found)} weekday holidays to add (weekends are left out):")
    frame = holidays_frame(found)
    st.dataframe(frame, hide_index=True)
    nobody = reach(found) if reach is not None else None
    if nobody:
        st.warning(
            f"{plain(nobody)}: saved as they are, they close nobody. Set the advisers' regions "
            "on the Advisers page, or import them for everyone."
        )
    if st.button(f"Save {len(found)} holidays as closures", key=SAVE, type="primary"):
        del state[PREVIEW]
        asked_for = RowEdits(
            added=tuple({str(k): v for k, v in r.items()} for r in frame.to_dict("records"))
        )
        run_save(page, lambda: save(found), asked_for)
