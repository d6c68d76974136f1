"""The Box section of the Settings page: where client folders come from and go, who they are
shared with, and the HubSpot properties involved — checked against Box when saved."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from console import state, widgets
from console.auth import User
from services.client_folders import ROLES
from services.errors import ConsoleError
from services.folder_records import BoxSettings

if TYPE_CHECKING:
    from services import Services

OFF = (
    "Client folders are off: Box is not configured. Set BOX_CLIENT_ID, BOX_CLIENT_SECRET and "
    "BOX_ENTERPRISE_ID (or BOX_USER_ID) and restart; docs/box.md says how to create the Box app."
)
LABELS = {
    "template_folder_id": "Template folder id",
    "parent_folder_id": "Clients parent folder id",
    "shared_subfolder": "Subfolder shared with the client",
    "metadata_scope": "Metadata scope",
    "metadata_template": "Metadata template key",
    "client_role": "Client's role",
    "adviser_role": "Adviser's role",
    "url_property": "HubSpot deal property for the folder link",
    "name_property": "HubSpot deal property naming the folder",
    "email_property": "HubSpot deal property with the client's email",
}


def read_only(box: BoxSettings) -> pd.DataFrame:
    rows = [{"setting": label, "value": getattr(box, key) or "(not set)"}
            for key, label in LABELS.items()]  # fmt: skip
    return pd.DataFrame(rows, columns=["setting", "value"])


def box_section(svc: Services, user: User) -> None:
    stored = svc.editing.console_settings()
    box = stored.value.box
    if not svc.folders.configured:
        st.info(OFF)
    if not (user.is_editor and svc.folders.configured):
        st.dataframe(read_only(box), hide_index=True)
        return
    with st.form(state.BOX_FORM):
        cols = st.columns(2)
        values = {
            "template_folder_id": cols[0].text_input(LABELS["template_folder_id"],
                                                     box.template_folder_id),
            "parent_folder_id": cols[1].text_input(LABELS["parent_folder_id"],
                                                   box.parent_folder_id),
            "shared_subfolder": cols[0].text_input(
                LABELS["shared_subfolder"], box.shared_subfolder,
                help="A folder inside the template; empty shares the whole client folder"),
            "metadata_scope": cols[1].text_input(LABELS["metadata_scope"], box.metadata_scope),
            "metadata_template": cols[0].text_input(LABELS["metadata_template"],
                                                    box.metadata_template),
            "client_role": cols[1].selectbox(LABELS["client_role"], ROLES,
                                             index=_at(box.client_role)),
            "adviser_role": cols[0].selectbox(LABELS["adviser_role"], ROLES,
                                              index=_at(box.adviser_role)),
            "url_property": cols[1].text_input(LABELS["url_property"], box.url_property),
            "name_property": cols[0].text_input(LABELS["name_property"], box.name_property),
            "email_property": cols[1].text_input(LABELS["email_property"], box.email_property),
        }  # fmt: skip
        asked = st.form_submit_button("Check with Box and save", type="primary")
    if not asked:
        return
    try:
        svc.folders.save_box_settings(
            BoxSettings(**{k: str(v or "") for k, v in values.items()}), stored.version,
            actor=user.actor, is_editor=user.is_editor,
        )  # fmt: skip
    except ConsoleError as exc:
        widgets.show_error(exc)
        return
    widgets.flash("Box settings checked with Box and saved.")
    st.rerun()


def _at(role: str) -> int:
    return ROLES.index(role) if role in ROLES else 0
