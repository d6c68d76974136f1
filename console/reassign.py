"""One decision opened on the Allocations page (from a history row, the *Explain* box or a Chat
card's ``?deal=`` link): what was decided and why, and the safe Re-assign.

Re-assign starts from the allocator's ranking for the deal today (eligible advisers first, each
with their earliest week and reason) with its choice pre-filled. Choosing someone or a week the
allocator would not (an adviser who does not offer the package or household, a past week,
one inside the buffer or not open) shows why and asks for an explicit confirmation; the use
case refuses it without one (``NeedsConfirmation``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import streamlit as st

from console import hubspot_links, widgets
from console.auth import User
from console.text import plain
from services.errors import NeedsConfirmation, ServiceError
from services.explanation import day_words, tie_break_words
from services.records import WRITEBACK_FAILED, WRITEBACK_PENDING, AllocationRecord

if TYPE_CHECKING:
    from services import Services
    from services.allocating import ReassignPlan

STATUS_WORDS = {
    "allocated": "Allocated",
    "writeback_pending": "Write-back pending",
    "writeback_failed": "Write-back failed",
    "unallocated": "Unallocated",
}


def status_words(status: str) -> str:
    return STATUS_WORDS.get(status, status.replace("_", " ").capitalize())


def source_words(source: str) -> str:
    """``reassign:ann@firm.au`` reads "re-assigned by ann@firm.au"."""
    if source.startswith("reassign:"):
        return f"re-assigned by {source.removeprefix('reassign:')}"
    return {"webhook": "the HubSpot webhook", "console": "the console", "demo": "demo data"}.get(
        source, source
    )


def decision_panel(
    svc: Services, user: User, record: AllocationRecord, portal: str | None, key: str
) -> None:
    """The decision as it was made, every adviser ranked with the full reason, the tie-break
    that decided, then (editors) Retry and Re-assign for this deal."""
    names = {a.id: a.name for a in svc.browsing.advisers()}
    adviser = names.get(record.adviser_id or "", record.adviser_id)
    given = f"{adviser}, from the week of {day_words(record.week)}" if adviser else "nobody"
    household = record.household_type or "any household"
    st.markdown(
        f"**Deal {plain(record.deal_id)}** — {plain(record.service_package)}, {plain(household)}: "
        f"{plain(status_words(record.status))}, given to {plain(given)}."
    )
    link = hubspot_links.deal_url(portal, record.deal_id)
    if link:
        st.link_button("Open the deal in HubSpot", link)
    st.caption(
        f"Decided {plain(day_words(record.decided_at.date()))} {record.decided_at:%H:%M} UTC by "
        f"{plain(source_words(record.source))}"
        + (f" · note: {plain(record.note)}" if record.note else "")
    )
    if record.last_error:
        st.warning(f"Last write-back error: {plain(record.last_error)}")
    st.markdown("**Every adviser as ranked when it was decided**")
    st.caption(plain(tie_break_words(record.explanation, names)))
    widgets.candidates_table(svc.history.explanation_frame(record), key=f"{key}.explanation")
    if not user.is_editor:
        return
    if record.status in (WRITEBACK_PENDING, WRITEBACK_FAILED):
        retry_button(svc, user, record.deal_id, key)
    with st.expander("Re-assign this deal", expanded=False):
        reassign_form(svc, user, [record.deal_id], f"{key}.reassign")


def retry_button(svc: Services, user: User, deal_id: str, key: str) -> None:
    if not st.button("Retry the write-back to HubSpot", key=f"{key}.retry"):
        return
    try:
        drained = svc.booking.retry_writebacks(deal_id, actor=user.actor, is_editor=user.is_editor)
    except ServiceError as exc:
        widgets.show_error(exc)
        return
    done = "written to HubSpot" if drained.written else "not written yet (see the last error)"
    _done(f"Write-back of deal {deal_id} retried: {done}.")


def _done(message: str) -> None:
    widgets.flash(message)
    st.rerun()


def _prefill(key: str, value: object, made_for: object) -> None:
    """Put the allocator's suggestion in an input, afresh whenever what it was suggested for
    (the deal, the adviser) changed, however it changed (a choice, or a deal leaving the
    queue); otherwise leave the person's own entry alone."""
    if st.session_state.get(f"{key}.for") != made_for or key not in st.session_state:
        st.session_state[key] = value
        st.session_state[f"{key}.for"] = made_for


