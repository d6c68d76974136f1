"""A data editor's change state, turned into row edits against the frame it was shown.

``st.data_editor`` reports positions in the frame it was given. Between the render and the
submit someone else may add or delete a record, so a frame re-read on the submit run can
differ, and diffing against it would edit the wrong rows. ``EditorSlot`` therefore keeps the
frame it rendered in session state, one per *generation*; a save or a reload starts a new
generation (a new widget key), so an old change state never applies to new rows and the
editor's output is never fed back in as its input.

Everything here works on any mutable mapping, so it is tested without Streamlit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from services.rows import RowEdits, blank, edits_from_editor

State = MutableMapping[Any, Any]  # st.session_state, or a dict in tests
EMPTY_CHANGES: dict[str, Any] = {"edited_rows": {}, "added_rows": [], "deleted_rows": []}


def same_cell(before: Any, after: Any) -> bool:
    """True when an edited cell holds what it held before (the editor sends dates as text)."""
    if blank(before) and blank(after):
        return True
    if blank(before) or blank(after):
        return False
    if isinstance(before, dt.date) and isinstance(after, str):
        return before.isoformat() == after.strip()[:10]
    if isinstance(before, int | float) and isinstance(after, int | float):
        return math.isclose(float(before), float(after))
    return str(before).strip() == str(after).strip()


def _positions(values: Any, size: int) -> list[int]:
    """Row positions the editor named that exist in the shown frame, in order, once each."""
    found: list[int] = []
    for value in values or ():
        position = int(value)
        if 0 <= position < size and position not in found:
            found.append(position)
    return found


def diff(frame: pd.DataFrame, changes: Mapping[str, Any]) -> RowEdits:
    """``RowEdits`` for ``changes`` (the editor's state) against the ``frame`` it showed.

    A row both edited and deleted is only deleted; an edit that changes nothing is dropped,
    so retyping a value never turns into a version check that can fail.
    """
    records = frame.to_dict("records")
    deleted = _positions(changes.get("deleted_rows"), len(records))
    edited: dict[int, dict[str, Any]] = {}
    for key, cells in (changes.get("edited_rows") or {}).items():
        position = int(key)
        if position in deleted or not 0 <= position < len(records):
            continue
        real = {
            column: value
            for column, value in dict(cells).items()
            if not same_cell(records[position].get(column), value)
        }
        if real:
            edited[position] = real
    state = {
        "edited_rows": edited,
        "added_rows": list(changes.get("added_rows") or ()),
        "deleted_rows": deleted,
    }
    return edits_from_editor(frame, state)


def deleted_rows(frame: pd.DataFrame, changes: Mapping[str, Any]) -> pd.DataFrame:
    """The shown rows the editor marked for deletion, for the confirmation dialog."""
    positions = _positions(changes.get("deleted_rows"), len(frame))
    return frame.iloc[positions].reset_index(drop=True)


@dataclass(frozen=True)
class EditorSlot:
    """One editor on one page: its widget key, the frame it showed, its pending edits."""

    name: str

    @property
    def _generation_key(self) -> str:
        return f"{self.name}.generation"

    @property
    def _frame_key(self) -> str:
        return f"{self.name}.shown"

    def generation(self, state: State) -> int:
        return int(state.get(self._generation_key, 0))

    def key(self, state: State) -> str:
        """The editor's widget key; it changes with every generation."""
        return f"{self.name}.editor.{self.generation(state)}"

    def frame(self, state: State, load: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The frame this generation shows: loaded once, then kept until the next reset."""
        kept = state.get(self._frame_key)
        if kept is not None and kept[0] == self.generation(state):
            return kept[1]  # type: ignore[no-any-return]
        shown = load().reset_index(drop=True)  # the editor's positions are 0..n-1
        state[self._frame_key] = (self.generation(state), shown)
        return shown

    def changes(self, state: State) -> Mapping[str, Any]:
        return state.get(self.key(state)) or EMPTY_CHANGES

    def edits(self, state: State) -> RowEdits:
        shown = state.get(self._frame_key)
        if shown is None:
            return RowEdits()
        return diff(shown[1], self.changes(state))

    def to_delete(self, state: State) -> pd.DataFrame:
        shown = state.get(self._frame_key)
        if shown is None:
            return pd.DataFrame()
        return deleted_rows(shown[1], self.changes(state))

    def reset(self, state: State) -> None:
        """Start a new generation: drop the kept frame and the old editor's change state."""
        old_key = self.key(state)
        state[self._generation_key] = self.generation(state) + 1
        for key in (old_key, self._frame_key):
            if key in state:
                del state[key]
