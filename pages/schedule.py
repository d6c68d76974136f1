"""Adviser schedule: one adviser's weekly ledger, balance over time, meetings, leave, overrides."""

from __future__ import annotations

import streamlit as st

from console import auth, handle, schedule_view, state, text, widgets
from console.text import plain

auth.current_user()  # before anything else: see console.navigation
svc = handle.services()
st.title("Adviser schedule")
widgets.show_flash()

advisers = sorted(svc.browsing.advisers(), key=lambda a: (a.name.casefold(), a.id))
if not advisers:
    st.info("No advisers yet: run a HubSpot sync from the Sync page.")
    st.stop()
names = {a.id: a.name for a in advisers}


def remember_choice() -> None:
    """Keep the URL and the shared state on the adviser picked here, for links and reruns."""
    st.session_state[state.ADVISER] = st.session_state[state.SC_ADVISER]
    st.query_params[state.ADVISER_PARAM] = st.session_state[state.SC_ADVISER]


wanted = st.query_params.get(state.ADVISER_PARAM) or st.session_state.get(state.ADVISER)
if wanted in names and st.session_state.get(state.SC_ADVISER) != wanted:
    st.session_state[state.SC_ADVISER] = wanted  # arriving from the heatmap or a shared link
chosen = st.selectbox(
    "Adviser",
    list(names),
    format_func=lambda i: names.get(i, i),
    key=state.SC_ADVISER,
    on_change=remember_choice,
)
if chosen is None:
    st.stop()

plan = svc.browsing.schedule(chosen)
person = plan.adviser
weeks = schedule_view.weeks_frame(plan.weeks, plan.earliest_week)
facts = st.columns(3)
facts[0].metric("Earliest week", text.day(plan.earliest_week) or "none")
facts[1].metric("Open weeks ahead", int(weeks["open"].sum()))
facts[2].metric("Meetings booked", len(plan.meetings))
taking = "taking on clients" if person.taking_on_clients else "**not** taking on clients"
st.caption(
    f"{plain(person.pod_type)} · {plain(person.region or 'no region')} · {taking} · packages: "
    f"{plain(', '.join(sorted(person.service_packages)) or 'none')} · households: "
    f"{plain(', '.join(sorted(person.household_types)) or 'any')} · {plain(person.email)}"
)

st.plotly_chart(
    schedule_view.balance_figure(weeks, plan.earliest_week), config={"displaylogo": False}
)

st.subheader("Weekly ledger")
st.dataframe(
    schedule_view.highlight_earliest(weeks),
    hide_index=True,
    height=420,
    column_config=schedule_view.WEEK_COLUMNS,
    column_order=list(schedule_view.WEEK_COLUMNS),
)
widgets.csv_download(weeks, f"schedule-{chosen}.csv", "Download CSV")

meetings_tab, leave_tab, overrides_tab = st.tabs(
    [f"Meetings ({len(plan.meetings)})", f"Leave ({len(plan.leave)})",
     f"Overrides ({len(plan.overrides)})"]
)  # fmt: skip
with meetings_tab:
    st.dataframe(
        schedule_view.meetings_frame(plan.meetings, svc.browsing.rules().zone), hide_index=True
    )
with leave_tab:
    st.dataframe(schedule_view.leave_frame(plan.leave), hide_index=True)
with overrides_tab:
    st.dataframe(schedule_view.overrides_frame(plan.overrides), hide_index=True)
