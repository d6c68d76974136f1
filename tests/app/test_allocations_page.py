"""The Allocations page: history and explanations, the queues, Retry and Re-assign by editors."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from console import state
from services.errors import Forbidden
from services.records import RejectedDelivery
from tests.app.firm import TODAY, VIEWER_USER, Firm, page, small_firm, texts

PAGE = "pages/allocations.py"
REASSIGN = "allocations.unallocated.reassign"


@pytest.fixture
def firm() -> Firm:
    return small_firm()


def deals(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["deal_id"])


def show(at: AppTest, view: str) -> AppTest:
    """Open one part of the page (History, Unallocated, …) as a person clicks it."""
    return at.segmented_control(key=state.AL_VIEW).set_value(view).run()


def parts(at: AppTest) -> list[str]:
    return [o.content for o in at.segmented_control(key=state.AL_VIEW).proto.options]


def reassign(at: AppTest, adviser: str, reason: str, confirm: bool = True) -> AppTest:
    """Re-assign the unallocated deal by hand: choose the adviser, give a reason, confirm the
    warnings when asked, press Re-assign."""
    if at.segmented_control(key=state.AL_VIEW).value != "unallocated":
        show(at, "unallocated")
    at.selectbox(key=f"{REASSIGN}.adviser").select(adviser).run()
    at.text_input(key=f"{REASSIGN}.reason").input(reason)
    if confirm:
        at.checkbox(key=f"{REASSIGN}.confirm").check()
    at.button(key=f"{REASSIGN}.go").click().run()
    return at


def test_history_lists_every_decision_newest_first(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    assert not at.exception
    assert deals(at) == ["D-102", "D-101", "D-100"]
    assert parts(at)[:4] == [
        "History (3)",
        "Unallocated (1)",
        "Write-backs waiting (1)",
        "Refused deliveries (0)",
    ]


def test_history_filters_by_status_package_and_adviser(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    at.selectbox(key=state.AL_STATUS).select("allocated").run()
    assert deals(at) == ["D-100"]

    at.selectbox(key=state.AL_STATUS).select("Any").run()
    at.selectbox(key=state.AL_PACKAGE).select("Series B").run()
    assert deals(at) == ["D-101"]

    at.selectbox(key=state.AL_PACKAGE).select("Any").run()
    at.selectbox(key=state.AL_ADVISER).select("eli").run()
    assert deals(at) == []


def test_each_decision_shows_its_stored_explanation(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    at.selectbox(key=state.AL_DEAL).select("D-102").run()

    explanation = at.dataframe[1].value
    assert list(explanation["adviser"]) == ["Dana", "Eli", "Fay", "Gus"]
    assert set(explanation["why"]) == {
        "does not offer this service package",
        "not taking on new clients",
    }


def test_a_viewer_sees_the_queues_but_no_retry_or_reassign(firm: Firm) -> None:
    at = page(PAGE, firm, user=VIEWER_USER).run()
    show(at, "writebacks")

    labels = [b.label for b in at.button]
    assert not any(label.startswith(("Retry", "Re-assign")) for label in labels)
    assert "Only editors can retry write-backs or re-assign deals." in [c.value for c in at.caption]


def test_a_viewer_calling_the_use_cases_directly_is_refused(firm: Firm) -> None:
    svc = firm.services

    with pytest.raises(Forbidden):
        svc.booking.reassign("D-102", "eli", TODAY, "by hand", VIEWER_USER.actor, is_editor=False)
    with pytest.raises(Forbidden):
        svc.booking.retry_writebacks("D-101", actor=VIEWER_USER.actor, is_editor=False)
    assert firm.store.get_allocation("D-102").adviser_id is None
    assert firm.crm.writes == []


def test_reassign_waits_for_the_confirmation(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    reassign(at, "eli", "Eli knows the family", confirm=False)

    assert "Eli does not offer IPO" in texts(at, "warning")
    assert "Tick the box to re-assign the deal despite the warnings above." in texts(at, "warning")
    assert firm.store.get_allocation("D-102").adviser_id is None


def test_reassign_is_recorded_written_back_and_audited_with_the_reason(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    reassign(at, "eli", "Eli knows the family")

    assert not at.exception
    record = firm.store.get_allocation("D-102")
    assert (record.adviser_id, record.status) == ("eli", "allocated")
    assert record.note.startswith("Eli knows the family (confirmed although Eli does not offer IPO")
    assert ("D-102", "eli", "advisor") in firm.crm.writes
    entry = firm.store.list_audit("allocations")[0]
    assert (entry.actor, entry.action, entry.entity_id) == (
        "ed@firm.example",
        "allocation.reassign",
        "D-102",
    )
    assert entry.after["adviser_id"] == "eli"
    assert entry.after["reason"].startswith("Eli knows the family (confirmed although Eli does")
    assert at.success[0].value.startswith("Deal D-102 re-assigned to Eli")


def test_reassign_without_a_reason_is_refused_with_a_message(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    reassign(at, "eli", "  ")

    assert "a reason for the re-assignment is required" in at.error[0].value
    assert firm.store.get_allocation("D-102").adviser_id is None


def test_retry_writes_a_pending_adviser_back_to_hubspot(firm: Firm) -> None:
    at = show(page(PAGE, firm).run(), "writebacks")

    next(b for b in at.button if b.label == "Retry this deal").click().run()

    assert not at.exception
    assert firm.store.get_allocation("D-101").status == "allocated"
    assert firm.crm.writes == [("D-101", "dana", "advisor")]
    assert "Write-backs waiting (0)" in parts(at)


def test_a_failed_retry_keeps_the_deal_in_the_queue(firm: Firm) -> None:
    firm.crm.fail_next(1)
    at = show(page(PAGE, firm).run(), "writebacks")

    next(b for b in at.button if b.label == "Retry this deal").click().run()

    record = firm.store.get_allocation("D-101")
    assert (record.status, record.writeback_attempts) == ("writeback_pending", 1)
    assert "0 written to HubSpot" in at.success[0].value


def test_allocations_per_adviser_per_month_are_charted(firm: Firm) -> None:
    at = show(page(PAGE, firm).run(), "monthly")

    monthly = firm.services.history.allocations_per_month()

    assert not at.exception
    assert list(monthly["adviser"]) == ["Dana", "Dana"]
    assert at.get("plotly_chart")


# --- refused deliveries ---------------------------------------------------------------------

REFUSED = "allocations.rejected"


def refused(firm: Firm, package: str = "Series Q") -> None:
    """A delivery the webhook refused: a package the catalogue did not know yet."""
    rejection = RejectedDelivery(
        id="4242", reason=f"deal 4242: unknown service package {package!r}",
        received_at=dt.datetime(2026, 3, 10, 22, tzinfo=dt.UTC), deal_id="4242",
        fields={"service_package": repr("Series A"), "household_type": repr("Couple")},
    )  # fmt: skip
    firm.store.record_rejection(rejection)


def test_a_refused_delivery_is_listed_and_re_run_once_fixed(firm: Firm) -> None:
    refused(firm)
    firm.crm.deals["4242"] = {"service_package": "Series A"}  # ops fixed the deal in HubSpot
    at = show(page(PAGE, firm).run(), "refused")
    assert "Refused deliveries (1)" in parts(at)
    [table] = [d.value for d in at.dataframe if "reason" in d.value.columns]
    assert list(table["deal_id"]) == ["4242"]

    next(b for b in at.button if b.key == f"{REFUSED}.rerun").click().run()

    record = firm.store.get_allocation("4242")
    assert record is not None
    assert record.source == "console"
    assert firm.store.list_rejections() == []
    [closed] = firm.store.list_rejections(status="resolved")
    assert closed.resolution.startswith("re-run by ")


def test_dismissing_a_refused_delivery_needs_a_reason(firm: Firm) -> None:
    refused(firm)
    at = show(page(PAGE, firm).run(), "refused")
    next(b for b in at.button if b.key == f"{REFUSED}.dismiss").click().run()
    assert "say why this delivery needs no action" in texts(at, "error")
    at.text_input(key=f"{REFUSED}.why").input("a test deal from training").run()
    next(b for b in at.button if b.key == f"{REFUSED}.dismiss").click().run()
    assert firm.store.list_rejections() == []


def test_viewers_see_refused_deliveries_but_cannot_act(firm: Firm) -> None:
    refused(firm)
    at = show(page(PAGE, firm, user=VIEWER_USER).run(), "refused")
    assert not [b for b in at.button if b.key and b.key.startswith(REFUSED)]
    with pytest.raises(Forbidden):
        firm.services.rejected.rerun("4242", "viewer@firm.test", is_editor=False)


def test_history_reads_as_words_in_the_firms_timezone(firm: Firm) -> None:
    at = page(PAGE, firm).run()
    reassign(at, "eli", "Eli knows the family")
    at = page(PAGE, firm).run()

    history = at.dataframe[0].value.set_index("deal_id")
    shown = history.to_string()
    assert "writeback_pending" not in shown
    assert "reassign:" not in shown
    assert "None" not in shown
    assert "NaT" not in shown
    assert history.loc["D-102", "source"] == "Re-assigned in the console by ed@firm.example"
    assert set(history["status"]) <= {"Allocated", "Write-back pending", "Unallocated"}
    decided = firm.store.get_allocation("D-100").decided_at.astimezone(firm_zone(firm))
    assert history.loc["D-100", "decided_at"] == f"{decided.day} {decided:%b %Y, %H:%M}"


def firm_zone(firm: Firm) -> dt.tzinfo:
    return firm.services.browsing.rules().zone


def test_retry_is_disabled_with_the_reason_when_hubspot_is_not_configured(firm: Firm) -> None:
    firm.services.crm = None  # no HUBSPOT_TOKEN
    at = show(page(PAGE, firm).run(), "writebacks")

    retry = [b for b in at.button if b.label.startswith("Retry")]
    assert [b.label for b in retry] == ["Retry this deal", "Retry all 1"]
    assert all(b.disabled for b in retry)
    assert all("HubSpot is not configured" in (b.help or "") for b in retry)
    assert any("HubSpot is not configured" in c.value for c in at.caption)


def test_retry_is_offered_when_hubspot_is_configured(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    assert not any(b.disabled for b in at.button if b.label.startswith("Retry"))
