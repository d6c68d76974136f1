"""How the Closures grid lists closures: upcoming first, past ones on request, regions as a
choice of the regions advisers work in (a typo such as "QDL" would apply to nobody).

Pure functions of frames (tested without Streamlit), plus the grid's Regions column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from console.editor_diff import EditorSlot
from services.rows import parse_names

# The query parameter (and widget key) of the "Show past closures" toggle: ?past=true
SHOW_PAST = "past"


def regions_column(known: Sequence[str]) -> Any:
    """A Regions cell chooses among the regions advisers work in; nothing else can be typed."""
    return st.column_config.MultiselectColumn(
        "Regions",
        options=list(known),
        accept_new_options=False,
        help="The regions whose advisers are closed. Empty (and no advisers) = everyone.",
    )


def with_region_lists(frame: pd.DataFrame) -> pd.DataFrame:
    """The regions cell as a list of regions, as the Regions column edits it."""
    listed = frame.copy()
    listed["regions"] = pd.Series(
        [parse_names(r) for r in frame["regions"]], index=frame.index, dtype=object
    )
    return listed


def regions_words(value: object) -> str:
    """'NSW, VIC' from a list cell or text."""
    return ", ".join(parse_names(value))


def is_past(end: object, start: object, today: dt.date) -> bool:
    last = end if isinstance(end, dt.date) else start
    return isinstance(last, dt.date) and last < today


def upcoming_first(frame: pd.DataFrame, today: dt.date, show_past: bool) -> pd.DataFrame:
    """Closures still to come (or under way) by start date; then, when asked for, those that
    are over, most recent first."""
    if frame.empty:
        return frame
    past = pd.Series(
        [is_past(e, s, today) for s, e in zip(frame["start"], frame["end"], strict=True)],
        index=frame.index,
    )
    coming = frame[~past].sort_values("start", kind="stable")
    if not show_past:
        return coming.reset_index(drop=True)
    over = frame[past].sort_values("start", ascending=False, kind="stable")
    return pd.concat([coming, over]).reset_index(drop=True)


def past_count(frame: pd.DataFrame, today: dt.date) -> int:
    return sum(is_past(e, s, today) for s, e in zip(frame["start"], frame["end"], strict=True))


def follow_past_choice(slot: EditorSlot, show_past: bool) -> None:
    """The grid lists other rows once the toggle (or a link's ?past=) changes: reload it."""
    state, key = st.session_state, f"{slot.name}.past_shown"
    if state.get(key, show_past) != show_past:
        slot.reset(state)
    state[key] = show_past
