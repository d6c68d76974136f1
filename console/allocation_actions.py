"""The queues' actions on the Allocations page (Retry, Re-run, Re-assign) and Allocate deal by
id: editors only, confirmed, audited.

Viewers never see these controls, and ``Services`` refuses their calls anyway.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from console import hubspot_links, reassign, text, widgets
from console.auth import User
from console.text import plain
from services.allocating import TypedDeal
from services.booking import Outcome
from services.errors import ConfigurationError, ServiceError, UpstreamError
from services.explanation import day_words
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
    "why": st.column_config.TextColumn("Why unallocated", width="large"),
    "last_error": st.column_config.TextColumn("Last error"),
    "note": st.column_config.TextColumn("Note"),
}
# The unallocated queue: what the deal is and why nobody took it (no adviser or week to show).
UNALLOCATED_SHOWN = ("decided_at", "deal_id", "service_package", "household_type", "why",
                     "source", "note")  # fmt: skip
LAST_ERRORS_SHOWN = 50
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


def queue(
    svc: Services,
    user: User,
    records: Sequence[AllocationRecord],
    frame: pd.DataFrame,
    key: str,
    portal: str | None = None,
) -> None:
    """One queue: its table, then the actions an editor may take on it."""
    if not records:
        st.success("Nothing waiting here.")
        return
    table(frame, portal, shown=UNALLOCATED_SHOWN if key == "unallocated" else None)
    if key == "writeback":
        last_errors(records, portal)
    if not user.is_editor:
        st.caption(VIEWER_NOTE)
        return
    if key == "writeback":
        retry_panel(svc, user, records, f"allocations.{key}.retry")
    if key == "unallocated":
        rerun_panel(svc, user, [r.deal_id for r in records], f"allocations.{key}.rerun")
    st.markdown("**Re-assign a deal by hand**")
    reassign.reassign_form(svc, user, [r.deal_id for r in records], f"allocations.{key}.reassign")


def table(
    frame: pd.DataFrame,
    portal: str | None,
    shown: Sequence[str] | None = None,
    **kwargs: Any,
) -> Any:
    """Allocation records as every table on the page shows them (``shown``: these columns
    only), with a HubSpot link per deal when the portal id is configured."""
    columns = dict(COLUMNS)
    wanted = [c for c in (shown or columns) if c in frame.columns and c != "last_error"]
    if portal is not None:
        links = [hubspot_links.deal_url(portal, str(d)) for d in frame["deal_id"]]
        frame = frame.assign(hubspot=pd.Series(links, index=frame.index, dtype=object))
        columns["hubspot"] = st.column_config.LinkColumn("HubSpot", display_text="Open deal")
        wanted.insert(2, "hubspot")
    return st.dataframe(
        frame, hide_index=True, column_config=columns, column_order=wanted, **kwargs
    )


def last_errors(records: Sequence[AllocationRecord], portal: str | None = None) -> None:
    """Each waiting write-back's last error in full, wrapped (a table cell would cut it off)."""
    with st.container(border=True):
        st.markdown("**Why each write-back is waiting**")
        for r in records[:LAST_ERRORS_SHOWN]:
            attempts = f"{r.writeback_attempts} attempt{'s' if r.writeback_attempts != 1 else ''}"
            error = r.last_error or "not tried yet"
            link = hubspot_links.deal_url(portal, r.deal_id)  # digits only: safe in markdown
            deal = f"[Deal {r.deal_id}]({link})" if link else f"Deal {plain(r.deal_id)}"
            st.markdown(f"- {deal} ({attempts}): {plain(error)}")
        if len(records) > LAST_ERRORS_SHOWN:
            st.caption(f"…and {len(records) - LAST_ERRORS_SHOWN} more, not listed here.")


def rerun_panel(svc: Services, user: User, deal_ids: list[str], key: str) -> None:
    """Re-run one or every unallocated deal: first what each would get now, then book."""
    st.markdown("**Re-run now that capacity may have freed up**")
    every = f"All {len(deal_ids)} unallocated deals"
    cols = st.columns([3, 1], vertical_alignment="bottom")
    chosen = cols[0].selectbox("Deals to re-run", [every, *deal_ids], key=f"{key}.which")
    ids = None if chosen == every else [str(chosen)]
    if cols[1].button("Show what they would get", key=f"{key}.preview"):
        st.session_state[f"{key}.lines"] = (ids, svc.allocating.rerun_preview(ids))
    kept = st.session_state.get(f"{key}.lines")
    if kept is None or kept[0] != ids:
        return
    lines = kept[1]
    st.dataframe(
        pd.DataFrame([{"deal": x.deal_id, "would_get": x.words} for x in lines]),
        hide_index=True,
        column_config={
            "deal": st.column_config.TextColumn("Deal"),
            "would_get": st.column_config.TextColumn("Would get now", width="large"),
        },
    )
    bookable = [x.deal_id for x in lines if x.adviser_id is not None]
    if not bookable:
        st.info("Nobody can take these deals yet: nothing to book.")
        return
    if not st.button(f"Book {len(bookable)} deal(s) as shown", type="primary", key=f"{key}.book"):
        return
    st.session_state.pop(f"{key}.lines", None)
    try:
        done = svc.allocating.rerun(bookable, user.actor, user.is_editor)
    except ServiceError as exc:
        widgets.show_error(exc)
        return
    booked = [x for x in done if x.adviser_id is not None]
    words = "; ".join(f"deal {x.deal_id}: {x.words}" for x in done)
    _done(f"Re-ran {len(done)} deal(s), {len(booked)} booked — {words}.")


