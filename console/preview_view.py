"""The preview page's ranking: a table narrow enough to read at 1280 px, and the row a person
selects written out in full (its reason can be longer than any column)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from console.text import date_words, plain

# Pod, region and the blocked-week count move to the detail panel: the reason gets the room.
RANKING_COLUMNS = {
    "rank": st.column_config.NumberColumn("#", width=36),
    "adviser": st.column_config.TextColumn("Adviser", width=150),
    "earliest_week": st.column_config.DateColumn("Earliest week", format="D MMM YYYY", width=104),
    "earliest_week_before": st.column_config.DateColumn(
        "Before what-if", format="D MMM YYYY", width=104
    ),
    "utilisation": st.column_config.NumberColumn("Utilisation", format="percent", width=80),
    "why": st.column_config.TextColumn("Why", width="large"),
}


def ranking_table(frame: pd.DataFrame, key: str) -> int | None:
    """Every adviser ranked; returns the row selected, if any."""
    shown = [c for c in RANKING_COLUMNS if c in frame.columns]
    event = st.dataframe(
        frame[shown], hide_index=True, column_config=RANKING_COLUMNS, key=key, width="stretch",
        on_select="rerun", selection_mode="single-row",
    )  # fmt: skip
    rows = event.selection.rows if event is not None else []
    if not rows:
        st.caption("Select a row to read its reason in full.")
    return int(rows[0]) if rows else None


def candidate_words(row: pd.Series) -> str:
    """One ranked adviser in a sentence: rank, where they sit, the reason, the figures."""
    where = ", ".join(str(v) for v in (row.get("pod"), row.get("region")) if _given(v))
    parts = [f"#{row['rank']} {row['adviser']}" + (f" ({where})" if where else "")]
    parts.append(f"{row['why']}.")
    if _given(row.get("utilisation")):
        parts.append(f"Utilisation up to the earliest week: {row['utilisation']:.0%}.")
    if _given(row.get("earliest_week_before")):
        parts.append(f"Before the what-if: {date_words(row['earliest_week_before'])}.")
    if row.get("blocked_weeks"):
        parts.append(f"{row['blocked_weeks']} blocked week(s) before the earliest week.")
    return " ".join(parts)


def candidate_detail(frame: pd.DataFrame, row: int | None) -> None:
    if row is None or row >= len(frame):
        return
    st.info(plain(candidate_words(frame.iloc[row])))


def past_horizon_words(agreement: dt.date, last_week: dt.date) -> str:
    return (
        f"The agreement start {date_words(agreement)} is past the planning horizon (its last "
        f"week starts {date_words(last_week)}): no adviser can be scheduled that far ahead yet. "
        "Preview it again nearer the date."
    )


def _given(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and value != value)
