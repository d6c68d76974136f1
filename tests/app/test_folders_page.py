"""The Client folders page: every deal's folder in words, retry (editors, confirmed), the look
for folders missing metadata, and the page saying plainly when Box is off."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest
from streamlit.testing.v1 import AppTest

from console import state
from integrations.demo_box import DEMO_SETTINGS, DemoBox
from services import Services, folders
from tests.app.firm import VIEWER_USER, Firm, clock, page, small_firm, texts

PAGE = "pages/folders.py"


class Deals:
    """HubSpot's deal fields; D-101's client email is missing until someone adds it."""

    def __init__(self) -> None:
        self.emails = {"D-100": "ann@example.com", "D-101": ""}
        self.links: dict[str, str] = {}

    def read_deal(self, deal_id: str, properties: Sequence[str]) -> dict[str, str | None]:
        return {properties[0]: f"Household {deal_id}", properties[1]: self.emails.get(deal_id)}

    def contact_emails(self, deal_id: str) -> list[str]:
        return []  # D-101's client has no contact record either

    def write_deal_property(self, deal_id: str, name: str, value: str) -> None:
        self.links[deal_id] = value


@pytest.fixture
def deals() -> Deals:
    return Deals()


@pytest.fixture
def firm(deals: Deals) -> Firm:
    firm = small_firm()
    stored = firm.store.get_settings()
    firm.store.save_settings(replace(stored.value, box=DEMO_SETTINGS), stored.version, "seed")
    box = DemoBox(hiccups=False)
    svc = Services(firm.store, crm=firm.crm, clock=clock, box=box, box_deals=deals,
                   box_links=deals)  # fmt: skip
    for deal_id in ("D-100", "D-101"):  # the allocations that book someone
        record = firm.store.get_allocation(deal_id)
        assert record is not None
        folders.queue(firm.store, record, clock())
    svc.folders.drain()
    return Firm(firm.store, firm.crm, svc)


def table(at: AppTest) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = at.dataframe[0].value.to_dict("records")
    return rows


def test_each_deal_shows_its_folder_step_link_and_what_to_fix(firm: Firm) -> None:
    at = page(PAGE, firm).run()
    assert not at.exception
    rows = {r["deal_id"]: r for r in table(at)}
    assert set(rows) == {"D-100", "D-101"}
    assert (rows["D-100"]["status"], rows["D-100"]["step"]) == ("Ready", "Linked in HubSpot")
    assert str(rows["D-100"]["url"]).startswith("https://app.box.com/folder/")
    assert rows["D-101"]["status"] == "Needs fixing"
    assert rows["D-101"]["step"] == "Tagged; not shared yet"
    assert "has no client email" in str(rows["D-101"]["last_error"])
    assert "None" not in " ".join(str(v) for r in rows.values() for v in r.values())
    assert "1 ready" in texts(at, "caption")


def test_the_table_filters_to_folders_that_need_a_person(firm: Firm) -> None:
    at = page(PAGE, firm).run()
    at.selectbox(key=state.FO_STATUS).select("gave_up").run()
    assert [r["deal_id"] for r in table(at)] == ["D-101"]


def test_retry_asks_for_confirmation_then_finishes_the_fixed_deal(firm: Firm, deals: Deals) -> None:
    deals.emails["D-101"] = "bo@example.com"
    at = page(PAGE, firm, deal="D-101").run()
    assert at.selectbox(key=state.FO_DEAL).value == "D-101"
    at.button(key="folders.one").click().run()
    assert "Tick the confirmation box" in texts(at, "warning")
    assert firm.services.store.folders.get_folder("D-101").status == "gave_up"  # type: ignore[union-attr]
    at.checkbox(key=state.FO_CONFIRM).check()
    at.button(key="folders.one").click().run()
    assert not at.exception
    assert "1 ready" in texts(at, "success")
    rows = {r["deal_id"]: r for r in table(at)}
    assert rows["D-101"]["status"] == "Ready"
    assert deals.links["D-101"] == rows["D-101"]["url"]
    retried = [e for e in firm.store.list_audit("box_folders") if e.action == "folders.retry"]
    assert [(e.actor, e.entity_id) for e in retried] == [("ed@firm.example", "D-101")]


def test_a_viewer_sees_the_folders_but_cannot_retry(firm: Firm) -> None:
    at = page(PAGE, firm, user=VIEWER_USER).run()
    assert not at.exception
    assert len(table(at)) == 2
    assert not [b for b in at.button if b.key in ("folders.one", "folders.all")]
    assert "Only editors can retry" in texts(at, "caption")


def test_folders_missing_metadata_are_listed_and_tagged_in_one_action(firm: Firm) -> None:
    box = firm.services.context.box
    assert isinstance(box, DemoBox)
    made = firm.store.folders.get_folder("D-100")
    assert made is not None
    box._metadata.pop(str(made.folder_id))  # someone cleared it in Box
    at = page(PAGE, firm).run()
    at.button(key="folders.look").click().run()
    assert not at.exception
    listed = at.dataframe[1].value.to_dict("records")
    assert {"Folder": made.folder_name, "Deal": "D-100"} in listed
    at.button(key="folders.tag").click().run()
    assert not at.exception
    assert box.metadata(str(made.folder_id), "enterprise", "clientFolder") is not None


def test_the_page_says_client_folders_are_off_without_box(firm: Firm) -> None:
    off = Services(firm.store, crm=firm.crm, clock=clock)
    at = page(PAGE, Firm(firm.store, firm.crm, off)).run()
    assert not at.exception
    assert "Client folders are off" in texts(at, "info")
    assert not at.dataframe
