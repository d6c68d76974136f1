"""The Allocations page's actions as an editor meets them: a safe Re-assign pre-filled with the
allocator's choice, the decision a Chat card's ``?deal=`` link opens, Allocate deal by id,
Re-run, the part of the page and the filters kept in the URL."""

from __future__ import annotations

import datetime as dt

import pytest

from allocation import Deal
from console import state
from services.errors import UpstreamUnavailable
from settings import Settings
from tests.app.firm import Firm, page, small_firm, texts
from tests.app.test_allocations_page import PAGE, REASSIGN, deals, reassign, show
from tests.builders import adviser
from tests.fake_ports import FakeCrm

WRITEBACK = "allocations.writeback.reassign"
BY_ID = "allocations.by_id"
RERUN = "allocations.unallocated.rerun"


@pytest.fixture
def firm() -> Firm:
    return small_firm()


def test_reassign_to_an_ineligible_adviser_lists_the_warnings_and_asks_for_confirmation(
    firm: Firm,
) -> None:
    at = show(page(PAGE, firm).run(), "unallocated")
    at.selectbox(key=f"{REASSIGN}.adviser").select("gus").run()
    at.date_input(key=f"{REASSIGN}.week").set_value(dt.date(2026, 3, 2)).run()

    warnings = texts(at, "warning")
    assert "Gus does not offer IPO" in warnings
    assert "The week of 2 Mar 2026 is in the past" in warnings
    assert at.checkbox(key=f"{REASSIGN}.confirm").label == (
        "Re-assign anyway, despite these warnings"
    )
    at.text_input(key=f"{REASSIGN}.reason").input("Gus asked for it")
    at.button(key=f"{REASSIGN}.go").click().run()

    assert "Tick the box to re-assign the deal despite the warnings above." in texts(at, "warning")
    assert firm.store.get_allocation("D-102").adviser_id is None
    assert firm.crm.writes == []


def test_reassign_is_pre_filled_with_the_allocators_choice_and_needs_no_confirmation(
    firm: Firm,
) -> None:
    at = show(page(PAGE, firm).run(), "writebacks")

    assert at.selectbox(key=f"{WRITEBACK}.adviser").value == "dana"
    assert at.date_input(key=f"{WRITEBACK}.week").value == dt.date(2026, 4, 6)
    assert "would give it to **Dana** from the week of 6 Apr 2026" in at.success[0].value
    options = at.selectbox(key=f"{WRITEBACK}.adviser").options
    assert options[0].startswith("Dana — open from 6 Apr 2026")
    assert not [c for c in at.checkbox if c.key == f"{WRITEBACK}.confirm"]

    at.text_input(key=f"{WRITEBACK}.reason").input("client moved the start")
    at.button(key=f"{WRITEBACK}.go").click().run()

    record = firm.store.get_allocation("D-101")
    assert (record.adviser_id, record.week) == ("dana", dt.date(2026, 4, 6))
    assert at.success[0].value.startswith("Deal D-101 re-assigned to Dana")


