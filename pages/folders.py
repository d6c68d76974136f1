"""Client folders: each allocated deal's Box folder — the step reached, the link, what went
wrong — with retry for failed ones and a look for folders missing their metadata."""

from __future__ import annotations

import streamlit as st

from console import auth, folders_view, handle, state, widgets
from services.folder_records import FOLDER_GAVE_UP, FOLDER_PENDING, FOLDER_PROVISIONED

STATUS_WORDS = {
    "any": "Every folder",
    FOLDER_GAVE_UP: "Need a person",
    FOLDER_PENDING: "Waiting or retrying",
    FOLDER_PROVISIONED: "Ready",
}

user = auth.current_user()  # before anything else: see console.navigation
svc = handle.services()
st.title("Client folders")
widgets.show_flash()

if not svc.folders.configured:
    st.info(
        "Client folders are off: Box is not configured. Set BOX_CLIENT_ID, BOX_CLIENT_SECRET "
        "and BOX_ENTERPRISE_ID (see docs/box.md), then fill in the Box section of Settings."
    )
    st.stop()
if not svc.folders.box_settings().complete:
    st.warning(
        "Box is connected but its settings are incomplete: set the template folder, the "
        "clients parent folder and the metadata template in the Box section of Settings."
    )

st.caption(folders_view.status_caption(svc.folders.counts()))
status = st.selectbox(
    "Show", list(STATUS_WORDS), format_func=lambda s: STATUS_WORDS[s], key=state.FO_STATUS
)
records = svc.folders.records(None if status == "any" else status)
if records:
    st.dataframe(
        svc.folders.frame(records), hide_index=True, column_config=folders_view.COLUMNS,
        column_order=list(folders_view.COLUMNS),
    )  # fmt: skip
else:
    st.success("No client folders here yet: they are queued as deals are allocated.")

unfinished = svc.folders.records(FOLDER_GAVE_UP) + svc.folders.records(FOLDER_PENDING)
if unfinished:
    st.subheader("Retry")
    folders_view.retry_panel(svc, user, unfinished)

with st.expander("Folders missing their metadata"):
    folders_view.missing_panel(svc, user)
