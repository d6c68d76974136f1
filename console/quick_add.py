"""One-record "quick add" forms beside the editing grids.

Adding a single closure or override is the commonest edit; plain widgets make it quicker than
typing dates into grid cells, and it goes through exactly the same save path (validation,
audit, stale-edit handling) as the grid, as one added row.

A form that cannot be saved keeps what was typed and stays open, with the problem under it
naming the field; only a saved record clears it. A date picker takes days within a range and
hands back nothing for a day typed outside it, so an empty date is reported with that range
("choose a day from 1 Jan 2016 to 31 Dec 2036"), never as "the start date is missing".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from console import text
from console.editing_page import EditorPage, run_save
from console.text import plain
from services.editing import SaveResult
from services.errors import ServiceError, ValidationFailed
from services.rows import RowEdits

# The days the quick forms' pickers accept, around today.
YEARS_BACK, YEARS_AHEAD = 2, 10


def picker_range(today: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(today.year - YEARS_BACK, 1, 1), dt.date(today.year + YEARS_AHEAD, 12, 31)


def missing_day_words(label: str, today: dt.date) -> str:
    low, high = picker_range(today)
    return (
        f"{label}: choose a day from {text.day(low)} to {text.day(high)} "
        "(the date picker takes no day outside that range)"
    )


def _problems_key(page: EditorPage) -> str:
    return f"{page.slot.name}.quick.problems"


def _keys(page: EditorPage, *fields: str) -> dict[str, str]:
    return {f: f"{page.slot.name}.quick.{f}" for f in fields}


def _show_problems(page: EditorPage) -> None:
    for problem in st.session_state.get(_problems_key(page), ()):
        st.error(plain(problem))


def _save(page: EditorPage, row: Mapping[str, Any], keys: Mapping[str, str]) -> None:
    """Save through the page's use case. A problem stays with the form, which keeps its
    input (no rerun); a saved record, a conflict or a refusal goes through the editor's shared
    flash and rerun, and a saved one empties the form."""
    state, edits = st.session_state, RowEdits(added=(row,))
    try:
        result = page.save(edits)
    except ValidationFailed as failed:
        state[_problems_key(page)] = [p.message for p in failed.problems]
        return
    except ServiceError as refused:
        state.pop(_problems_key(page), None)
        run_save(page, _raising(refused), edits)
        return
    state.pop(_problems_key(page), None)
    for key in keys.values():
        state.pop(key, None)
    run_save(page, lambda: result, edits)


def _raising(problem: ServiceError) -> Callable[[], SaveResult]:
    def again() -> SaveResult:
        raise problem

    return again


def closure_form(
    page: EditorPage, advisers: Sequence[str], regions: Sequence[str], today: dt.date
) -> None:
    """The quick closure form (in its own expander, open while it has problems)."""
    keys = _keys(page, "first", "last", "about", "names", "places")
    low, high = picker_range(today)

    def draw() -> Mapping[str, Any] | None:
        start, end, description = st.columns([1, 1, 2])
        first = start.date_input("First closed day", value=None, min_value=low, max_value=high,
                                 format="YYYY-MM-DD", key=keys["first"])  # fmt: skip
        last = end.date_input("Last closed day", value=None, min_value=low, max_value=high,
                              format="YYYY-MM-DD", key=keys["last"])  # fmt: skip
        about = description.text_input(
            "Description", placeholder="e.g. Team offsite", key=keys["about"]
        )
        who, where = st.columns(2)
        names = who.multiselect("Advisers", advisers, placeholder="Everyone", key=keys["names"])
        places = where.multiselect(
            "Regions", regions, placeholder="Every region", key=keys["places"]
        )
        if not st.form_submit_button("Add closure"):
            return None
        if first is None:
            st.session_state[_problems_key(page)] = [missing_day_words("First closed day", today)]
            return None
        return {
            "start": first,
            "end": last or first,
            "description": about,
            "advisers": ", ".join(names),
            "regions": ", ".join(places),
        }

    _keyed_form(page, draw, keys)


def override_form(page: EditorPage, advisers: Sequence[str], today: dt.date) -> None:
    """The quick override form (in its own expander, open while it has problems)."""
    keys = _keys(page, "name", "monthly", "first", "last", "why")
    low, high = picker_range(today)

    def draw() -> Mapping[str, Any] | None:
        who, limit = st.columns([2, 1])
        name = who.selectbox(
            "Adviser", advisers, index=None, placeholder="Choose an adviser", key=keys["name"]
        )
        monthly = limit.number_input(
            "Monthly limit", min_value=0.0, step=0.5, value=None, key=keys["monthly"]
        )
        start, end, note = st.columns([1, 1, 2])
        first = start.date_input("From", value=None, min_value=low, max_value=high,
                                 format="YYYY-MM-DD", key=keys["first"])  # fmt: skip
        last = end.date_input("Until (optional)", value=None, min_value=low, max_value=high,
                              format="YYYY-MM-DD", key=keys["last"])  # fmt: skip
        why = note.text_input("Note", placeholder="e.g. ramping up after leave", key=keys["why"])
        if not st.form_submit_button("Add override"):
            return None
        if first is None:
            st.session_state[_problems_key(page)] = [missing_day_words("From", today)]
            return None
        return {"adviser": name, "start": first, "end": last, "monthly_limit": monthly,
                "note": why}  # fmt: skip

    _keyed_form(page, draw, keys)


def _keyed_form(
    page: EditorPage, draw: Callable[[], Mapping[str, Any] | None], keys: Mapping[str, str]
) -> None:
    problems = bool(st.session_state.get(_problems_key(page)))
    with st.expander(f"Quick add: one {page.noun}", expanded=problems):
        with st.form(f"{page.slot.name}.quick", clear_on_submit=False):
            row = draw()
        if row is not None:
            _save(page, row, keys)
        _show_problems(page)
