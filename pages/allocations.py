"""Allocations: every decision with its explanation, the queues ops work from, allocating a
deal by id, a monthly chart. Filters, the open part and the open decision live in the URL
(``?deal=`` from a Chat card opens that decision)."""

from __future__ import annotations

import datetime as dt

import plotly.express as px
import streamlit as st

from console import allocation_actions, auth, handle, hubspot_links, state, url_state, widgets
from console.text import chart_text, plain
from services.history import AllocationFilter
from services.records import ALLOCATED, UNALLOCATED, WRITEBACK_FAILED, WRITEBACK_PENDING

ANY = "Any"
STATUS_WORDS = {
    ANY: "Any status",
    ALLOCATED: "Allocated",
    WRITEBACK_PENDING: "Write-back pending",
    WRITEBACK_FAILED: "Write-back failed",
    UNALLOCATED: "Unallocated",
}
VIEWS = {
    "history": "History",
    "unallocated": "Unallocated",
    "writebacks": "Write-backs waiting",
    "refused": "Refused deliveries",
    "allocate": "Allocate deal by id",
    "monthly": "Per adviser per month",
}

user = auth.current_user()  # before anything else: see console.navigation
svc = handle.services()
portal = hubspot_links.portal_id(handle.settings())
st.title("Allocations")
widgets.show_flash()
if problem := hubspot_links.portal_problem(handle.settings()):
    st.caption(problem)

advisers = {a.id: a.name for a in sorted(svc.browsing.advisers(), key=lambda a: a.name.casefold())}
packages = svc.browsing.packages()
VIEW = url_state.UrlView(
    state.AL_URL,
    [
        url_state.Field(state.AL_SINCE, "from", None, "start date"),
        url_state.Field(state.AL_UNTIL, "to", None, "end date"),
        url_state.Field(state.AL_ADVISER, "adviser", ANY, "adviser"),
        url_state.Field(state.AL_PACKAGE, "package", ANY, "package"),
        url_state.Field(state.AL_STATUS, "status", ANY, "status"),
        url_state.Field(state.AL_VIEW, "view", "history", "part"),
        url_state.Field(state.AL_DEAL, "deal", None, "deal", free_text=True),
    ],
)
if "deal" in st.query_params and state.AL_VIEW not in st.session_state:
    st.session_state[state.AL_VIEW] = "history"  # a Chat card's link opens that decision
for problem in VIEW.restore(
    {state.AL_ADVISER: [ANY, *advisers], state.AL_PACKAGE: [ANY, *packages],
     state.AL_STATUS: list(STATUS_WORDS), state.AL_VIEW: list(VIEWS)}
):  # fmt: skip
    st.caption(plain(problem))
st.session_state.setdefault(state.AL_VIEW, "history")

cols = st.columns([1.15, 1.15, 1.4, 1.1, 1.2])
since = cols[0].date_input("Decided from", value=None, format="DD/MM/YYYY", key=state.AL_SINCE)
until = cols[1].date_input("Decided to", value=None, format="DD/MM/YYYY", key=state.AL_UNTIL)
adviser = cols[2].selectbox(
    "Adviser", [ANY, *advisers], format_func=lambda a: advisers.get(a, a), key=state.AL_ADVISER
)
package = cols[3].selectbox("Package", [ANY, *packages], key=state.AL_PACKAGE)
status = cols[4].selectbox(
    "Status", list(STATUS_WORDS), format_func=lambda s: STATUS_WORDS[s], key=state.AL_STATUS
)
wanted = AllocationFilter(
    since=since if isinstance(since, dt.date) else None,
    until=until if isinstance(until, dt.date) else None,
    adviser_id=None if adviser == ANY else adviser,
    package=None if package == ANY else package,
    status=None if status == ANY else status,
)
history = svc.history.allocations_frame(wanted)
unallocated, rejected = svc.history.unallocated(), svc.rejected.open()
pending = (
    svc.history.writebacks_failed() + svc.history.writebacks_pending()
)  # given up first: act on them
counts = {"history": len(history), "unallocated": len(unallocated),
          "writebacks": len(pending), "refused": len(rejected)}  # fmt: skip
view = st.segmented_control(
    "Show", list(VIEWS), key=state.AL_VIEW, required=True,
    format_func=lambda v: f"{VIEWS[v]} ({counts[v]})" if v in counts else VIEWS[v],
)  # fmt: skip

if view == "history":
    allocation_actions.history_view(svc, user, history, portal, state.AL_DEAL)
elif view == "unallocated":
    allocation_actions.queue(
        svc, user, unallocated, svc.allocating.unallocated_frame(), "unallocated", portal
    )
elif view == "writebacks":
    frame = svc.history.records_frame(pending)
    allocation_actions.queue(svc, user, pending, frame, "writeback", portal)
elif view == "refused":
    allocation_actions.rejected_queue(svc, user, rejected, "allocations.rejected", portal)
elif view == "allocate":
    allocation_actions.allocate_by_id_panel(svc, user, svc.crm is not None, "allocations.by_id")
else:
    monthly = svc.history.allocations_per_month(wanted)
    if monthly.empty:
        st.info("No allocations match the filters.")
    else:
        named = monthly.assign(adviser=[chart_text(a) for a in monthly["adviser"]])
        chart = px.bar(named, x="month", y="count", color="adviser", height=380)
        chart.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, xaxis_title=None,
                            yaxis_title="allocations", legend_title=None)  # fmt: skip
        chart.update_xaxes(dtick="M1", tickformat="%b %Y")
        st.plotly_chart(chart, config={"displaylogo": False})
VIEW.keep()
