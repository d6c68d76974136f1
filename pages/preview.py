"""Allocation preview: "if this deal signed today, who would take it, from when, and why not
the others?" — with unsaved what-if closures, leave and overrides. Nothing here is saved.
The deal's package, household and agreement date live in the URL (``console.url_state``)."""

from __future__ import annotations

import streamlit as st

from console import auth, handle, preview_view, state, whatif, widgets
from console.text import plain
from console.url_state import Field, UrlView
from services.errors import ServiceError
from services.outlook import BATCH_MAX_DEALS, BATCH_MAX_WEEKS, batch_frame

ANY = "Any"

auth.current_user()  # before anything else: see console.navigation
svc = handle.services()
st.title("Allocation preview")
st.caption(
    "Who would take a deal signed today, from which week, and why not the others. "
    "Nothing on this page is saved."
)
packages, households = svc.browsing.packages(), [ANY, *svc.browsing.households()]
if not packages:
    st.info("No service packages yet — run a HubSpot sync from the Sync page.")
    st.stop()
view = UrlView(
    state.PV_VIEW,
    [
        Field(state.PV_PACKAGE, "package", None, "service package"),
        Field(state.PV_HOUSEHOLD, "household", ANY, "household"),
        Field(state.PV_AGREEMENT, "agreement", None, "agreement start"),
    ],
)
for problem in view.restore({state.PV_PACKAGE: packages, state.PV_HOUSEHOLD: households}):
    st.warning(plain(problem))
if st.session_state.get(state.PV_PACKAGE) in packages and st.query_params.get("package"):
    st.session_state[state.PV_ASKED] = True  # a link to a preview shows it
elif st.session_state.get(state.PV_PACKAGE) not in packages:
    st.session_state[state.PV_PACKAGE] = packages[0]

with st.form("preview.deal"):
    cols = st.columns([2, 1, 1])
    package = cols[0].selectbox("Service package", packages, key=state.PV_PACKAGE)
    household = cols[1].selectbox("Household", households, key=state.PV_HOUSEHOLD)
    agreed = cols[2].date_input(
        "Agreement start", value=None, format="DD/MM/YYYY", key=state.PV_AGREEMENT
    )
    if st.form_submit_button("Preview", type="primary"):
        st.session_state[state.PV_ASKED] = True

what_if = whatif.what_if_panel(svc.browsing.advisers())
if not st.session_state.get(state.PV_ASKED):
    st.info("Choose a package (and optionally a household and agreement date), then Preview.")
    st.stop()
view.keep()  # the URL now names the deal shown, so the view can be shared or reloaded

try:
    result = svc.browsing.preview(package, household, agreed, what_if)
except ServiceError as exc:
    widgets.show_error(exc)
    st.stop()

if agreed is not None and result.decision.first_allowed_week is None:
    st.warning(preview_view.past_horizon_words(agreed, svc.browsing.ledger().weeks[-1]))
elif result.before is None:
    widgets.decision_summary(result.decision, result.adviser_name)
else:
    before, after = st.columns(2)
    with before:
        widgets.decision_summary(result.before, result.adviser_name, "Before (saved data)")
    with after:
        widgets.decision_summary(result.decision, result.adviser_name, "After the what-if")
    if result.changed:
        st.info("The what-if changes who takes the deal or from which week.")
    else:
        st.caption("The what-if does not change the decision; see the ranking for other effects.")

st.subheader("Every adviser, ranked")
ranking = result.candidates
preview_view.candidate_detail(ranking, preview_view.ranking_table(ranking, state.PV_RANKING))
widgets.csv_download(ranking, "preview-ranking.csv", "Download the ranking (CSV)")

st.subheader("Blocked weeks of the top candidates")
widgets.blocked_weeks(result)

st.subheader("Batch what-if: many deals like this one")
with st.form("preview.batch.form"):
    left, right = st.columns(2)
    count = left.number_input("Deals", 1, BATCH_MAX_DEALS, 10, key="preview.batch.count")
    weeks = right.number_input(
        "Arriving over (weeks)", 1, BATCH_MAX_WEEKS, 4, key="preview.batch.weeks"
    )
    if st.form_submit_button("Place them"):
        st.session_state[state.PV_BATCH] = (int(count), int(weeks))
asked_batch = st.session_state.get(state.PV_BATCH)
if asked_batch:
    try:
        many, spread = asked_batch
        batch = svc.outlook.batch(package, household, many, spread, what_if)
    except ServiceError as exc:
        widgets.show_error(exc)
        st.stop()
    placed = batch_frame(batch)
    st.caption(
        f"{asked_batch[0]} deals of {batch.segment.label} arriving evenly over the next "
        f"{asked_batch[1]} weeks, each booked after the ones before it with the real rules "
        "(nothing is saved). Wait: weeks from the week a deal arrives to the week it starts"
        + ("; the right-hand columns add the unsaved what-if above." if batch.after else ".")
    )
    st.dataframe(placed, hide_index=True)
    widgets.csv_download(placed, "preview-batch.csv", "Download the batch (CSV)")
