"""The Closures page: add, edit and delete through the data editor's state as Streamlit keeps it."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from console.holidays_import import COUNTRY, PERIOD, SUBDIVISION
from services.errors import Forbidden
from services.records import EditBatch
from services.rows import RowEdits
from tests import builders
from tests.app import firm as app
from tests.app.firm import VIEWER_USER, Firm, read_only_tables, small_firm, texts
from tests.builders import d

SCRIPT = "pages/closures.py"
EDITOR_KEY = "closures.editor.0"


def opened(firm: Firm, **kw: Any) -> AppTest:
    return app.opened(SCRIPT, firm, **kw)


def submit(at: AppTest, changes: dict[str, Any]) -> AppTest:
    return app.submit_editor(at, "closures", changes)


shown_tables = read_only_tables


@pytest.fixture
def firm() -> Firm:
    return small_firm()


def stored(firm: Firm) -> dict[str, Any]:
    return {v.value.description or v.value.id: v.value for v in firm.store.list_closures()}


def test_an_editor_sees_the_closures_in_an_editor_and_the_recent_changes(firm: Firm) -> None:
    at = opened(firm)

    table = at.data_editor[0].value
    assert table["start"].tolist() == [d("2026-03-30")]
    assert table["scope"].tolist() == ["Everyone"]
    recent = at.dataframe[-1].value
    assert "Added closure" in recent["What"].tolist()
    assert list(recent.columns) == ["When", "Who", "What", "Change"]


def test_adding_a_row_saves_a_closure_for_the_named_advisers(firm: Firm) -> None:
    at = opened(firm)
    row = {
        "start": "2026-04-20",
        "end": "2026-04-21",
        "description": "Training",
        "advisers": "Dana, eli@example.com",
    }

    submit(at, {"added_rows": [row]})

    assert "Saved: 1 added" in texts(at, "success")
    training = stored(firm)["Training"]
    assert (training.start, training.end) == (d("2026-04-20"), d("2026-04-21"))
    assert training.adviser_ids == frozenset({"dana", "eli"})
    assert at.data_editor[0].value["scope"].tolist()[-1] == "2 advisers"


def test_editing_a_cell_changes_that_closure_and_is_audited(firm: Firm) -> None:
    at = opened(firm)

    submit(at, {"edited_rows": {0: {"description": "Easter shutdown", "regions": "NSW"}}})

    assert "1 changed" in texts(at, "success")
    easter = stored(firm)["Easter shutdown"]
    assert easter.regions == frozenset({"NSW"})
    assert firm.store.list_audit("closures", 1)[0].action == "closure.update"


def test_bad_rows_are_named_with_what_is_wrong_and_nothing_is_saved(firm: Firm) -> None:
    at = opened(firm)
    bad = [
        {"start": "2026-05-10", "end": "2026-05-01", "description": "Backwards"},
        {"start": "2026-05-12", "advisers": "Nobody"},
    ]

    submit(at, {"added_rows": bad, "edited_rows": {0: {"description": "Would be fine"}}})

    problems = shown_tables(at)[0]
    assert problems.to_dict("records") == [
        {
            "Row": "row 1 (new)",
            "Problem": "End date 1 May 2026 is before the start date 10 May 2026",
        },
        {"Row": "row 2 (new)", "Problem": "Advisers: no adviser is called 'Nobody'"},
    ]
    assert "Nothing was saved" in texts(at, "error")
    assert [v.value.description for v in firm.store.list_closures()] == [""]  # untouched


def test_deleting_asks_first_and_cancel_keeps_the_closure(firm: Firm) -> None:
    at = opened(firm)

    submit(at, {"deleted_rows": [0]})
    assert len(firm.store.list_closures()) == 1  # not yet: the dialog asks
    assert "These closures will be deleted" in texts(at, "markdown")

    at.button(key="closures.cancel").click().run()
    assert len(firm.store.list_closures()) == 1
    assert not any(b.key == "closures.confirm" for b in at.button)


def test_confirming_the_dialog_deletes_the_closure(firm: Firm) -> None:
    at = opened(firm)
    submit(at, {"deleted_rows": [0]})

    at.button(key="closures.confirm").click().run()

    assert not at.exception, at.exception
    assert firm.store.list_closures() == []
    assert "1 deleted" in texts(at, "success")
    assert at.data_editor[0].value.empty


def test_a_stale_edit_is_refused_reloaded_and_the_users_changes_listed(firm: Firm) -> None:
    at = opened(firm)
    [current] = firm.store.list_closures()  # someone else edits it after the page was drawn
    theirs = dataclasses.replace(current.value, description="Their change")
    firm.store.save_closures(EditBatch(updated=((theirs, current.version),)), "someone@firm")

    submit(at, {"edited_rows": {0: {"description": "My change"}}})

    assert "changed since" in texts(at, "error") or "reload" in texts(at, "error").lower()
    assert list(stored(firm)) == ["Their change"]
    mine = shown_tables(at)[0]
    assert mine["change"].tolist() == ["edit"]
    assert mine["description"].tolist() == ["My change"]
    assert mine["start"].tolist() == ["30 Mar 2026"]  # the one date format, not 2026-03-30
    assert at.data_editor[0].value["description"].tolist() == ["Their change"]


def test_a_viewer_sees_a_read_only_table_and_no_edit_controls(firm: Firm) -> None:
    at = opened(firm, user=VIEWER_USER)

    assert len(at.data_editor) == 0
    assert at.dataframe[0].value["start"].tolist() == [d("2026-03-30")]
    assert len(at.button) == 0
    assert "Only editors" in texts(at, "caption")


def test_the_use_case_refuses_a_viewer_even_without_the_page(firm: Firm) -> None:
    edits = RowEdits(added=({"start": "2026-06-01", "description": "Sneaky"},))

    with pytest.raises(Forbidden):
        firm.services.editing.save_closures(edits, actor=VIEWER_USER.actor, is_editor=False)
    assert "Sneaky" not in stored(firm)


def test_public_holidays_are_previewed_then_saved_as_weekday_region_closures(
    firm: Firm,
) -> None:
    at = opened(firm)
    at.text_input(key=COUNTRY).set_value("AU")
    at.text_input(key=SUBDIVISION).set_value("NSW")
    at.selectbox(key=PERIOD).set_value(2026)
    at.button(key="FormSubmitter:closures.holidays.form-Preview holidays").click().run()

    preview = shown_tables(at)[0]
    assert "Australia Day" in preview["description"].tolist()
    assert all(day.weekday() < 5 for day in preview["start"])
    assert len(firm.store.list_closures()) == 1  # a preview saves nothing

    at.button(key="closures.holidays.save").click().run()

    saved = [v.value for v in firm.store.list_closures() if v.value.id.startswith("ph-AU-NSW")]
    assert len(saved) == len(preview)
    assert all(c.regions == frozenset({"NSW"}) for c in saved)
    at.button(key="FormSubmitter:closures.holidays.form-Preview holidays").click().run()
    assert "already a closure" in texts(at, "info")


def test_an_unknown_country_is_refused_with_a_clear_message(firm: Firm) -> None:
    at = opened(firm)
    at.text_input(key=COUNTRY).set_value("XX")
    at.button(key="FormSubmitter:closures.holidays.form-Preview holidays").click().run()

    assert "unknown country code 'XX'" in texts(at, "error")


def add_closure(firm: Firm, start: str, end: str, description: str) -> None:
    closure = dataclasses.replace(
        builders.closure(start, end), id=f"c-{description}", description=description
    )
    firm.store.save_closures(EditBatch(added=(closure,)), "ops@firm.example")


def test_closures_list_upcoming_first_and_past_ones_only_when_asked(firm: Firm) -> None:
    add_closure(firm, "2026-02-02", "2026-02-03", "Over")
    add_closure(firm, "2026-03-10", "2026-03-12", "Under way")  # today is 11 Mar 2026
    add_closure(firm, "2026-03-20", "2026-03-20", "Soon")

    at = opened(firm)

    assert at.data_editor[0].value["start"].tolist() == [
        d("2026-03-10"), d("2026-03-20"), d("2026-03-30")
    ]  # fmt: skip

    at.toggle(key="past").set_value(True).run()

    assert at.data_editor[0].value["start"].tolist()[-1] == d("2026-02-02")


def test_a_link_with_past_shows_past_closures(firm: Firm) -> None:
    add_closure(firm, "2026-02-02", "2026-02-03", "Over")

    at = opened(firm, past="true")

    assert d("2026-02-02") in at.data_editor[0].value["start"].tolist()


def test_the_regions_column_offers_only_the_regions_advisers_work_in(firm: Firm) -> None:
    at = opened(firm)

    regions = json.loads(at.data_editor[0].proto.columns)["regions"]["type_config"]

    assert regions["type"] == "multiselect"
    assert [o["value"] for o in regions["options"]] == firm.services.browsing.regions()
    assert regions["accept_new_options"] is False


def test_the_holiday_import_offers_the_coming_twelve_months_first(firm: Firm) -> None:
    at = opened(firm)

    period = at.selectbox(key=PERIOD)
    assert period.value == "coming"
    assert period.format_func(period.value) == (
        "The coming twelve months (11 Mar 2026 – 10 Mar 2027)"
    )
    at.button(key="FormSubmitter:closures.holidays.form-Preview holidays").click().run()

    starts = shown_tables(at)[0]["start"].tolist()
    assert min(starts) >= d("2026-03-11")
    assert max(starts) <= d("2027-03-10")
    assert any(day.year == 2027 for day in starts)  # Australia Day 2027, not only 2026
