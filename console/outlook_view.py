"""The Outlook page's column help (every figure explained on hover) and its wait chart."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

DATE = "D MMM YYYY"


def segment_columns(places_weeks: tuple[int, ...], basis_weeks: int) -> dict[str, Any]:
    """Column settings for ``services.outlook.segments_frame``: what each figure means."""
    cfg = st.column_config
    columns: dict[str, Any] = {
        "Segment": cfg.TextColumn("Segment", help="A service package and household type."),
        "Advisers": cfg.NumberColumn(
            "Advisers", help="Advisers taking on clients who offer this segment."
        ),
        "Soonest start": cfg.DateColumn(
            "Soonest start", format=DATE,
            help="The week a deal of this segment signed today would start (the Monday).",
        ),
    }  # fmt: skip
    for weeks in places_weeks:
        columns[f"Places within {weeks} weeks"] = cfg.NumberColumn(
            f"Places ≤ {weeks} wk",
            help=f"New clients of this segment that could still start within {weeks} weeks "
            "if only this segment's deals arrived: deals booked one after another with the "
            "real rules (monthly limit, bank, weekly maximum, buffer), not summed balances. "
            "Segments share advisers, so these places overlap.",
        )
    for weeks in (4, 13, 52):
        basis = " — used for the projection" if weeks == basis_weeks else ""
        columns[f"Deals a week (last {weeks} weeks)"] = cfg.NumberColumn(
            f"Deals/wk ({weeks} wk)", format="%.2f",
            help=f"Deals of this segment decided in the last {weeks} weeks, per week{basis}.",
        )  # fmt: skip
    columns |= {
        "Wait first over target": cfg.DateColumn(
            "Wait over target from", format=DATE,
            help="If deals keep arriving at the recent rate (all segments together, as they "
            "share advisers), the first week whose deals would wait longer than the target "
            "from arrival to start. Empty: never within the outlook.",
        ),
        "Projected deals late": cfg.NumberColumn(
            "Late deals", help="Projected deals that would wait longer than the target, or "
            "find nobody within the horizon."
        ),
        "Advisers to add": cfg.NumberColumn(
            "Advisers to add", help="Advisers like this segment's median one (its median "
            "monthly limit, offering this segment, available now) that keep every projected "
            "wait within the target — checked by running the projection again with them. "
            "Empty: more than the outlook tried."
        ),
        "Extra clients a month": cfg.NumberColumn(
            "Extra clients/month", format="%g",
            help="The monthly capacity those advisers add.",
        ),
    }  # fmt: skip
    return columns


WAIT_COLUMNS = {
    "Week arriving": st.column_config.DateColumn(
        "Week arriving", format=DATE, help="The week the projected deals are expected."
    ),
    "Deals expected": st.column_config.NumberColumn(
        "Deals expected", help="Projected deals of this segment arriving that week."
    ),
    "Placed": st.column_config.NumberColumn(
        "Placed", help="How many of them some adviser can take within the horizon."
    ),
    "Longest wait (weeks)": st.column_config.NumberColumn(
        "Longest wait (weeks)",
        help="Weeks from the week they arrive to the week they can start, for the last of them. "
        "Empty: nobody can take one of them within the horizon.",
    ),
    "Over target": st.column_config.CheckboxColumn(
        "Over target", help="Longer than the target wait, or not placed at all."
    ),
}


def wait_figure(waits: pd.DataFrame, target_weeks: int) -> go.Figure:
    """The longest projected wait per segment and arrival week, with the target as a line."""
    fig = go.Figure()
    for segment, rows in waits.groupby("Segment", sort=False):
        fig.add_trace(
            go.Scatter(
                x=rows["Week arriving"], y=rows["Longest wait (weeks)"], name=str(segment),
                mode="lines+markers", connectgaps=False,
                # The name is the segment's, from the data: shown through the template's field,
                # never pasted into the template (a "%{" in it would be read as a field).
                hovertemplate="%{fullData.name}<br>deals arriving the week of %{x|%-d %b %Y}<br>"
                "wait up to %{y} weeks<extra></extra>",
            )
        )  # fmt: skip
    fig.add_hline(
        y=target_weeks, line_dash="dot", line_color="#c92a2a",
        annotation_text=f"target: {target_weeks} weeks",
    )  # fmt: skip
    fig.update_layout(
        height=340, margin={"l": 10, "r": 10, "t": 30, "b": 10}, plot_bgcolor="white",
        yaxis={"title": "weeks from arrival to start", "gridcolor": "#eceff1",
               "rangemode": "tozero"},
        xaxis={"title": "week the deals arrive"},
        legend={"orientation": "h", "y": -0.25, "x": 0},
    )  # fmt: skip
    return fig


def trend_figure(trend: pd.DataFrame, value: str) -> go.Figure:
    """One line per segment over the kept days, for one figure of the trend table."""
    fig = go.Figure()
    for segment, rows in trend.groupby("Segment", sort=False):
        fig.add_trace(
            go.Scatter(
                x=rows["Day"], y=rows[value], name=str(segment), mode="lines+markers",
                hovertemplate="%{fullData.name}<br>%{x|%-d %b %Y}: %{y}<extra></extra>",
            )
        )  # fmt: skip
    fig.update_layout(
        height=300, margin={"l": 10, "r": 10, "t": 30, "b": 10}, plot_bgcolor="white",
        yaxis={"title": value, "gridcolor": "#eceff1", "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.25, "x": 0},
    )  # fmt: skip
    return fig
