"""Editing closures and capacity overrides: validate every row, then save one audited batch.

Editors only: the caller says who is acting and whether they are an editor, and a viewer is
refused here even if a page forgot to hide its controls. Problems are row-level messages;
overlapping overrides for one adviser are warnings (the latest start wins, rules §2), not
errors.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pandas as pd

from allocation import Adviser, Closure, InvalidInput, Override, normalise
from services import policy, words
from services.errors import Conflict, Forbidden, RowProblem, ValidationFailed
from services.ports import Store
from services.records import ChangeCounts, EditBatch, Versioned
from services.rows import RowEdits, blank, parse_date, parse_names, parse_number, text

T = TypeVar("T")
CLOSURE_COLUMNS = ["id", "version", "start", "end", "description", "advisers", "regions"]
OVERRIDE_COLUMNS = ["id", "version", "adviser", "start", "end", "monthly_limit", "note"]


@dataclass(frozen=True)
class SaveResult:
    counts: ChangeCounts
    warnings: tuple[RowProblem, ...] = ()


@dataclass
class _Checked:
    """Rows turned into records, and what was wrong with them."""

    records: list[tuple[str, Any, dict[str, Any]]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def require_editor(is_editor: bool, actor: str, what: str) -> None:
    if not is_editor:
        raise Forbidden(f"{actor or 'this user'} is a viewer; only editors can change {what}")


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class AdviserLookup:
    """Finds an adviser by id, email or name, case-insensitively."""

    def __init__(self, advisers: Sequence[Adviser]) -> None:
        self._by: dict[str, Adviser] = {}
        for a in advisers:
            for key in (a.name, a.email, a.id):
                self._by[normalise(key)] = a

    def find(self, ref: str) -> Adviser | None:
        return self._by.get(normalise(ref))


# --- frames the editors show ----------------------------------------------------------------


def closures_frame(
    closures: Sequence[Versioned[Closure]], advisers: Sequence[Adviser]
) -> pd.DataFrame:
    names = {a.id: a.name for a in advisers}
    rows = [
        {
            "id": v.value.id,
            "version": v.version,
            "start": v.value.start,
            "end": v.value.end,
            "description": v.value.description,
            "advisers": ", ".join(sorted(names.get(i, i) for i in v.value.adviser_ids)),
            "regions": ", ".join(sorted(v.value.regions)),
        }
        for v in sorted(closures, key=lambda v: (v.value.start, v.value.id))
    ]
    return pd.DataFrame(rows, columns=CLOSURE_COLUMNS)


def overrides_frame(
    overrides: Sequence[Versioned[Override]], advisers: Sequence[Adviser], notes: dict[str, str]
) -> pd.DataFrame:
    names = {a.id: a.name for a in advisers}
    rows = [
        {
            "id": v.value.id,
            "version": v.version,
            "adviser": names.get(v.value.adviser_id, v.value.adviser_id),
            "start": v.value.start,
            "end": v.value.end,
            "monthly_limit": v.value.monthly_limit,
            "note": notes.get(v.value.id, ""),
        }
        for v in sorted(overrides, key=lambda v: (names.get(v.value.adviser_id, ""), v.value.start))
    ]
    return pd.DataFrame(rows, columns=OVERRIDE_COLUMNS)


# --- row checks -------------------------------------------------------------------------------


def _labelled(edits: RowEdits) -> list[tuple[str, dict[str, Any], bool]]:
    added = [(f"new row {n}", dict(r), True) for n, r in enumerate(edits.added, start=1)]
    updated = [(str(r.get("id") or "row"), dict(r), False) for r in edits.updated]
    return added + updated


# How each grid column is named in a problem: "End date 1 Apr 2026 is before …".
COLUMN_WORDS = {
    "start": "Start date",
    "end": "End date",
    "advisers": "Advisers",
    "adviser": "Adviser",
    "regions": "Regions",
    "monthly_limit": "Monthly limit",
}


def _date_cell(row: dict[str, Any], column: str, label: str, out: list[RowProblem]) -> Any:
    if blank(row.get(column)):
        return None
    try:
        return parse_date(row[column])
    except (ValueError, TypeError):
        message = f"{COLUMN_WORDS[column]} {row[column]!r} is not a date"
        out.append(RowProblem(label, column, message))
        return None


def _dates(
    row: dict[str, Any], label: str, out: list[RowProblem], end_required: bool
) -> tuple[Any, Any]:
    start = _date_cell(row, "start", label, out)
    end = _date_cell(row, "end", label, out)
    if blank(row.get("start")):
        out.append(RowProblem(label, "start", "Start date is missing"))
    if end_required and blank(row.get("end")):
        end = start  # a closure without an end is a single day
    if start and end and end < start:
        message = f"End date {words.day(end)} is before the start date {words.day(start)}"
        out.append(RowProblem(label, "end", message))
    return start, end


def check_closure_rows(edits: RowEdits, advisers: Sequence[Adviser]) -> _Checked:
    lookup, checked = AdviserLookup(advisers), _Checked()
    for label, row, is_new in _labelled(edits):
        problems: list[RowProblem] = []
        start, end = _dates(row, label, problems, end_required=True)
        adviser_ids = []
        for ref in parse_names(row.get("advisers")):
            found = lookup.find(ref)
            if found is None:
                message = f"Advisers: no adviser is called {ref!r}"
                problems.append(RowProblem(label, "advisers", message))
            else:
                adviser_ids.append(found.id)
        if not problems:
            record = _build(
                Closure,
                label,
                problems,
                id=new_id("closure") if is_new else str(row["id"]),
                start=start,
                end=end,
                description=text(row.get("description")),
                adviser_ids=frozenset(adviser_ids),
                regions=frozenset(parse_names(row.get("regions"))),
            )
            _keep(checked, label, record, row, problems)
        checked.problems += problems
    return checked


def check_override_rows(edits: RowEdits, advisers: Sequence[Adviser]) -> _Checked:
    lookup, checked = AdviserLookup(advisers), _Checked()
    for label, row, is_new in _labelled(edits):
        problems: list[RowProblem] = []
        start, end = _dates(row, label, problems, end_required=False)
        adviser = lookup.find(text(row.get("adviser")))
        if blank(row.get("adviser")):
            problems.append(RowProblem(label, "adviser", "Adviser is missing"))
        elif adviser is None:
            message = f"Adviser: no adviser is called {row['adviser']!r}"
            problems.append(RowProblem(label, "adviser", message))
        limit = _limit(row, label, problems)
        if not problems and adviser is not None:
            record = _build(
                Override,
                label,
                problems,
                id=new_id("override") if is_new else str(row["id"]),
                adviser_id=adviser.id,
                start=start,
                monthly_limit=limit,
                end=end,
            )
            _keep(checked, label, record, row, problems)
        checked.problems += problems
    return checked


def _limit(row: dict[str, Any], label: str, out: list[RowProblem]) -> float | None:
    value = row.get("monthly_limit")
    if blank(value):
        out.append(RowProblem(label, "monthly_limit", "Monthly limit is missing"))
        return None
    try:
        limit = parse_number(value)
    except (ValueError, TypeError):
        out.append(RowProblem(label, "monthly_limit", f"Monthly limit {value!r} is not a number"))
        return None
    if limit < 0:
        message = f"Monthly limit {limit:g} must not be negative"
        out.append(RowProblem(label, "monthly_limit", message))
    return limit


def _keep(
    checked: _Checked, label: str, record: Any, row: dict[str, Any], problems: list[RowProblem]
) -> None:
    if not problems:
        checked.records.append((label, record, row))


def _build(kind: Callable[..., T], label: str, out: list[RowProblem], **values: Any) -> T:
    try:
        return kind(**values)
    except InvalidInput as exc:  # the core's own checks, as a last line
        out.append(RowProblem(label, None, str(exc)))
        return None  # type: ignore[return-value]


def overlap_warnings(overrides: Sequence[Override], names: dict[str, str]) -> list[RowProblem]:
    """Overrides for one adviser whose date ranges overlap (the latest start wins)."""
    warnings = []
    ordered = sorted(overrides, key=lambda o: (o.adviser_id, o.start, o.id))
    for n, later in enumerate(ordered):
        for earlier in ordered[:n]:
            if earlier.adviser_id != later.adviser_id:
                continue
            if earlier.end is None or earlier.end >= later.start:
                who = names.get(later.adviser_id, later.adviser_id)
                message = (
                    f"Overlaps {who}'s override from {words.day(earlier.start)}; from "
                    f"{words.day(later.start)} "
                    f"the later one ({later.monthly_limit:g}/month) applies"
                )
                warnings.append(RowProblem(later.id, "start", message))
    return warnings


# --- saving -----------------------------------------------------------------------------------


def _batch(edits: RowEdits, checked: _Checked) -> EditBatch[Any]:
    added = tuple(r for label, r, _ in checked.records if label.startswith("new row"))
    updated = tuple(
        (r, str(row.get("version", "")))
        for label, r, row in checked.records
        if not label.startswith("new row")
    )
    return EditBatch(added=added, updated=updated, deleted=edits.deleted)


def _counts(batch: EditBatch[Any]) -> ChangeCounts:
    return ChangeCounts(len(batch.added), len(batch.updated), len(batch.deleted))


def save_closures(edits: RowEdits, *, store: Store, actor: str, is_editor: bool) -> SaveResult:
    require_editor(is_editor, actor, "closures")
    checked = check_closure_rows(edits, store.list_advisers())
    if checked.problems:
        raise ValidationFailed(tuple(checked.problems))
    batch = _batch(edits, checked)
    if not batch.empty:
        _save(lambda: store.save_closures(batch, actor))
    return SaveResult(_counts(batch))


def save_overrides(edits: RowEdits, *, store: Store, actor: str, is_editor: bool) -> SaveResult:
    require_editor(is_editor, actor, "capacity overrides")
    advisers = store.list_advisers()
    checked = check_override_rows(edits, advisers)
    if checked.problems:
        raise ValidationFailed(tuple(checked.problems))
    batch = _batch(edits, checked)
    if not batch.empty:
        _save(lambda: store.save_overrides(batch, actor))
        for label, record, row in checked.records:
            note = text(row.get("note"))
            # a new row only gets a note when it has one; an edited row may clear its note
            if note or not label.startswith("new row"):
                store.set_override_note(record.id, note)
    current = [v.value for v in store.list_overrides()]
    warnings = overlap_warnings(current, {a.id: a.name for a in advisers})
    warnings += never_open_warnings([r for _, r, _ in checked.records], store)
    return SaveResult(_counts(batch), tuple(warnings))


def never_open_warnings(overrides: Sequence[Override], store: Store) -> list[RowProblem]:
    """Overrides at a limit too small ever to bank a whole client: saved, and said so."""
    rules = policy.stored_settings(store).value.rules
    found = ((o, policy.never_opens(o.monthly_limit, rules)) for o in overrides)
    return [RowProblem(o.id, "monthly_limit", why) for o, why in found if why]


def _save(action: Callable[[], None]) -> None:
    try:
        action()
    except Conflict as exc:
        raise Conflict(f"{exc} — reload the page to see the latest, then edit again") from exc