def test_after_a_reassign_the_page_stays_where_the_person_acted(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    reassign(at, "eli", "Eli knows the family")

    assert at.segmented_control(key=state.AL_VIEW).value == "unallocated"
    assert at.query_params["view"] == "unallocated"
    assert at.success[0].value.startswith("Deal D-102 re-assigned to Eli")


def test_the_unallocated_queue_says_why_each_deal_is_there(firm: Firm) -> None:
    at = show(page(PAGE, firm).run(), "unallocated")

    [queue] = [t.value for t in at.dataframe if "why" in t.value.columns and "deal_id" in t.value]
    assert list(queue["why"]) == ["of 4 advisers: 3 do not offer IPO, 1 not taking on new clients"]


def test_a_chat_cards_deal_link_opens_that_decision(firm: Firm) -> None:
    at = page(PAGE, firm, deal="D-101").run()

    assert not at.exception
    assert at.segmented_control(key=state.AL_VIEW).value == "history"
    assert at.selectbox(key=state.AL_DEAL).value == "D-101"
    assert "Deal D-101" in texts(at, "markdown")
    assert "Write-back pending, given to Dana" in texts(at, "markdown")
    ranked = next(t.value for t in at.dataframe if "rank" in t.value.columns)
    assert list(ranked["adviser"])[:2] == ["Dana", "Eli"]
    assert ranked.loc[0, "why"].startswith("open from 23 Mar 2026")


def test_a_deal_link_to_an_unknown_deal_says_so(firm: Firm) -> None:
    at = page(PAGE, firm, deal="404").run()

    assert "Deal 404 has no recorded decision." in texts(at, "warning")


def test_explaining_a_decision_names_the_tie_break(firm: Firm) -> None:
    at = page(PAGE, firm).run()
    at.selectbox(key=state.AL_DEAL).select("D-100").run()

    assert "Dana was chosen over Eli: open sooner (23 Mar 2026 against 6 Apr 2026)." in texts(
        at, "caption"
    )


def test_filters_are_kept_in_the_url_and_read_back_from_it(firm: Firm) -> None:
    at = page(PAGE, firm).run()
    at.selectbox(key=state.AL_STATUS).select("allocated").run()
    assert at.query_params["status"] == "allocated"

    shared = page(PAGE, firm, status="allocated", package="Series A").run()

    assert deals(shared) == ["D-100"]
    assert shared.selectbox(key=state.AL_PACKAGE).value == "Series A"
    unknown = page(PAGE, firm, adviser="nobody").run()
    assert "The link's adviser “nobody” is not known here." in texts(unknown, "caption")
    assert len(deals(unknown)) == 3


def test_allocate_by_id_reads_the_deal_from_hubspot(firm: Firm) -> None:
    firm.crm.deals["4501"] = {"service_package": "Series A", "household_type": "Couple"}
    at = show(page(PAGE, firm).run(), "allocate")

    at.text_input(key=f"{BY_ID}.deal").input("4501")
    at.button(key=f"FormSubmitter:{BY_ID}.form-Allocate").click().run()

    record = firm.store.get_allocation("4501")
    assert (record.source, record.household_type) == ("console", "Couple")
    assert at.success[0].value.startswith(f"Deal 4501 allocated to {_name(record.adviser_id)}")
    assert at.segmented_control(key=state.AL_VIEW).value == "allocate"

    at.text_input(key=f"{BY_ID}.deal").input("4501")
    at.button(key=f"FormSubmitter:{BY_ID}.form-Allocate").click().run()
    assert "was already decided" in at.success[0].value
    assert len([w for w in firm.crm.writes if w[0] == "4501"]) == 1


def test_allocate_by_id_with_the_details_typed_in(firm: Firm) -> None:
    at = show(page(PAGE, firm).run(), "allocate")

    at.text_input(key=f"{BY_ID}.deal").input("4502")
    at.radio(key=f"{BY_ID}.source").set_value("typed")
    at.selectbox(key=f"{BY_ID}.package").select("Series B")
    at.button(key=f"FormSubmitter:{BY_ID}.form-Allocate").click().run()

    assert firm.store.get_allocation("4502").service_package == "Series B"
    assert firm.crm.calls == 1  # the write-back only: nothing was read


class DownCrm(FakeCrm):
    def read_deal(self, deal_id: str, properties: object) -> dict[str, str | None]:
        raise UpstreamUnavailable("HubSpot unavailable (503) after 3 attempts")


def test_allocate_by_id_with_hubspot_down_says_so_and_writes_nothing(firm: Firm) -> None:
    firm.services.crm = DownCrm()
    at = show(page(PAGE, firm).run(), "allocate")

    at.text_input(key=f"{BY_ID}.deal").input("4503")
    at.button(key=f"FormSubmitter:{BY_ID}.form-Allocate").click().run()

    assert "HubSpot could not be reached to read deal 4503" in texts(at, "error")
    assert "nothing was written" in texts(at, "error")
    assert firm.store.get_allocation("4503") is None
    assert firm.store.list_audit("allocations") == []


def test_rerun_shows_what_each_deal_would_get_then_books_on_confirmation(firm: Firm) -> None:
    firm.store.replace_advisers([*firm.store.list_advisers(), adviser("ivy", "Ivy", ("IPO",))])
    at = show(page(PAGE, firm).run(), "unallocated")

    at.button(key=f"{RERUN}.preview").click().run()
    [preview] = [t.value for t in at.dataframe if "would_get" in t.value.columns]
    assert preview["would_get"].iloc[0].startswith("Ivy, from the week of")
    assert firm.store.get_allocation("D-102").adviser_id is None

    at.button(key=f"{RERUN}.book").click().run()

    assert firm.store.get_allocation("D-102").adviser_id == "ivy"
    assert "1 booked" in at.success[0].value
    assert at.segmented_control(key=state.AL_VIEW).value == "unallocated"


def test_each_waiting_write_backs_last_error_is_shown_in_full(firm: Firm) -> None:
    at = show(page(PAGE, firm).run(), "writebacks")

    assert "Deal D-101 (0 attempts): HubSpot unavailable (503)" in texts(at, "markdown")


def test_deal_ids_link_to_hubspot_when_the_portal_is_configured(firm: Firm) -> None:
    firm.crm.deals["4501"] = {"service_package": "Series A"}
    firm.services.allocating.allocate_by_id("4501", "ed@firm.example", is_editor=True)
    at = page(PAGE, firm)
    at.session_state[state.SETTINGS] = Settings.of(HUBSPOT_PORTAL_ID="98765")
    at.run()

    links = list(at.dataframe[0].value["hubspot"])
    assert links[0] == "https://app.hubspot.com/contacts/98765/record/0-3/4501"
    at.selectbox(key=state.AL_DEAL).select("4501").run()
    [button] = at.get("link_button")
    assert button.proto.url == "https://app.hubspot.com/contacts/98765/record/0-3/4501"


def _name(adviser_id: str | None) -> str:
    return {"dana": "Dana", "eli": "Eli", "gus": "Gus"}.get(adviser_id or "", "?")


def test_a_viewer_cannot_allocate_by_id(firm: Firm) -> None:
    from tests.app.firm import VIEWER_USER

    at = show(page(PAGE, firm, user=VIEWER_USER).run(), "allocate")

    assert "Only editors can allocate deals." in texts(at, "caption")
    assert not [b for b in at.button if (b.key or "").startswith(BY_ID)]


def test_the_next_deal_in_the_queue_is_pre_filled_afresh_after_a_reassign(firm: Firm) -> None:
    firm.store.replace_advisers([*firm.store.list_advisers(), adviser("ivy", "Ivy", ("IPO",))])
    firm.services.booking.allocate(Deal("D-103", "IPO", "Couple"))  # Ivy takes it
    firm.services.booking.allocate(Deal("D-104", "Seed"))  # nobody offers Seed and takes clients
    firm.services.booking.reassign("D-103", "eli", dt.date(2026, 4, 13), "moved", "ed@x",
                                   is_editor=True, confirmed=True)  # fmt: skip
    at = show(page(PAGE, firm).run(), "unallocated")
    assert at.selectbox(key=f"{REASSIGN}.deal").options == ["D-104", "D-102"]

    reassign(at, "eli", "Eli knows the family", confirm=True)  # D-104, newest first

    assert firm.store.get_allocation("D-104").adviser_id == "eli"
    assert at.selectbox(key=f"{REASSIGN}.deal").value == "D-102"
    assert at.selectbox(key=f"{REASSIGN}.adviser").value == "ivy"  # its own best, not Eli
    assert not [c for c in at.checkbox if c.key == f"{REASSIGN}.confirm"]  # nothing to confirm


def test_a_portal_id_that_is_not_one_is_named_and_no_link_is_drawn(firm: Firm) -> None:
    at = page(PAGE, firm)
    at.session_state[state.SETTINGS] = Settings.of(HUBSPOT_PORTAL_ID="app.hubspot.com/123")
    at.run()

    assert "HUBSPOT_PORTAL_ID must be the digits of the HubSpot account id" in texts(at, "caption")
    assert "hubspot" not in at.dataframe[0].value.columns
