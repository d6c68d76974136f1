"""The adviser schedule's table and chart, from the ledger's detail rows for one adviser."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from datetime import tzinfo

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from pandas.io.formats.style import Styler

from allocation import Leave, Meeting, Override, explain
from console import text
from console.text import date_words

HIGHLIGHT = "background-color: #fff3bf; font-weight: 600"
# Figures narrow and few, so the words get the room: at 1280 px wide the longest reason fits.
# What the week earns and the Clarify/pending split of its load are in the selected week's
# sentence (``week_words``) and the CSV.
WEEK_COLUMNS = {
    "week": st.column_config.DateColumn("Week", format="ddd D MMM YYYY", width=112),
    "avail": st.column_config.NumberColumn("Available", format="percent", width=72),
    "monthly_limit": st.column_config.NumberColumn("Limit/month", format="%g", width=80),
    "load": st.column_config.NumberColumn("Load", format="%g", width=56),
    "balance": st.column_config.NumberColumn("Balance", format="%.2f", width=64),
    "status": st.column_config.TextColumn("Open, or why not", width="large"),
}
LEDGER_COLUMNS = [*WEEK_COLUMNS, "earn", "meeting_load", "pending_load"]
OPEN_NOT_TAKING = "free capacity, but not taking on new clients"


def week_status(is_open: bool, reason: str | None, earliest: bool, taking: bool = True) -> str:
    if earliest:
        return "open — earliest week for a new client"
    if is_open:
        return "open" if taking else OPEN_NOT_TAKING
    if reason is None:
        return "past week (history)"
    return explain(reason)


def weeks_frame(
    detail: pd.DataFrame, earliest: dt.date | None, taking: bool = True
) -> pd.DataFrame:
    """One row per ledger week with the status in plain words and the earliest week flagged.

    An adviser not taking on clients is never open for one, as the allocator sees it: their
    free weeks say so, and none is the earliest."""
    frame = detail.copy()
    frame["earliest"] = (frame["week"] == earliest) & taking
    frame["status"] = [
        week_status(bool(o), r, bool(e), taking)
        for o, r, e in zip(frame["open"], frame["reason"], frame["earliest"], strict=True)
    ]
    frame["open"] = frame["open"].astype(bool) & taking
    columns = [*LEDGER_COLUMNS, "open", "earliest"]
    return frame[[c for c in columns if c in frame.columns]].reset_index(drop=True)


def week_words(row: pd.Series) -> str:
    """One ledger week written out: its status and figures, for the row a person selected."""
    return (
        f"Week of {date_words(row['week'])}: {row['status']}. Available {row['avail']:.0%}, "
        f"limit {row['monthly_limit']:g} a month, earns {row['earn']:.2f}, Clarify load "
        f"{row['meeting_load']:g}, pending load {row['pending_load']:g}, balance "
        f"{row['balance']:.2f} new clients."
    )


def highlight_earliest(weeks: pd.DataFrame) -> Styler:
    def paint(row: pd.Series) -> list[str]:
        return [HIGHLIGHT if row["earliest"] else ""] * len(row)

    return weeks.style.apply(paint, axis=1)


def balance_figure(weeks: pd.DataFrame, earliest: dt.date | None) -> go.Figure:
    """Balance over time with the week's load as bars; away weeks and the earliest week marked."""
    fig = go.Figure()
    fig.add_trace(
        go.Bar(x=weeks["week"], y=weeks["load"], name="load (new clients)",
               marker_color="#9db4d3", hovertemplate="%{x|%-d %b %Y}: load %{y:g}<extra></extra>")
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(x=weeks["week"], y=weeks["balance"], name="balance (free capacity)",
                   mode="lines+markers", line={"color": "#2b8a3e", "width": 2},
                   hovertemplate="%{x|%-d %b %Y}: balance %{y:.2f}<extra></extra>")
    )  # fmt: skip
    away = weeks[weeks["avail"] <= 0]
    if not away.empty:
        fig.add_trace(
            go.Scatter(x=away["week"], y=[0] * len(away), mode="markers", name="away all week",
                       marker={"symbol": "x", "size": 9, "color": "#868e96"},
                       hovertemplate="%{x|%-d %b %Y}: away<extra></extra>")
        )  # fmt: skip
    fig.add_hline(y=1, line_dash="dot", line_color="#868e96", annotation_text="one new client")
    if earliest is not None:
        # add_vline's annotation cannot place itself on a date axis, so the label is separate.
        fig.add_vline(x=earliest, line_color="#e67700", line_width=2)
        fig.add_annotation(x=earliest, y=1, yref="paper", text=" earliest week", showarrow=False,
                           font={"color": "#e67700"}, xanchor="left", yanchor="top")  # fmt: skip
    fig.update_layout(
        height=320, margin={"l": 10, "r": 10, "t": 30, "b": 10}, barmode="overlay",
        legend={"orientation": "h", "y": -0.12, "x": 0}, plot_bgcolor="white",
        yaxis={"gridcolor": "#eceff1", "zerolinecolor": "#adb5bd"},
    )  # fmt: skip
    return fig


def kind_words(kind: str) -> str:
    """'Clarify meeting' for the stored kind ``clarify``."""
    words = kind.replace("_", " ").strip()
    return f"{words[:1].upper()}{words[1:]} meeting" if words else "Meeting"


def meetings_frame(meetings: Sequence[Meeting], zone: tzinfo) -> pd.DataFrame:
    """Meetings with their start in the firm's timezone (HubSpot stores them in UTC), the kind
    in words and the deal they are for; never the meeting's id."""
    rows = [
        {
            "When": f"{m.start.astimezone(zone):%a} {text.moment(m.start, zone)}",
            "Meeting": kind_words(m.kind),
            "Deal": m.deal_id or "",
        }
        for m in meetings
    ]
    return pd.DataFrame(rows, columns=["When", "Meeting", "Deal"])


def leave_frame(leave: Sequence[Leave]) -> pd.DataFrame:
    """Leave from first to last day; part days as the share of each day away."""
    rows = [
        {
            "From": text.day(x.start),
            "Until": text.day(x.end),
            "Away": "all day" if x.day_fraction >= 1 else f"{x.day_fraction:.0%} of each day",
        }
        for x in leave
    ]
    return pd.DataFrame(rows, columns=["From", "Until", "Away"])


def overrides_frame(overrides: Sequence[Override]) -> pd.DataFrame:
    """Capacity overrides: the monthly limit from when until when (open-ended: no end)."""
    rows = [
        {
            "From": text.day(o.start),
            "Until": text.day(o.end) or "no end",
            "Monthly limit": text.number(o.monthly_limit),
        }
        for o in overrides
    ]
    return pd.DataFrame(rows, columns=["From", "Until", "Monthly limit"])
