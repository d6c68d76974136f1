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

HIGHLIGHT = "background-color: #fff3bf; font-weight: 600"
WEEK_COLUMNS = {
    "week": st.column_config.DateColumn("Week", format="ddd D MMM YYYY"),
    "avail": st.column_config.NumberColumn("Available", format="percent"),
    "monthly_limit": st.column_config.NumberColumn("Limit/month", format="%g"),
    "earn": st.column_config.NumberColumn("Earn", format="%.2f"),
    "meeting_load": st.column_config.NumberColumn("Clarify load", format="%g"),
    "pending_load": st.column_config.NumberColumn("Pending load", format="%g"),
    "balance": st.column_config.NumberColumn("Balance", format="%.2f"),
    "status": st.column_config.TextColumn("Open, or why not", width="large"),
}


def week_status(is_open: bool, reason: str | None, earliest: bool) -> str:
    if earliest:
        return "open — earliest week for a new client"
    if is_open:
        return "open"
    if reason is None:
        return "past week (history)"
    return explain(reason)


def weeks_frame(detail: pd.DataFrame, earliest: dt.date | None) -> pd.DataFrame:
    """One row per ledger week with the status in plain words and the earliest week flagged."""
    frame = detail.copy()
    frame["earliest"] = frame["week"] == earliest
    frame["status"] = [
        week_status(bool(o), r, bool(e))
        for o, r, e in zip(frame["open"], frame["reason"], frame["earliest"], strict=True)
    ]
    columns = [*WEEK_COLUMNS, "load", "open", "earliest"]
    return frame[[c for c in columns if c in frame.columns]].reset_index(drop=True)


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
