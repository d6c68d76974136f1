"""The Advisers page: HubSpot's fields read only, the firm's own fields edited in a grid; what
is set here wins over HubSpot, survives syncs, is checked, audited, and never saved stale."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.records import AdviserEdit, EditBatch
from services.syncing import ADVISERS
from tests.app.firm import VIEWER_USER, Firm, opened, small_firm, submit_editor, texts
from tests.builders import adviser, d

PAGE = "pages/advisers.py"
SLOT = "advisers.all"
DANA, ELI, FAY, GUS = range(4)  # rows, by name


@pytest.fixture
def firm() -> Firm:
    """The small firm, and Hugo: synced from HubSpot with no region."""
    firm = small_firm()
    firm.store.replace_advisers([*firm.store.list_advisers(), adviser("hugo", "Hugo")])
    return firm


def submit(at: AppTest, rows: dict[int, dict[str, Any]], slot: str = SLOT) -> AppTest:
    return submit_editor(at, slot, {"edited_rows": rows})


def region_of(firm: Firm, adviser_id: str) -> str | None:
    return {a.id: a.region for a in firm.services.browsing.advisers()}[adviser_id]


def test_every_adviser_is_listed_with_synced_columns_locked(firm: Firm) -> None:
    at = opened(PAGE, firm)

    grid = at.data_editor[0].value
    assert grid["name"].tolist() == ["Dana", "Eli", "Fay", "Gus", "Hugo"]
    assert grid["region"].tolist()[:4] == ["NSW", "VIC", "NSW", "QLD"]


def test_a_region_set_here_reaches_decisions_and_survives_a_sync(firm: Firm) -> None:
    at = opened(PAGE, firm)

    submit(at, {4: {"region": "TAS"}})

    assert "1 changed" in texts(at, "success")
    assert region_of(firm, "hugo") == "TAS"
    firm.crm.advisers = [dataclasses.replace(a, region=None) for a in firm.store.list_advisers()]
    run = firm.services.sync.run_sync(ADVISERS, "ann", is_editor=True)
    assert run.status == "ok"
    assert region_of(firm, "hugo") == "TAS"
    assert firm.store.list_audit("adviser_edits", 1)[0].action == "adviser.create"


def test_only_the_changed_cell_is_set_here(firm: Firm) -> None:
    at = opened(PAGE, firm)

    submit(at, {DANA: {"notes": "Part time from July"}})

    [edit] = [v.value for v in firm.store.list_adviser_edits()]
    assert edit == AdviserEdit("dana", notes="Part time from July")  # region stays HubSpot's


def test_bad_cells_are_named_with_the_bound_and_nothing_is_saved(firm: Firm) -> None:
    at = opened(PAGE, firm)

    submit(at, {ELI: {"monthly_limit": 1000, "eh_email": "eli at firm"}})

    assert "Nothing was saved" in texts(at, "error")
    problems = at.dataframe[0].value
    assert problems["Row"].tolist() == ["row 2 (Eli)", "row 2 (Eli)"]
    assert problems["Problem"][0].startswith("Monthly limit")
    assert "from 0 to 100 a month; got 1000" in problems["Problem"][0]
    assert "'eli at firm' is not an email address" in problems["Problem"][1]
    assert firm.store.list_adviser_edits() == []


def test_an_end_date_before_the_start_date_is_refused(firm: Firm) -> None:
    started = [
        dataclasses.replace(a, start_date=d("2025-06-02")) for a in firm.store.list_advisers()
    ]
    firm.store.replace_advisers(started)
    at = opened(PAGE, firm)

    submit(at, {GUS: {"end_date": "2025-01-31"}})

    assert "before Gus's start date" in at.dataframe[0].value["Problem"][0]


def test_a_stale_edit_is_refused_and_the_other_persons_value_kept(firm: Firm) -> None:
    firm.store.save_adviser_edits(EditBatch(added=(AdviserEdit("eli", notes="first"),)), "x")
    at = opened(PAGE, firm)
    [held] = firm.store.list_adviser_edits()
    theirs = AdviserEdit("eli", notes="theirs")
    firm.store.save_adviser_edits(EditBatch(updated=((theirs, held.version),)), "someone")

    submit(at, {ELI: {"notes": "mine"}})

    assert "adviser eli was changed by someone else" in texts(at, "error")
    assert [v.value.notes for v in firm.store.list_adviser_edits()] == ["theirs"]


def test_the_missing_region_filter_shows_only_those_without_one(firm: Firm) -> None:
    at = opened(PAGE, firm)

    at.selectbox(key="advisers.filter").select("missing_region").run()

    assert at.data_editor[0].value["name"].tolist() == ["Hugo"]
    submit(at, {0: {"region": "NSW"}}, slot="advisers.missing_region")
    assert region_of(firm, "hugo") == "NSW"


def test_a_viewer_reads_the_table_and_cannot_edit(firm: Firm) -> None:
    at = opened(PAGE, firm, user=VIEWER_USER)

    assert len(at.data_editor) == 0
    assert "Hugo" in at.dataframe[0].value["name"].tolist()
    assert "Only editors" in texts(at, "caption")


def test_the_page_says_which_fields_a_sync_also_fills_from_hubspot(firm: Firm) -> None:
    from settings import Settings

    at = opened(PAGE, firm)
    said = texts(at, "caption")
    assert "Also synced from HubSpot: pod (user property “pod_type”)." in said
    assert "Set only here: region, monthly limit, end date, Employment Hero email, notes." in said

    mapping = "region=adviser_region,monthly_limit=new_clients_per_month,pod_type="
    firm.services.context.settings = Settings.of(HUBSPOT_DEAL_PROPERTIES=mapping)
    said = texts(opened(PAGE, firm), "caption")
    assert "region (user property “adviser_region”)" in said
    assert "monthly limit (user property “new_clients_per_month”)" in said
    assert "Set only here: pod, end date" in said


def test_a_mapping_setting_that_cannot_be_read_is_said_and_the_page_still_works(
    firm: Firm,
) -> None:
    from settings import Settings

    firm.services.context.settings = Settings.of(HUBSPOT_DEAL_PROPERTIES="regoin=x")
    at = opened(PAGE, firm)
    assert not at.exception
    assert "HubSpot's field mapping cannot be read: HUBSPOT_DEAL_PROPERTIES" in texts(at, "caption")
    assert at.data_editor[0].value["name"].tolist()[0] == "Dana"
