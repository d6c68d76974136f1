"""The Capacity overrides page: the editor pattern of the Closures page, plus overlap flags."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from services.errors import Forbidden
from services.records import EditBatch
from services.rows import RowEdits
from tests.app import firm as app
from tests.app.firm import VIEWER_USER, Firm, read_only_tables, small_firm, texts
from tests.builders import d

SCRIPT = "pages/overrides.py"
EDITOR_KEY = "overrides.editor.0"


def opened(firm: Firm, **kw: Any) -> AppTest:
    return app.opened(SCRIPT, firm, **kw)


def submit(at: AppTest, changes: dict[str, Any]) -> AppTest:
    return app.submit_editor(at, "overrides", changes)


read_only = read_only_tables


@pytest.fixture
def firm() -> Firm:
    return small_firm()


def limits(firm: Firm) -> dict[str, list[tuple[Any, ...]]]:
    found: dict[str, list[tuple[Any, ...]]] = {}
    for v in firm.store.list_overrides():
        o = v.value
        found.setdefault(o.adviser_id, []).append((o.start, o.end, o.monthly_limit))
    return found


def test_an_editor_sees_each_override_with_the_advisers_name(firm: Firm) -> None:
    at = opened(firm)

    table = at.data_editor[0].value
    assert table["adviser"].tolist() == ["Gus"]
    assert table["monthly_limit"].tolist() == [0]


def test_adding_an_override_saves_it_with_its_note_and_audits_it(firm: Firm) -> None:
    at = opened(firm)
    row = {"adviser": "Dana", "start": "2026-04-06", "monthly_limit": 3, "note": "Study leave"}

    submit(at, {"added_rows": [row]})

    assert "Saved: 1 added" in texts(at, "success")
    assert limits(firm)["dana"] == [(d("2026-04-06"), None, 3.0)]
    assert "Study leave" in firm.store.override_notes().values()
    assert firm.store.list_audit("overrides", 1)[0].action == "override.create"


def test_an_overlapping_override_is_saved_and_flagged(firm: Firm) -> None:
    at = opened(firm)
    row = {"adviser": "Gus", "start": "2026-04-01", "end": "2026-06-30", "monthly_limit": 2}

    submit(at, {"added_rows": [row]})

    assert len(limits(firm)["gus"]) == 2
    flags = at.data_editor[0].value["overlap"].tolist()
    assert any("Overlaps Gus's override from" in f for f in flags)
    assert "overlap another" in texts(at, "warning")


def test_bad_rows_are_named_and_nothing_is_saved(firm: Firm) -> None:
    at = opened(firm)
    bad = [
        {"adviser": "Nobody", "start": "2026-04-06", "monthly_limit": 3},
        {"adviser": "Dana", "start": "2026-04-06"},
        {"adviser": "Eli", "monthly_limit": -1},
    ]

    submit(at, {"added_rows": bad})

    problems = read_only(at)[0]
    assert problems["Row"].tolist() == ["row 1 (new)", "row 2 (new)", "row 3 (new)", "row 3 (new)"]
    assert problems["Problem"].tolist() == [
        "Adviser: no adviser is called 'Nobody'",
        "Monthly limit is missing",
        "Start date is missing",
        "Monthly limit -1 must not be negative",
    ]
    assert "Nothing was saved" in texts(at, "error")
    assert list(limits(firm)) == ["gus"]


def test_editing_the_limit_changes_that_override(firm: Firm) -> None:
    at = opened(firm)

    submit(at, {"edited_rows": {0: {"monthly_limit": 2, "end": "2026-06-01"}}})

    assert limits(firm)["gus"] == [(d("2026-03-01"), d("2026-06-01"), 2.0)]


def test_deleting_an_override_waits_for_the_confirmation(firm: Firm) -> None:
    at = opened(firm)
    submit(at, {"deleted_rows": [0]})
    assert "gus" in limits(firm)

    at.button(key="overrides.confirm").click().run()

    assert limits(firm) == {}
    assert "1 deleted" in texts(at, "success")


def test_a_stale_edit_keeps_the_other_persons_change_and_lists_ours(firm: Firm) -> None:
    at = opened(firm)
    [current] = firm.store.list_overrides()
    theirs = dataclasses.replace(current.value, monthly_limit=1)
    firm.store.save_overrides(EditBatch(updated=((theirs, current.version),)), "someone@firm")

    submit(at, {"edited_rows": {0: {"monthly_limit": 5}}})

    assert "Nothing was saved" in texts(at, "error")
    assert limits(firm)["gus"][0][2] == 1.0
    assert read_only(at)[0]["monthly_limit"].tolist() == ["5"]
    assert at.data_editor[0].value["monthly_limit"].tolist() == [1]


def test_a_viewer_gets_a_read_only_table_and_the_use_case_refuses_them(firm: Firm) -> None:
    at = opened(firm, user=VIEWER_USER)

    assert len(at.data_editor) == 0
    assert len(at.button) == 0
    assert read_only(at)[0]["adviser"].tolist() == ["Gus"]
    edits = RowEdits(added=({"adviser": "Dana", "start": "2026-04-06", "monthly_limit": 9},))
    with pytest.raises(Forbidden):
        firm.services.editing.save_overrides(edits, actor=VIEWER_USER.actor, is_editor=False)
    assert "dana" not in limits(firm)
