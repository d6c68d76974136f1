"""The Closures page's "Import public holidays": pick a country, state and period (the coming
twelve months by default, or a calendar year), preview the weekday holidays that are not
closures yet, then save them as one batch of new closures."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from allocation import Closure
from console import text
from console.editing_page import EditorPage, run_save
from console.text import plain
from services.editing import SaveResult
from services.errors import BadRequest
from services.rows import RowEdits

PREVIEW = "closures.holidays.preview"
COUNTRY = "closures.holidays.country"
SUBDIVISION = "closures.holidays.subdivision"
PERIOD = "closures.holidays.period"
COMING = "coming"  # the coming twelve months, from today
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


def coming_year(today: dt.date) -> tuple[dt.date, dt.date]:
    """Today and the day before its date next year: twelve months, whatever the calendar."""
    try:
        return today, today.replace(year=today.year + 1) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return today, dt.date(today.year + 1, 2, 28)


def period_words(period: str | int, today: dt.date) -> str:
    if period != COMING:
        return str(period)
    first, last = coming_year(today)
    return f"The coming twelve months ({text.day(first)} – {text.day(last)})"


def holidays_in(
    preview: Preview, country: str, subdivision: str, period: str | int, today: dt.date
) -> list[Closure]:
    """The holidays of a calendar year, or of the coming twelve months (two calendar years
    asked, the days outside the twelve months left out)."""
    if period != COMING:
        return preview(country, subdivision, int(period))
    first, last = coming_year(today)
    found = preview(country, subdivision, first.year) + preview(country, subdivision, last.year)
    return [h for h in found if first <= h.start <= last]


def render(
    page: EditorPage,
    preview: Preview,
    save: Import,
    country: str,
    subdivision: str,
    today: dt.date,
    reach: Reach | None = None,
) -> None:
    state = st.session_state
    periods: list[str | int] = [COMING, *range(today.year - 1, today.year + 6)]
    with st.form("closures.holidays.form"):
        left, middle, right = st.columns(3)
        chosen_country = left.text_input("Country code", value=country, key=COUNTRY)
        chosen_subdivision = middle.text_input(
            "State or region", value=subdivision, key=SUBDIVISION, help="Empty = national only."
        )
        period = right.selectbox(
            "Period", periods, format_func=lambda p: period_words(p, today), key=PERIOD
        )
        scope = st.radio(
            "Applies to", list(SCOPES), format_func=SCOPES.__getitem__, key=SCOPE,
            horizontal=True,
        )  # fmt: skip
        asked = st.form_submit_button("Preview holidays")
    if asked:
        try:
            found_now = holidays_in(preview, chosen_country, chosen_subdivision, period, today)
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
    st.dataframe(
        frame,
        hide_index=True,
        column_config={
            "start": st.column_config.DateColumn("Start", format=text.DATE_FORMAT),
            "end": st.column_config.DateColumn("End", format=text.DATE_FORMAT),
        },
    )
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
