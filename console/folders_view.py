"""The Client folders page's table and actions: retry one or every failed folder (editors,
confirmed), and the folders in the clients parent that miss their metadata.

Viewers see the table only; ``Services`` refuses their calls anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import streamlit as st

from console import state, widgets
from console.auth import User
from console.text import plain
from services.errors import ConsoleError

if TYPE_CHECKING:
    from services import Services
    from services.client_folders import MissingMetadata
    from services.folder_records import FolderRecord

COLUMNS = {
    "deal_id": st.column_config.TextColumn("Deal"),
    "status": st.column_config.TextColumn("Status"),
    "step": st.column_config.TextColumn("Step reached"),
    "adviser": st.column_config.TextColumn("Adviser"),
    "folder": st.column_config.TextColumn("Folder"),
    "url": st.column_config.LinkColumn("Link", display_text="Open in Box"),
    "attempts": st.column_config.NumberColumn("Attempts"),
    "last_error": st.column_config.TextColumn("Last error (what to fix)", width="large"),
    "updated": st.column_config.DatetimeColumn("Updated (firm time)", format="D MMM YYYY HH:mm"),
}
VIEWER_NOTE = "Only editors can retry client folders or tag folders."


def _done(message: str) -> None:
    widgets.flash(message)
    st.rerun()


def retry_panel(svc: Services, user: User, records: Sequence[FolderRecord]) -> None:
    """Retry one deal's folder, or every one not finished, after confirming."""
    if not records:
        return
    if not user.is_editor:
        st.caption(VIEWER_NOTE)
        return
    deals = [r.deal_id for r in records]
    asked_for = st.query_params.get(state.DEAL_PARAM)
    cols = st.columns([3, 1, 1], vertical_alignment="bottom")
    deal = cols[0].selectbox(
        "Deal", deals, index=deals.index(asked_for) if asked_for in deals else 0,
        key=state.FO_DEAL,
    )  # fmt: skip
    one = cols[1].button("Retry this deal", key="folders.one")
    every = cols[2].button(f"Retry all {len(records)}", key="folders.all")
    sure = st.checkbox("I have fixed what the errors say; retry now", key=state.FO_CONFIRM)
    if not (one or every):
        return
    if not sure:
        st.warning("Tick the confirmation box to retry.")
        return
    try:
        done = svc.folders.retry(deal if one else None, actor=user.actor, is_editor=user.is_editor)
    except ConsoleError as exc:
        widgets.show_error(exc)
        return
    busy = f" {done.skipped} being worked on by someone else." if done.skipped else ""
    failed = f" {done.failed} still failing: see Last error." if done.failed else ""
    _done(f"Retried {done.done + done.failed} folder(s): {done.done} ready.{failed}{busy}")


def missing_panel(svc: Services, user: User) -> None:
    """Look (on request: it asks Box about every folder) for folders without metadata."""
    if st.button("Look for folders missing their metadata", key="folders.look"):
        try:
            st.session_state[state.FO_MISSING] = svc.folders.missing_metadata()
        except ConsoleError as exc:
            widgets.show_error(exc)
            return
    missing: list[MissingMetadata] | None = st.session_state.get(state.FO_MISSING)
    if missing is None:
        st.caption("Box is asked only when you press the button.")
        return
    if not missing:
        st.success("Every folder in the clients parent has its metadata.")
        return
    rows = [{"Folder": m.folder.name, "Deal": m.deal_id or "not made by the console"}
            for m in missing]  # fmt: skip
    st.dataframe(rows, hide_index=True)
    ours = [m for m in missing if m.deal_id]
    if not ours:
        st.info("None of these folders was made by the console: tag them in Box by hand.")
        return
    if not user.is_editor:
        st.caption(VIEWER_NOTE)
        return
    if st.button(f"Tag the {len(ours)} folder(s) made by the console", key="folders.tag"):
        try:
            done = svc.folders.tag_missing(ours, actor=user.actor, is_editor=user.is_editor)
        except ConsoleError as exc:
            widgets.show_error(exc)
            return
        st.session_state.pop(state.FO_MISSING, None)
        _done(f"Tagged {done.done} folder(s); {done.failed} failed (see the table).")


def status_caption(counts: dict[str, int]) -> str:
    return plain(
        f"{counts['ready']} ready · {counts['waiting']} waiting or retrying · "
        f"{counts['failed']} need a person · {counts['busy']} being made now"
    )
