"""Adviser schedule: one adviser's weekly ledger, balance over time, meetings, leave, overrides."""

from __future__ import annotations

import streamlit as st

from console import auth, handle, schedule_view, state, widgets
from console.text import date_words, plain

auth.current_user()  # before anything else: see console.navigation
svc = handle.services()
st.title("Adviser schedule")
widgets.show_flash()

advisers = sorted(svc.browsing.advisers(), key=lambda a: (a.name.casefold(), a.id))
if not advisers:
    st.info("No advisers yet — run a HubSpot sync from the Sync page.")
    st.stop()
names = {a.id: a.name for a in advisers}


def remember_choice() -> None:
    """Keep the URL and the shared state on the adviser picked here, for links and reruns."""
    st.session_state[state.ADVISER] = st.session_state[state.SC_ADVISER]
    st.query_params[state.ADVISER_PARAM] = st.session_state[state.SC_ADVISER]


linked = st.query_params.get(state.ADVISER_PARAM)
if linked is not None and linked not in names:
    st.warning(
        f"No adviser “{plain(linked)}” is known here: the link may be old, or the adviser has "
        "left. Choose an adviser below."
    )
    st.session_state[state.SC_ADVISER] = None
else:
    # A link names the adviser; arriving from the sidebar (no ?adviser=) keeps the one last
    # shown, else the first, and puts it in the URL so a copied link opens the same schedule.
    wanted = linked or st.session_state.get(state.ADVISER)
    if linked is not None or st.session_state.get(state.SC_ADVISER) not in names:
        st.session_state[state.SC_ADVISER] = wanted if wanted in names else next(iter(names))
chosen = st.selectbox(
    "Adviser",
    list(names),
    format_func=lambda i: names.get(i, i),
    key=state.SC_ADVISER,
    on_change=remember_choice,
    placeholder="Choose an adviser",
)
if chosen is None:
    st.stop()
st.session_state[state.ADVISER] = chosen
if st.query_params.get(state.ADVISER_PARAM) != chosen:
    st.query_params[state.ADVISER_PARAM] = chosen

plan = svc.browsing.schedule(chosen)
person = plan.adviser
weeks = schedule_view.weeks_frame(plan.weeks, plan.earliest_week, person.taking_on_clients)
facts = st.columns(3)
facts[0].metric(
    "Earliest week",
    date_words(plan.earliest_week) if plan.earliest_week
    else "none" if person.taking_on_clients else "not taking clients",
)  # fmt: skip
facts[1].metric("Open weeks ahead", int(weeks["open"].sum()))
facts[2].metric("Meetings booked", len(plan.meetings))
taking = "taking on clients" if person.taking_on_clients else "**not** taking on clients"
st.caption(
    f"{plain(person.pod_type)} · {plain(person.region or 'no region')} · {taking} · packages: "
    f"{plain(', '.join(sorted(person.service_packages)) or 'none')} · households: "
    f"{plain(', '.join(sorted(person.household_types)) or 'any')} · {plain(person.email)}"
)

for why in svc.quality.never_opens(chosen):
    st.warning(plain(why), icon=":material/block:")

st.plotly_chart(
    schedule_view.balance_figure(weeks, plan.earliest_week), config={"displaylogo": False}
)

st.subheader("Weekly ledger")
picked = st.dataframe(
    schedule_view.highlight_earliest(weeks),
    hide_index=True,
    height=420,
    column_config=schedule_view.WEEK_COLUMNS,
    column_order=list(schedule_view.WEEK_COLUMNS),
    on_select="rerun",
    selection_mode="single-row",
    key=state.SC_WEEK,
)
rows = picked.selection.rows if picked is not None else []
if rows:
    st.info(plain(schedule_view.week_words(weeks.iloc[rows[0]])))
else:
    st.caption("Select a week to read it in full.")
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