def reassign_form(svc: Services, user: User, deal_ids: list[str], key: str) -> None:
    """Give a deal to an adviser and week by hand, starting from the allocator's choice."""
    if not deal_ids:
        return
    deal = st.selectbox("Deal", deal_ids, key=f"{key}.deal")
    if deal is None:
        return
    try:
        plan = svc.allocating.reassign_plan(deal)
    except ServiceError as exc:
        widgets.show_error(exc)
        return
    _ranking(plan)
    order = [r.adviser_id for r in plan.ranking]
    if not order:
        st.info("No advisers yet — run a sync to bring them in from HubSpot.")
        return
    label = {r.adviser_id: f"{r.name} — {r.why}" for r in plan.ranking}
    suggested = plan.suggested
    _prefill(f"{key}.adviser", suggested.adviser_id if suggested else order[0], deal)
    adviser = st.selectbox(
        "Adviser (the allocator's choice first)", order, format_func=label.__getitem__,
        key=f"{key}.adviser",
    )  # fmt: skip
    chosen = next((r for r in plan.ranking if r.adviser_id == adviser), None)
    earliest = (chosen.earliest_week if chosen else None) or plan.first_allowed_week
    _prefill(f"{key}.week", earliest or svc.today(), (deal, adviser))
    week = st.date_input("Week (any day; its Monday is used)", format="DD/MM/YYYY",
                         key=f"{key}.week")  # fmt: skip
    if adviser is None or not isinstance(week, dt.date):
        st.info("Choose the adviser and the week.")
        return
    warnings = svc.allocating.reassign_warnings(deal, adviser, week)
    _prefill(f"{key}.confirm", False, (deal, adviser, week))  # a new choice, a new "yes"
    sure = _confirmation(warnings, key)
    reason = st.text_input("Reason (kept in the audit log)", key=f"{key}.reason")
    if not st.button("Re-assign", type="primary", key=f"{key}.go"):
        return
    if warnings and not sure:
        st.warning("Tick the box to re-assign the deal despite the warnings above.")
        return
    try:
        outcome = svc.booking.reassign(
            deal, adviser, week, reason, user.actor, user.is_editor, confirmed=sure
        )
    except NeedsConfirmation as exc:  # the firm changed since the warnings were drawn
        st.warning(plain(str(exc)))
        return
    except ServiceError as exc:
        widgets.show_error(exc)
        return
    who = chosen.name if chosen else adviser
    _done(
        f"Deal {outcome.deal_id} re-assigned to {who} from the week of "
        f"{day_words(outcome.record.week)} ({status_words(outcome.status)})."
    )


def _ranking(plan: ReassignPlan) -> None:
    top = plan.suggested
    if top is None:
        st.warning("The allocator finds nobody who can take this deal today.")
    else:
        st.success(
            f"The allocator would give it to **{plain(top.name)}** from the week of "
            f"{plain(day_words(top.earliest_week))}. {plain(plan.tie_break)}"
        )
    with st.expander("Every adviser as the allocator ranks them today"):
        widgets.candidates_table(plan.frame())


def _confirmation(warnings: tuple[str, ...], key: str) -> bool:
    if not warnings:
        return False
    st.warning(
        "The allocator would not make this choice:\n\n"
        + "\n".join(f"- {plain(w[0].upper() + w[1:])}" for w in warnings)
    )
    return st.checkbox("Re-assign anyway, despite these warnings", key=f"{key}.confirm")