def allocate_by_id_panel(svc: Services, user: User, hubspot: bool, key: str) -> None:
    """A deal the webhook missed (an outage, deals from before go-live), decided exactly as
    the webhook would have: read from HubSpot, or with its details typed in."""
    if not user.is_editor:
        st.caption("Only editors can allocate deals.")
        return
    st.caption(
        "Decides the deal exactly as the HubSpot webhook would: a deal already decided "
        "(by the webhook or here) is shown as it is, never decided twice."
    )
    sources = ["HubSpot", "typed"] if hubspot else ["typed"]
    words = {"HubSpot": "Read it from HubSpot", "typed": "Type its details in"}
    with st.form(f"{key}.form"):
        deal_id = st.text_input("HubSpot deal id", key=f"{key}.deal")
        source = st.radio("The deal's details", sources, format_func=words.__getitem__,
                          horizontal=True, key=f"{key}.source")  # fmt: skip
        if not hubspot:
            st.caption("HubSpot is not configured (HUBSPOT_TOKEN), so type the details in.")
        cols = st.columns(3)
        package = cols[0].selectbox("Service package", svc.browsing.packages(), index=None,
                                    key=f"{key}.package")  # fmt: skip
        household = cols[1].selectbox(
            "Household", svc.browsing.households(), index=None, placeholder="Any household",
            key=f"{key}.household",
        )  # fmt: skip
        start = cols[2].date_input("Agreement start (optional)", value=None,
                                   format="DD/MM/YYYY", key=f"{key}.start")  # fmt: skip
        asked = st.form_submit_button("Allocate", type="primary")
    if not asked:
        return
    typed = None
    if source == "typed":
        if package is None:
            st.warning("Choose the deal's service package (or read the deal from HubSpot).")
            return
        start_day = start if isinstance(start, dt.date) else None
        typed = TypedDeal(package, household, start_day)
    try:
        outcome = svc.allocating.allocate_by_id(deal_id, user.actor, user.is_editor, typed)
    except (ServiceError, UpstreamError, ConfigurationError) as exc:
        widgets.show_error(exc)
        return
    _done(outcome_words(svc, outcome))


def outcome_words(svc: Services, outcome: Outcome) -> str:
    record = outcome.record
    names = {a.id: a.name for a in svc.browsing.advisers()}
    if outcome.replay:
        return (
            f"Deal {record.deal_id} was already decided ({reassign.status_words(record.status)}, "
            f"by {reassign.source_words(record.source)}): nothing changed."
        )
    if record.adviser_id is None:
        return f"Deal {record.deal_id}: nobody can take it now; it is in the Unallocated queue."
    return (
        f"Deal {record.deal_id} allocated to {names.get(record.adviser_id, record.adviser_id)} "
        f"from the week of {day_words(record.week)} ({reassign.status_words(record.status)})."
    )


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
    svc: Services,
    user: User,
    rejections: Sequence[RejectedDelivery],
    key: str,
    portal: str | None = None,
) -> None:
    """Deliveries HubSpot sent that were refused for their content: re-run once fixed, or
    dismiss with a reason."""
    if not rejections:
        st.success("No refused deliveries waiting.")
        return
    zone = svc.browsing.rules().zone
    frame, columns = rejected_frame(rejections, zone), dict(REJECTED_COLUMNS)
    if portal is not None:
        links = [hubspot_links.deal_url(portal, r.deal_id) for r in rejections]
        frame = frame.assign(hubspot=pd.Series(links, index=frame.index, dtype=object))
        columns["hubspot"] = st.column_config.LinkColumn("HubSpot", display_text="Open deal")
    st.dataframe(frame, hide_index=True, column_config=columns, column_order=list(columns))
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
    except (ServiceError, ConfigurationError) as exc:  # a bad HUBSPOT_DEAL_PROPERTIES
        widgets.show_error(exc)


def history_view(
    svc: Services, user: User, history: pd.DataFrame, portal: str | None, deal_key: str
) -> None:
    """Every decision; selecting a row (or choosing it below) opens its explanation."""
    ids = [str(d) for d in history["deal_id"]]
    rows_key = f"{deal_key}.rows"
    picked = functools.partial(_pick_row, ids, rows_key, deal_key)
    table(history, portal, key=rows_key, on_select=picked, selection_mode="single-row")
    widgets.csv_download(history, "allocations.csv", "Download CSV of these allocations")
    chosen = st.session_state.get(deal_key)
    options = ids + ([chosen] if chosen and chosen not in ids else [])
    deal = st.selectbox(
        "Explain a decision", options, index=None, key=deal_key,
        placeholder="Select a row above, or choose a deal, to see why it went where it did",
    )  # fmt: skip
    if not deal:
        return
    record = svc.history.allocation(deal)
    if record is None:
        st.warning(f"Deal {plain(deal)} has no recorded decision.")
        return
    reassign.decision_panel(svc, user, record, portal, f"allocations.decision.{deal}")


def _pick_row(ids: list[str], rows_key: str, deal_key: str) -> None:
    rows = st.session_state[rows_key]["selection"]["rows"]
    if rows and rows[0] < len(ids):
        st.session_state[deal_key] = ids[rows[0]]
