"""The editor pattern the Closures and Capacity overrides pages share.

A ``st.data_editor`` inside a form; on submit its change state is diffed against the frame it
showed (``EditorSlot``) and handed to one use case as one batch. Deletions wait for a
confirmation dialog. The outcome is kept in session state as a *flash* and shown after the
rerun, so a success, the rows that need fixing, or a stale-edit conflict reads the same whether
it came from the form or from the dialog.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from console import text
from console.editor_diff import EditorSlot
from console.text import plain
from services.editing import SaveResult
from services.errors import Conflict, Forbidden, RowProblem, ValidationFailed
from services.rows import RowEdits

ISO_DAY = re.compile(r"^\d{4}-\d\d-\d\d")


@dataclass(frozen=True)
class EditorPage:
    slot: EditorSlot
    noun: str  # "closure", "override"
    load: Callable[[], pd.DataFrame]
    save: Callable[[RowEdits], SaveResult]
    columns: Mapping[str, Any]  # st.column_config by column
    order: tuple[str, ...]  # the visible columns, in order
    describe: Callable[[Mapping[str, Any]], str]  # how a row is named in messages
    fixed_rows: bool = False  # rows come from elsewhere (advisers): none added or deleted

    @property
    def flash_key(self) -> str:
        return f"{self.slot.name}.flash"

    @property
    def pending_key(self) -> str:
        return f"{self.slot.name}.confirm_delete"


def render(page: EditorPage, can_edit: bool) -> None:
    """The table: read-only for viewers, the editor form and its outcome for editors."""
    state = st.session_state
    _show_flash(page)
    shown = page.slot.frame(state, page.load)
    if not can_edit:
        st.dataframe(shown, column_order=page.order, column_config=page.columns, hide_index=True)
        st.caption(f"Only editors can change {page.noun}s.")
        return
    with st.form(f"{page.slot.name}.form"):
        st.data_editor(
            shown,
            key=page.slot.key(state),
            num_rows="fixed" if page.fixed_rows else "dynamic",
            hide_index=True,
            column_order=page.order,
            column_config=page.columns,
        )
        submitted = st.form_submit_button("Save changes", type="primary")
    if st.button("Discard my changes and reload", key=f"{page.slot.name}.reload"):
        page.slot.reset(state)
        st.rerun()
    if submitted:
        _submitted(page)
    if state.get(page.pending_key) == page.slot.generation(state):
        _confirm_delete(page)


def _submitted(page: EditorPage) -> None:
    state = st.session_state
    edits = page.slot.edits(state)
    if edits.empty:
        st.info("Nothing changed, so nothing was saved.")
    elif edits.deleted:
        state[page.pending_key] = page.slot.generation(state)  # the dialog reopens until answered
    else:
        save_edits(page, edits)


def _forget_pending(page: EditorPage) -> None:
    st.session_state.pop(page.pending_key, None)


def _confirm_delete(page: EditorPage) -> None:
    edits = page.slot.edits(st.session_state)
    doomed = page.slot.to_delete(st.session_state)
    count = len(edits.deleted)

    title = f"Delete {count} {page.noun}{'s' if count != 1 else ''}?"

    @st.dialog(title, on_dismiss=lambda: _forget_pending(page))
    def ask() -> None:
        st.write(f"These {page.noun}s will be deleted:")
        st.dataframe(doomed, column_order=page.order, column_config=page.columns, hide_index=True)
        others = len(edits.added) + len(edits.updated)
        if others:
            st.write(f"Your {others} other change{'s' if others != 1 else ''} will be saved too.")
        yes, no = st.columns(2)
        if yes.button("Delete and save", type="primary", key=f"{page.slot.name}.confirm"):
            _forget_pending(page)
            save_edits(page, edits)
        if no.button("Cancel", key=f"{page.slot.name}.cancel"):
            _forget_pending(page)
            st.rerun()

    ask()


def save_edits(page: EditorPage, edits: RowEdits) -> None:
    """The editor's edits through the page's use case."""
    run_save(page, lambda: page.save(edits), edits)


def run_save(page: EditorPage, action: Callable[[], SaveResult], edits: RowEdits) -> None:
    """One use-case call; its outcome becomes the flash shown after the rerun. ``edits`` are
    what the user asked for, listed back to them if someone else's change got in first."""
    state = st.session_state
    shown = page.slot.frame(state, page.load)
    try:
        result = action()
    except ValidationFailed as failed:
        state[page.flash_key] = ("problems", _problems_frame(failed.problems, shown, page))
    except Conflict as conflict:
        state[page.flash_key] = ("conflict", str(conflict), unsaved_frame(edits, shown, page))
        page.slot.reset(state)  # reload: the other person's change is shown, ours listed
    except Forbidden as refused:
        state[page.flash_key] = ("refused", str(refused))
    else:
        counts = result.counts
        text = f"Saved: {counts.added} added, {counts.updated} changed, {counts.removed} deleted."
        warnings = _problems_frame(result.warnings, shown, page)
        state[page.flash_key] = ("saved", text, warnings)
        page.slot.reset(state)
    st.rerun()


