"""The data editor's change state, diffed against the frame the editor showed."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from console.editor_diff import EditorSlot, deleted_rows, diff, same_cell


def shown() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"id": "c1", "version": "3", "start": dt.date(2025, 12, 25), "description": "Xmas"},
            {"id": "c2", "version": "7", "start": dt.date(2026, 1, 26), "description": "AU Day"},
        ]
    )


def test_an_edited_cell_becomes_the_full_row_with_the_version_the_editor_read() -> None:
    edits = diff(shown(), {"edited_rows": {1: {"description": "Australia Day"}}})

    assert len(edits.updated) == 1
    row = edits.updated[0]
    assert (row["id"], row["version"], row["description"]) == ("c2", "7", "Australia Day")
    assert row["start"] == dt.date(2026, 1, 26)


def test_row_keys_sent_as_text_are_read_as_positions() -> None:
    edits = diff(shown(), {"edited_rows": {"0": {"description": "Christmas"}}})

    assert edits.updated[0]["id"] == "c1"


def test_an_edit_that_changes_nothing_is_not_saved() -> None:
    edits = diff(shown(), {"edited_rows": {0: {"start": "2025-12-25", "description": "Xmas "}}})

    assert edits.empty


def test_a_row_edited_and_then_deleted_is_only_deleted() -> None:
    changes = {"edited_rows": {0: {"description": "gone soon"}}, "deleted_rows": [0]}

    edits = diff(shown(), changes)

    assert edits.updated == ()
    assert edits.deleted == (("c1", "3"),)


def test_blank_added_rows_are_ignored_and_filled_ones_kept() -> None:
    changes = {"added_rows": [{}, {"start": "2026-04-03", "description": "Good Friday"}]}

    edits = diff(shown(), changes)

    assert edits.added == ({"start": "2026-04-03", "description": "Good Friday"},)


def test_positions_outside_the_shown_frame_are_ignored() -> None:
    edits = diff(shown(), {"edited_rows": {9: {"description": "x"}}, "deleted_rows": [5, 1, 1]})

    assert edits.updated == ()
    assert edits.deleted == (("c2", "7"),)


def test_deleted_rows_lists_what_the_dialog_must_confirm() -> None:
    rows = deleted_rows(shown(), {"deleted_rows": [1]})

    assert rows["description"].tolist() == ["AU Day"]


def test_same_cell_compares_dates_numbers_and_blanks_loosely() -> None:
    assert same_cell(dt.date(2025, 1, 1), "2025-01-01T00:00:00")
    assert same_cell(4, 4.0)
    assert same_cell(None, "")
    assert not same_cell(None, "x")
    assert not same_cell(4, 5)


def test_the_slot_diffs_against_the_frame_it_rendered_not_a_fresh_read() -> None:
    state: dict = {}
    slot = EditorSlot("closures")
    slot.frame(state, shown)
    # someone else adds a closure that would sort first; the editor still meant "c2"
    moved = pd.concat([pd.DataFrame([{"id": "c0", "version": "1"}]), shown()], ignore_index=True)
    assert slot.frame(state, lambda: moved)["id"].tolist() == ["c1", "c2"]
    state[slot.key(state)] = {"edited_rows": {1: {"description": "x"}}}

    assert slot.edits(state).updated[0]["id"] == "c2"


def test_reset_starts_a_new_editor_with_fresh_data_and_no_pending_changes() -> None:
    state: dict = {}
    slot = EditorSlot("closures")
    slot.frame(state, shown)
    old_key = slot.key(state)
    state[old_key] = {"deleted_rows": [0]}

    slot.reset(state)

    assert slot.key(state) != old_key
    assert old_key not in state
    assert slot.edits(state).empty
    fresh = slot.frame(state, lambda: shown().iloc[:1])
    assert fresh["id"].tolist() == ["c1"]
