"""Availability (home): advisers × the next 52 weeks, filtered as the allocator would choose,
sorted, grouped, and one click from a schedule. The filters live in the URL."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from console import auth, data_quality, handle, heatmap, state, widgets
from console.heatmap_figure import heatmap_figure
from console.text import date_words, plain
from console.url_state import Field, UrlView

ANY = "Any"
SORT_WORDS = {"earliest": "As the allocator ranks", "name": "Name"}
GROUP_WORDS = {"": "No grouping", **{k: f"By {v.lower()}" for k, v in heatmap.GROUPS.items()}}
VIEW = UrlView(
    state.AV_VIEW,
    [
        Field(state.AV_PACKAGE, "package", ANY, "service package"),
        Field(state.AV_HOUSEHOLD, "household", ANY, "household"),
        Field(state.AV_PODS, "pod", [], "pod"),
        Field(state.AV_REGIONS, "region", [], "region"),
        Field(state.AV_TAKING, "taking", False, "taking-on-clients choice"),
        Field(state.AV_SORT, "sort", "earliest", "sort"),
        Field(state.AV_GROUP, "group", "", "grouping"),
        Field(state.AV_METRIC, "colour", "balance", "colour"),
    ],
)


def open_schedule(adviser_id: str) -> None:
    st.session_state[state.ADVISER] = adviser_id
    try:
        st.switch_page("pages/schedule.py", query_params={state.ADVISER_PARAM: adviser_id})
    except StreamlitAPIException:  # run on its own (not under app.py's navigation)
        st.info("Open the Adviser schedule page to see this adviser's weeks.")


auth.current_user()  # before anything else: see console.navigation
svc = handle.services()
st.title("Availability")
widgets.show_flash()
data_quality.show_panel(svc)
if not svc.browsing.advisers():
    st.info("No advisers yet — run a HubSpot sync from the Sync page.")
    st.stop()

packages, households = [ANY, *svc.browsing.packages()], [ANY, *svc.browsing.households()]
pod_names, region_names = svc.browsing.pods(), svc.browsing.regions()
for problem in VIEW.restore(
    {state.AV_PACKAGE: packages, state.AV_HOUSEHOLD: households, state.AV_PODS: pod_names,
     state.AV_REGIONS: region_names, state.AV_SORT: list(SORT_WORDS),
     state.AV_GROUP: list(GROUP_WORDS), state.AV_METRIC: list(heatmap.METRICS)}
):  # fmt: skip
    st.warning(plain(problem))
if state.ADVISER_PARAM in st.query_params:  # Back from a schedule can bring its ?adviser= along
    del st.query_params[state.ADVISER_PARAM]

top = st.columns([1.2, 1, 1.2, 1, 1.2])
package = top[0].selectbox("Service package", packages, key=state.AV_PACKAGE)
household = top[1].selectbox("Household", households, key=state.AV_HOUSEHOLD)
pods = top[2].multiselect("Pod", pod_names, key=state.AV_PODS, placeholder="All pods")
regions = top[3].multiselect("Region", region_names, key=state.AV_REGIONS, placeholder="All")
metric = top[4].selectbox(
    "Colour", list(heatmap.METRICS), format_func=lambda m: heatmap.METRICS[m], key=state.AV_METRIC
)
counts, options = st.columns([4, 1], vertical_alignment="center")
narrowed = " · taking only" if st.session_state.get(state.AV_TAKING) else ""
with options.popover(f"Order & grouping{narrowed}", width="stretch"):
    taking = st.toggle("Taking on clients only", key=state.AV_TAKING)
    sort = st.radio(
        "Order", list(SORT_WORDS), format_func=SORT_WORDS.__getitem__, key=state.AV_SORT
    )
    group = st.radio(
        "Group", list(GROUP_WORDS), format_func=GROUP_WORDS.__getitem__, key=state.AV_GROUP
    )
VIEW.keep()

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

data = heatmap.heatmap_data(frame, sort=sort, group_by=group or None)
soonest = date_words(data.soonest) if data.soonest else "none in the horizon"
skipped = len(data.excluded) - sum(data.eligible)
counts.markdown(
    f"**{len(data.adviser_ids)}** advisers shown · **{data.open_count}** with an open week · "
    f"soonest start **{soonest}**"
    + (f" · {skipped} not taking on clients (faded, never ◆)" if skipped else "")
)

chart_tab, table_tab = st.tabs(["Heatmap", "Earliest week per adviser"])
with chart_tab:
    event = st.plotly_chart(
        heatmap_figure(data, metric, svc.browsing.today()),
        key=state.AV_CHART,
        on_select="rerun",
        selection_mode="points",
        config={"displaylogo": False},
    )
    st.caption(
        f"{heatmap.METRIC_CAPTIONS[metric]} Dark grey: away all week · greyed: some days of "
        "leave or closure · ◆ the earliest week a new client can start (click it for the "
        "schedule) · shaded: the buffer weeks, too soon for anyone · line: today. Hover a "
        "cell for its figures."
    )
with table_tab:
    if data.group_by:
        label = heatmap.GROUPS[data.group_by]
        st.caption(" · ".join(plain(g.words(label)) for g in data.group_summaries()))
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
with csv_col:
    widgets.csv_download(data.table(metric), f"availability-{metric}.csv", "Download CSV")
clicked = heatmap.selected_adviser(getattr(event, "selection", None)) or picked
if clicked:
    open_schedule(clicked)