def _show_flash(page: EditorPage) -> None:
    flash = st.session_state.pop(page.flash_key, None)
    if flash is None:
        return
    kind = flash[0]
    if kind == "saved":
        st.success(plain(flash[1]))
        if len(flash[2]):
            st.warning(f"Saved, but please check these {page.noun}s:")
            st.dataframe(flash[2], hide_index=True)
    elif kind == "problems":
        st.error("Nothing was saved: fix these rows and save again. Your edits are kept below.")
        st.dataframe(flash[1], hide_index=True)
    elif kind == "conflict":
        st.error(f"Nothing was saved: {plain(flash[1])}")
        st.info("The table now shows the latest data. Your unsaved changes, to enter again:")
        st.dataframe(flash[2], hide_index=True)
    else:
        st.error(plain(flash[1]))


def _row_name(problem: RowProblem, shown: pd.DataFrame, page: EditorPage) -> str:
    """'row 3 (Christmas Day)' for a stored record, 'row 1 (new)' for an added one."""
    rows = shown["id"].astype(str) if len(shown) else pd.Series([], dtype=str)
    matches = shown.index[rows == problem.row].tolist() if len(shown) else []
    if not matches:
        return problem.where
    position = int(matches[0])
    row = {str(k): v for k, v in shown.iloc[position].to_dict().items()}
    return f"row {position + 1} ({page.describe(row)})"


def _problems_frame(
    problems: tuple[RowProblem, ...] | list[RowProblem], shown: pd.DataFrame, page: EditorPage
) -> pd.DataFrame:
    """One line per problem: the row as the person sees it, and what is wrong, naming the
    field ("End date 1 Apr 2026 is before the start date 10 Apr 2026")."""
    rows = [{"Row": _row_name(p, shown, page), "Problem": _named(p, page)} for p in problems]
    return pd.DataFrame(rows, columns=["Row", "Problem"])


def _named(problem: RowProblem, page: EditorPage) -> str:
    """The message, led by the field's column title when it does not name the field itself
    (a check that says only "must be from 0 to 100 a month")."""
    if not problem.column or problem.message[:1].isupper():
        return problem.message
    config = page.columns.get(problem.column)
    label = config.get("label") if isinstance(config, Mapping) else None
    return f"{label or problem.column.replace('_', ' ').capitalize()} {problem.message}"


def unsaved_frame(edits: RowEdits, shown: pd.DataFrame, page: EditorPage) -> pd.DataFrame:
    """The user's edits as rows, so a conflict never loses what they typed."""
    records = [{str(k): v for k, v in r.items()} for r in shown.to_dict("records")]
    by_id = {str(r["id"]): r for r in records}
    rows = [{"change": "add", **row} for row in edits.added]
    rows += [{"change": "edit", **row} for row in edits.updated]
    rows += [{"change": "delete", **by_id.get(rid, {"id": rid})} for rid, _ in edits.deleted]
    columns = ["change", *page.order]
    return pd.DataFrame([{c: _cell(r.get(c)) for c in columns} for r in rows], columns=columns)


def _cell(value: Any) -> str:
    """A cell as it reads: dates in the one format (the editor sends them as ISO text), lists
    joined, nothing for empty."""
    if isinstance(value, str) and ISO_DAY.match(value):
        return text.day(value[:10])
    return text.text(value)
