"""Allocations: every decision with its explanation, the queues ops work from, a monthly chart."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from console import allocation_actions, auth, handle, state, text, widgets
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

user = auth.current_user()  # before anything else: see console.navigation
svc = handle.services()
st.title("Allocations")
widgets.show_flash()

advisers = {a.id: a.name for a in sorted(svc.browsing.advisers(), key=lambda a: a.name.casefold())}
cols = st.columns([1.15, 1.15, 1.4, 1.1, 1.2])
since = cols[0].date_input("Decided from", value=None, format="DD/MM/YYYY", key=state.AL_SINCE)
until = cols[1].date_input("Decided to", value=None, format="DD/MM/YYYY", key=state.AL_UNTIL)
adviser = cols[2].selectbox(
    "Adviser", [ANY, *advisers], format_func=lambda a: advisers.get(a, a), key=state.AL_ADVISER
)
package = cols[3].selectbox("Package", [ANY, *svc.browsing.packages()], key=state.AL_PACKAGE)
status = cols[4].selectbox(
    "Status", list(STATUS_WORDS), format_func=lambda s: STATUS_WORDS[s], key=state.AL_STATUS
)
wanted = AllocationFilter(
    since=since,
    until=until,
    adviser_id=None if adviser == ANY else adviser,
    package=None if package == ANY else package,
    status=None if status == ANY else status,
)
history = svc.history.allocations_frame(wanted)
unallocated, rejected = svc.history.unallocated(), svc.rejected.open()
pending = (
    svc.history.writebacks_failed() + svc.history.writebacks_pending()
)  # given up first: act on them

tabs = st.tabs(
    [f"History ({len(history)})", f"Unallocated ({len(unallocated)})",
     f"Write-backs waiting ({len(pending)})", f"Refused deliveries ({len(rejected)})",
     "Per adviser per month"]
)  # fmt: skip
with tabs[0]:
    st.dataframe(
        history,
        hide_index=True,
        column_config=allocation_actions.COLUMNS,
        column_order=list(allocation_actions.COLUMNS),
    )
    widgets.csv_download(history, "allocations.csv", "Download CSV of these allocations")
    deal = st.selectbox(
        "Explain a decision", list(history["deal_id"]), index=None, key=state.AL_DEAL,
        placeholder="Choose a deal to see every adviser as ranked when it was decided",
    )  # fmt: skip
    record = svc.history.allocation(deal) if deal else None
    if record is not None:
        zone = svc.browsing.rules().zone
        household = record.household_type or "any household"
        st.caption(
            f"Deal {plain(record.deal_id)}: {plain(record.service_package)}, {plain(household)} "
            f"— decided {text.moment(record.decided_at, zone)} · "
            f"{plain(text.source_words(record.source))}"
            + (f" · note: {plain(record.note)}" if record.note else "")
        )
        widgets.candidates_table(
            svc.history.explanation_frame(record), key="allocations.explanation"
        )
with tabs[1]:
    allocation_actions.queue(
        svc, user, unallocated, svc.history.allocations_frame(AllocationFilter(status=UNALLOCATED)),
        "unallocated",
    )  # fmt: skip
with tabs[2]:
    allocation_actions.queue(svc, user, pending, svc.history.records_frame(pending), "writeback")
with tabs[3]:
    allocation_actions.rejected_queue(svc, user, rejected, "allocations.rejected")
with tabs[4]:
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
