"""Availability (home): advisers × the next 52 weeks, filtered, sorted, and one click from a
schedule."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from console import auth, data_quality, handle, heatmap, state, widgets
from console.heatmap_figure import heatmap_figure

ANY = "Any"
SORT_WORDS = {"earliest": "Earliest week", "name": "Name"}


def open_schedule(adviser_id: str) -> None:
    st.session_state[state.ADVISER] = adviser_id
    try:
        st.switch_page("pages/schedule.py", query_params={state.ADVISER_PARAM: adviser_id})
    except StreamlitAPIException:  # run on its own (not under app.py's navigation)
        st.info("Open the Adviser schedule page to see this adviser's weeks.")


auth.current_user()  # before anything else: see console.navigation
svc = handle.services()
st.title("Availability")
st.caption(
    "Free capacity per adviser for the next 52 weeks. Grey: away all week · greyed: some days "
    "of leave or closure · ◆ earliest week a new client can start. Hover a cell for its figures."
)
widgets.show_flash()
data_quality.show_panel(svc)

top = st.columns(4)
package = top[0].selectbox("Service package", [ANY, *svc.browsing.packages()], key=state.AV_PACKAGE)
household = top[1].selectbox("Household", [ANY, *svc.browsing.households()], key=state.AV_HOUSEHOLD)
pods = top[2].multiselect("Pod", svc.browsing.pods(), key=state.AV_PODS, placeholder="All pods")
regions = top[3].multiselect(
    "Region", svc.browsing.regions(), key=state.AV_REGIONS, placeholder="All"
)
row = st.columns([1, 1.1, 2], vertical_alignment="center")
taking = row[0].toggle("Taking on clients only", key=state.AV_TAKING)
sort = row[1].radio(
    "Sort by",
    list(SORT_WORDS),
    format_func=lambda s: SORT_WORDS[s],
    key=state.AV_SORT,
    horizontal=True,
)
metric = row[2].radio(
    "Colour", list(heatmap.METRICS), format_func=lambda m: heatmap.METRICS[m], key=state.AV_METRIC,
    horizontal=True,
)  # fmt: skip

frame = svc.browsing.heatmap_frame(
    package=None if package == ANY else package,
    household=None if household == ANY else household,
    pods=pods,
    regions=regions,
    taking_only=taking,
)
if frame.empty:
    st.info("No adviser matches these filters.")
    st.stop()

data = heatmap.heatmap_data(frame, sort=sort)
soonest = min((w for w in data.earliest if w is not None), default=None)
counts = st.columns(3)
counts[0].metric("Advisers shown", len(data.adviser_ids))
counts[1].metric("With an open week", sum(w is not None for w in data.earliest))
counts[2].metric("Soonest start", f"{soonest:%d %b %Y}" if soonest else "none in horizon")

names = dict(zip(data.adviser_ids, data.labels, strict=True))
pick_col, csv_col = st.columns([3, 1], vertical_alignment="bottom")
picked = pick_col.selectbox(
    "Open an adviser's schedule",
    list(data.adviser_ids),
    index=None,
    format_func=lambda i: names.get(i, i),
    key=state.AV_PICK,
    placeholder="Choose an adviser (or click a ◆ on the chart)",
)
if picked:
    open_schedule(picked)
with csv_col:
    widgets.csv_download(data.table(metric), f"availability-{metric}.csv", "Download CSV")

chart_tab, table_tab = st.tabs(["Heatmap", "Earliest week per adviser"])
with chart_tab:
    event = st.plotly_chart(
        heatmap_figure(data, metric),
        key=state.AV_CHART,
        on_select="rerun",
        selection_mode="points",
        config={"displaylogo": False},
    )
with table_tab:
    st.dataframe(
        data.summary(frame),
        hide_index=True,
        column_config={
            "adviser_id": None,
            "adviser": st.column_config.TextColumn("Adviser"),
            "earliest_week": st.column_config.DateColumn("Earliest week", format="D MMM YYYY"),
            "open_weeks": st.column_config.NumberColumn("Open weeks ahead"),
            "pod": st.column_config.TextColumn("Pod"),
            "region": st.column_config.TextColumn("Region"),
            "taking_on_clients": st.column_config.CheckboxColumn("Taking on clients"),
        },
    )
clicked = heatmap.selected_adviser(getattr(event, "selection", None))
if clicked:
    open_schedule(clicked)
