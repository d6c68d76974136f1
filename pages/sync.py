"""Sync: pull advisers, meetings and open deals from HubSpot, leave from Employment Hero and
public holidays, by hand; see how every run went."""

from __future__ import annotations

import streamlit as st

from console import auth, data_quality, handle, sync_panel
from services.syncing import SOURCES

SOURCE_FILTER = "source"  # also the query parameter: ?source=leave opens that history
ALL = "All sources"

user = auth.current_user()  # before anything else: see console.navigation
svc = handle.services()
st.title("Sync")
if svc.demo:
    st.info(
        "Demo mode: syncs refresh the demo firm's data, so no accounts are needed.",
        icon=":material/science:",
    )

if user.is_editor:
    asked: list[str] = []
    rows = -(-(len(SOURCES) + 1) // 3)  # rows of three at 1280 px: every source, Sync all
    slots = [c for _ in range(rows) for c in st.columns(3)]
    for slot, source in zip(slots, SOURCES, strict=False):
        if slot.button(sync_panel.title_of(source), key=f"sync.{source}", width="stretch"):
            asked = [source]
    if slots[-1].button("Sync all", key="sync.all", type="primary", width="stretch"):
        asked = list(SOURCES)
    if asked:
        sync_panel.run_with_progress(asked, user.actor, user.is_editor)
else:
    st.caption("Only editors can start a sync; the scheduler runs them too.")

data_quality.show_panel(svc)
runs = svc.sync.recent_syncs_by_source()
zone = svc.browsing.rules().zone
st.subheader("Last successful run per source")
st.dataframe(sync_panel.last_success_frame(runs, zone), hide_index=True)

st.subheader("Run history")
shown = st.selectbox(
    "Source", [ALL, *SOURCES], format_func=lambda s: s if s == ALL else sync_panel.name_of(s),
    key=SOURCE_FILTER, bind="query-params",
)  # fmt: skip
wanted = svc.sync.sync_runs(None if shown == ALL else shown, limit=50)
st.dataframe(sync_panel.history_frame(wanted, zone), hide_index=True)
