"""Retry and Re-assign on the Allocations page: editors only, confirmed, audited by the store.

Viewers never see these controls, and ``Services`` refuses their calls anyway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from allocation import week_of
from console import text, widgets
from console.auth import User
from console.text import plain
from services.errors import ServiceError
from services.records import AllocationRecord, RejectedDelivery

if TYPE_CHECKING:
    from services import Services

# How allocation records read in every table on the page (history and queues).
COLUMNS = {
    "decided_at": st.column_config.TextColumn("Decided"),  # the firm's time, in words
    "deal_id": st.column_config.TextColumn("Deal"),
    "status": st.column_config.TextColumn("Status"),
    "adviser": st.column_config.TextColumn("Adviser"),
    "week": st.column_config.TextColumn("Week"),
    "service_package": st.column_config.TextColumn("Package"),
    "household_type": st.column_config.TextColumn("Household"),
    "source": st.column_config.TextColumn("Source"),
    "writeback_attempts": st.column_config.NumberColumn("Write-back attempts"),
    "last_error": st.column_config.TextColumn("Last error"),
    "note": st.column_config.TextColumn("Note"),
}
VIEWER_NOTE = "Only editors can retry write-backs or re-assign deals."


def _done(message: str) -> None:
    widgets.flash(message)
    st.rerun()


RETRY_UNAVAILABLE = (
    "Retry is off: HubSpot is not configured (set HUBSPOT_TOKEN), so nothing can be written "
    "back. The deals stay in this queue until it is."
)


def retry_unavailable_words(svc: Services) -> str | None:
    """Why a write-back cannot be retried now, or None when it can."""
    return RETRY_UNAVAILABLE if svc.crm is None else None


def retry_panel(svc: Services, user: User, records: Sequence[AllocationRecord], key: str) -> None:
    """Retry one pending write-back, or all of them."""
    if not records:
        return
    why_not = retry_unavailable_words(svc)
    cols = st.columns([3, 1, 1], vertical_alignment="bottom")
    deal = cols[0].selectbox("Deal", [r.deal_id for r in records], key=f"{key}.deal")
    one = cols[1].button("Retry this deal", key=f"{key}.one", disabled=bool(why_not), help=why_not)
    every = cols[2].button(
        f"Retry all {len(records)}", key=f"{key}.all", disabled=bool(why_not), help=why_not
    )
    if why_not:
        st.caption(plain(why_not))
    if not (one or every):
        return
    try:
        drained = svc.booking.retry_writebacks(
            deal if one else None, actor=user.actor, is_editor=user.is_editor
        )
    except ServiceError as exc:
        widgets.show_error(exc)
        return
    tried = drained.written + drained.failed
    busy = f" {drained.skipped} being written by someone else." if drained.skipped else ""
    _done(f"Write-back retried for {tried} deal(s): {drained.written} written to HubSpot.{busy}")


def reassign_form(svc: Services, user: User, records: Sequence[AllocationRecord], key: str) -> None:
    """Give a deal to an adviser and week chosen by hand, with a reason, after confirming."""
    if not records:
        return
    advisers = sorted(svc.browsing.advisers(), key=lambda a: a.name.casefold())
    names = {a.id: a.name for a in advisers}
    with st.form(f"{key}.form"):
        st.markdown("**Re-assign a deal**")
        cols = st.columns([1, 1, 1])
        deal = cols[0].selectbox("Deal", [r.deal_id for r in records], key=f"{key}.deal")
        adviser = cols[1].selectbox(
            "Adviser", list(names), format_func=lambda i: names.get(i, i), key=f"{key}.adviser"
        )
        week = cols[2].date_input(
            "Week (any day; its Monday is used)", value=svc.today(), format="DD/MM/YYYY",
            key=f"{key}.week",
        )  # fmt: skip
        reason = st.text_input("Reason (kept in the audit log)", key=f"{key}.reason")
        sure = st.checkbox("I confirm this re-assignment", key=f"{key}.confirm")
        asked = st.form_submit_button("Re-assign", type="primary")
    if not asked:
        return
    if not sure:
        st.warning("Tick the confirmation box to re-assign the deal.")
        return
    if deal is None or adviser is None:
        st.warning("Choose the deal and the adviser to give it to.")
        return
    try:
        outcome = svc.booking.reassign(deal, adviser, week, reason, user.actor, user.is_editor)
    except ServiceError as exc:
        widgets.show_error(exc)
        return
    monday = week_of(week if isinstance(week, dt.date) else svc.today())
    _done(
        f"Deal {outcome.deal_id} re-assigned to {names.get(adviser, adviser)} from the "
        f"{widgets.week_words(monday)} ({text.status_words(outcome.status)})."
    )


def queue(
    svc: Services, user: User, records: Sequence[AllocationRecord], frame: pd.DataFrame, key: str
) -> None:
    """One queue: its table, then the actions an editor may take on it."""
    if not records:
        st.success("Nothing waiting here.")
        return
    st.dataframe(frame, hide_index=True, column_config=COLUMNS, column_order=list(COLUMNS))
    if not user.is_editor:
        st.caption(VIEWER_NOTE)
        return
    if key == "writeback":
        retry_panel(svc, user, records, f"allocations.{key}.retry")
    reassign_form(svc, user, records, f"allocations.{key}.reassign")


REJECTED_COLUMNS = {
    "received_at": st.column_config.TextColumn("First received"),
    "deal_id": st.column_config.TextColumn("Deal"),
    "reason": st.column_config.TextColumn("Why it was refused", width="large"),
    "times": st.column_config.NumberColumn("Times received"),
    "fields": st.column_config.TextColumn("What arrived", width="large"),
}


def rejected_frame(
    rejections: Sequence[RejectedDelivery], zone: dt.tzinfo = dt.UTC
) -> pd.DataFrame:
    rows = [
        {
            "received_at": text.moment(r.received_at, zone),
            "deal_id": r.deal_id or "no deal id",
            "reason": r.reason,
            "times": r.times,
            "fields": "; ".join(f"{k}: {v}" for k, v in r.fields.items()),
        }
        for r in rejections
    ]
    return pd.DataFrame(rows, columns=list(REJECTED_COLUMNS))


def rejected_queue(
    svc: Services, user: User, rejections: Sequence[RejectedDelivery], key: str
) -> None:
    """Deliveries HubSpot sent that were refused for their content: re-run once fixed, or
    dismiss with a reason."""
    if not rejections:
        st.success("No refused deliveries waiting.")
        return
    zone = svc.browsing.rules().zone
    st.dataframe(rejected_frame(rejections, zone), hide_index=True, column_config=REJECTED_COLUMNS)
    if not user.is_editor:
        st.caption("Only editors can re-run or dismiss refused deliveries.")
        return
    labels = {r.id: f"{r.deal_id or 'no deal id'}: {r.reason[:80]}" for r in rejections}
    chosen = st.selectbox("Delivery", list(labels), format_func=labels.__getitem__,
                          key=f"{key}.chosen")  # fmt: skip
    cols = st.columns([1, 2, 1], vertical_alignment="bottom")
    rerun = cols[0].button("Re-run it", type="primary", key=f"{key}.rerun",
                           help="Decide the deal again, now that the deal or the catalogue "
                           "is fixed (read afresh from HubSpot when it is connected)")  # fmt: skip
    why = cols[1].text_input("Reason to dismiss", key=f"{key}.why")
    dismiss = cols[2].button("Dismiss", key=f"{key}.dismiss")
    if chosen is None or not (rerun or dismiss):
        return
    try:
        if rerun:
            outcome = svc.rejected.rerun(chosen, user.actor, user.is_editor)
            _done(f"Deal {outcome.deal_id} re-run: {text.status_words(outcome.status)}.")
        else:
            svc.rejected.dismiss(chosen, why, user.actor, user.is_editor)
            _done("Refused delivery dismissed.")
    except ServiceError as exc:
        widgets.show_error(exc)
