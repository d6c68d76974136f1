"""The preview page's what-if panel: closures, leave and overrides tried out, never saved.

The records live only in this browser session (``state.PV_WHAT_IF``); ``Services.preview``
adds them to a copy of the snapshot and shows the decision before and after.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from allocation import Adviser, Closure, InvalidInput, Leave, Override
from console import state
from console.text import plain
from services.preview import WhatIf

KINDS = ("Closure", "Leave", "Capacity override")
_ids = itertools.count(1)


def kept() -> dict[str, list[Any]]:
    empty: dict[str, list[Any]] = {"closures": [], "leave": [], "overrides": []}
    return st.session_state.setdefault(state.PV_WHAT_IF, empty)  # type: ignore[no-any-return]


def current() -> WhatIf:
    records = kept()
    return WhatIf(tuple(records["closures"]), tuple(records["leave"]), tuple(records["overrides"]))


def add(kind: str, record: Closure | Leave | Override) -> None:
    kept()[{"Closure": "closures", "Leave": "leave"}.get(kind, "overrides")].append(record)


def clear() -> None:
    st.session_state[state.PV_WHAT_IF] = {"closures": [], "leave": [], "overrides": []}


def what_if_frame(what_if: WhatIf, names: dict[str, str]) -> pd.DataFrame:
    """The unsaved records in one table, in plain words."""
    rows = [
        {"what": "closure", "who": _scope(c, names), "from": c.start, "to": c.end,
         "detail": c.description}
        for c in what_if.closures
    ] + [
        {"what": "leave", "who": names.get(lv.adviser_id, lv.adviser_id), "from": lv.start,
         "to": lv.end, "detail": f"{lv.day_fraction:.0%} of each weekday"}
        for lv in what_if.leave
    ] + [
        {"what": "override", "who": names.get(o.adviser_id, o.adviser_id), "from": o.start,
         "to": o.end, "detail": f"{o.monthly_limit:g} new clients a month"}
        for o in what_if.overrides
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["what", "who", "from", "to", "detail"])


def _scope(closure: Closure, names: dict[str, str]) -> str:
    if closure.is_global:
        return "everyone"
    return ", ".join(sorted([names.get(a, a) for a in closure.adviser_ids] + [*closure.regions]))


def _record(kind: str, values: dict[str, Any]) -> Closure | Leave | Override:
    """The core record for one form submission; ``InvalidInput`` names what is wrong."""
    start: dt.date = values["start"]
    end: dt.date | None = values["end"]
    rid = f"what-if-{next(_ids)}"
    if kind == "Closure":
        chosen = frozenset(values["advisers"])
        return Closure(rid, start, end or start, values["description"], adviser_ids=chosen)
    if kind == "Leave":
        return Leave(rid, values["adviser"], start, end or start, values["fraction"])
    return Override(rid, values["adviser"], start, values["limit"], end)


def _form(kind: str, advisers: Sequence[Adviser], names: dict[str, str]) -> dict[str, Any] | None:
    with st.form("preview.what_if.form", border=False):
        cols = st.columns([2, 1, 1, 2])
        values: dict[str, Any] = {}
        if kind == "Closure":
            values["advisers"] = cols[0].multiselect(
                "Advisers (none = everyone)",
                [a.id for a in advisers],
                format_func=lambda i: names.get(i, i),
            )
        else:
            values["adviser"] = cols[0].selectbox(
                "Adviser", [a.id for a in advisers], format_func=lambda i: names.get(i, i)
            )
        values["start"] = cols[1].date_input("From", format="DD/MM/YYYY")
        values["end"] = cols[2].date_input(
            "To" if kind != "Capacity override" else "To (optional)", value=None,
            format="DD/MM/YYYY",
        )  # fmt: skip
        if kind == "Closure":
            values["description"] = cols[3].text_input("Description", "What-if closure")
        elif kind == "Leave":
            values["fraction"] = cols[3].select_slider(
                "Share of each weekday", [0.25, 0.5, 0.75, 1.0], value=1.0
            )
        else:
            values["limit"] = cols[3].number_input("New clients a month", 0.0, 20.0, 3.0, 0.5)
        return values if st.form_submit_button(f"Add {kind.lower()} to the what-if") else None


def what_if_panel(advisers: Sequence[Adviser]) -> WhatIf:
    """Draw the panel; returns the what-if records to preview with (possibly none)."""
    names = {a.id: a.name for a in advisers}
    tried = current()
    label = "What if… (unsaved)" + ("" if tried.empty else " — active")
    with st.expander(label, expanded=not tried.empty):
        st.caption("Try closures, leave or capacity changes without saving them.")
        kind = st.radio("Add a", KINDS, horizontal=True, key="preview.what_if.kind")
        values = _form(kind, advisers, names)
        if values is not None:
            try:
                add(kind, _record(kind, values))
            except InvalidInput as exc:
                st.error(f"Not added: {plain(exc)}")
        tried = current()
        if not tried.empty:
            st.dataframe(what_if_frame(tried, names), hide_index=True)
            st.button("Clear the what-if", on_click=clear, key="preview.what_if.clear")
    return current()
