"""Capacity outlook: places per segment, demand, projected waits against the target, the fix."""

from __future__ import annotations

import streamlit as st

from console import auth, handle, outlook_view, state, text, widgets
from services.errors import ServiceError
from services.outlook import (
    DEFAULT_BASIS_WEEKS,
    DEMAND_WINDOWS,
    PLACES_TREND_WEEKS,
    segments_frame,
    waits_frame,
)

auth.current_user()  # before anything else: see console.navigation
svc = handle.services()
st.title("Capacity outlook")
widgets.show_flash()

if not svc.browsing.advisers():
    st.info("No advisers yet: run a HubSpot sync from the Sync page.")
    st.stop()

basis = st.radio(
    "Demand rate from the last",
    DEMAND_WINDOWS,
    index=DEMAND_WINDOWS.index(DEFAULT_BASIS_WEEKS),
    format_func=lambda w: f"{w} weeks",
    horizontal=True,
    key=state.OL_BASIS,
    help="The projection assumes deals keep arriving at this window's rate per segment.",
)
try:
    view = svc.outlook.outlook(int(basis))
except ServiceError as exc:
    widgets.show_error(exc)
    st.stop()
result = view.outlook
segments = segments_frame(view)
waits = waits_frame(view)

late = segments[segments["Projected deals late"] > 0]
facts = st.columns(3)
facts[0].metric("Segments", len(segments), help="Package × household types advisers offer.")
facts[1].metric(
    "Over the target wait",
    len(late),
    help=f"Segments where some projected deal would wait more than {result.target_weeks} weeks.",
)
facts[2].metric("Target wait", f"{result.target_weeks} weeks", help="Set on the Settings page.")
st.caption(
    f"Today is {text.day(result.today)}. Every figure books hypothetical deals with the "
    "same rules as real ones, on the firm as it is now (nothing is saved). The projection "
    f"continues each segment's rate of the last {view.basis_weeks} weeks over the next "
    f"{result.horizon_weeks} weeks, all segments together; a deal can start no sooner than the "
    "buffer after it arrives. Hover a column title for what it means."
)

st.subheader("Segments")
st.dataframe(
    segments,
    hide_index=True,
    column_config=outlook_view.segment_columns(result.places_weeks, view.basis_weeks),
)
widgets.csv_download(segments, "outlook-segments.csv", "Download segments (CSV)")

st.subheader("Projected wait, week by week")
if waits.empty:
    st.info("No deals in the chosen window, so nothing to project: try a longer window.")
else:
    st.plotly_chart(
        outlook_view.wait_figure(waits, result.target_weeks), config={"displaylogo": False}
    )
    st.caption(
        "Each point: the longest wait, from the week deals arrive to the week they can start, "
        "among that segment's projected deals arriving that week. A gap: nobody can take "
        "one of them within the horizon."
    )
    st.dataframe(waits, hide_index=True, column_config=outlook_view.WAIT_COLUMNS)
    widgets.csv_download(waits, "outlook-waits.csv", "Download projected waits (CSV)")

st.subheader("Trend, last 90 days")
trend = svc.outlook.trend()
if trend.empty:
    st.info(
        "No days kept yet: the scheduled job keeps each segment's figures once a day "
        "(`python -m cli outlook`)."
    )
else:
    left, right = st.columns(2)
    places = f"Places within {PLACES_TREND_WEEKS} weeks"
    left.plotly_chart(outlook_view.trend_figure(trend, places), config={"displaylogo": False})
    right.plotly_chart(
        outlook_view.trend_figure(trend, "Weeks to soonest start"), config={"displaylogo": False}
    )
    st.caption(
        f"As kept each day: the places still open within {PLACES_TREND_WEEKS} weeks (falling "
        "means capacity is tightening) and how many weeks away the soonest start was."
    )
    widgets.csv_download(trend, "outlook-trend.csv", "Download the trend (CSV)")
