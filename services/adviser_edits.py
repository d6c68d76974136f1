"""The Advisers page's use cases: every adviser with what HubSpot says (read only) and what the
firm sets here (region, pod, monthly limit, end date, Employment Hero alias, notes).

A value set here wins over the synced one and survives every sync: it is stored apart
(``services.ports.AdviserEdits``) and merged in wherever advisers are read (``merged``: the
snapshot, so every page and the webhook). Clearing a cell hands the field back to HubSpot.

Only the cells a person changed become values set here: the frame carries what it showed
(``shown``), so a value synced meanwhile is never pinned by a save that did not touch it.
Edits are checked like Settings (``services.policy`` bounds, emails), saved as one audited
batch, and a stale one is refused (``Conflict``) like the Closures and Overrides grids.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import pandas as pd

from allocation import Adviser
from services import policy
from services.adviser_merge import apply_edit
from services.context import Context
from services.editing import SaveResult, require_editor
from services.errors import ConfigurationError, Conflict, RowProblem, ValidationFailed
from services.records import AdviserEdit, ChangeCounts, EditBatch, Versioned
from services.rows import RowEdits, blank, parse_date, parse_number, text
from services.views import offer_words
from services.words import day

# The fields set here, as the frame's columns name them, and their AdviserEdit field.
MANAGED = {
    "region": "region",
    "pod": "pod_type",
    "monthly_limit": "monthly_limit",
    "end_date": "end_date",
    "eh_email": "eh_email",
    "notes": "notes",
}
MANAGED_WORDS = {
    "region": "region",
    "pod": "pod",
    "monthly_limit": "monthly limit",
    "end_date": "end date",
    "eh_email": "Employment Hero email",
    "notes": "notes",
}
SYNCED_COLUMNS = ["name", "email", "packages", "households", "taking_on_clients", "start_date"]
COLUMNS = ["id", "version", *SYNCED_COLUMNS, *MANAGED, "set_here", "shown"]
MAX_NAME = 60  # a region or pod name
MAX_NOTES = 1000
T = TypeVar("T")

FILTERS = {
    "all": "All advisers",
    "missing_region": "Missing region",
    "no_own_limit": "No monthly limit of their own",
    "leaving": "Leaving (end date set)",
    "not_taking": "Not taking on clients",
    "set_here": "With values set here",
}


# --- the frame ------------------------------------------------------------------------------


def _shown_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def advisers_frame(
    advisers: Sequence[Adviser], edits: Sequence[Versioned[AdviserEdit]]
) -> pd.DataFrame:
    """One row per adviser: synced fields, then the managed ones as decisions use them."""
    held = {v.value.adviser_id: v for v in edits}
    rows = []
    for adviser in sorted(advisers, key=lambda a: (a.name.casefold(), a.id)):
        versioned = held.get(adviser.id)
        edit = versioned.value if versioned else AdviserEdit(adviser.id)
        effective = apply_edit(adviser, edit)
        managed = {
            "region": effective.region,
            "pod": effective.pod_type,
            "monthly_limit": effective.monthly_limit,
            "end_date": effective.end_date,
            "eh_email": edit.eh_email,
            "notes": edit.notes,
        }
        set_here = [
            MANAGED_WORDS[c] for c, f in MANAGED.items() if getattr(edit, f) not in (None, "")
        ]
        rows.append(
            {
                "id": adviser.id,
                "version": versioned.version if versioned else "",
                "name": adviser.name,
                "email": adviser.email,
                **offer_words(adviser),
                "taking_on_clients": adviser.taking_on_clients,
                "start_date": adviser.start_date,
                **managed,
                "set_here": ", ".join(set_here),
                "shown": json.dumps({k: _shown_value(v) for k, v in managed.items()}),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def filtered(frame: pd.DataFrame, which: str) -> pd.DataFrame:
    """The rows a filter of ``FILTERS`` keeps."""
    if frame.empty or which == "all":
        return frame
    keep = {
        "missing_region": frame["region"].map(blank),
        "no_own_limit": frame["monthly_limit"].map(blank),
        "leaving": ~frame["end_date"].map(blank),
        "not_taking": ~frame["taking_on_clients"].astype(bool),
        "set_here": frame["set_here"] != "",
    }[which]
    return frame[keep].reset_index(drop=True)


# --- checking a save ------------------------------------------------------------------------


def _changed(row: Mapping[str, Any]) -> dict[str, Any]:
    """The managed cells this row changes, against what the frame showed."""
    shown = json.loads(str(row.get("shown") or "{}"))
    changed = {}
    for column in MANAGED:
        before, after = shown.get(column), row.get(column)
        if blank(before) and blank(after):
            continue
        if not blank(before) and not blank(after) and _same(column, before, after):
            continue
        changed[column] = after
    return changed


def _same(column: str, before: Any, after: Any) -> bool:
    if column == "end_date" or isinstance(after, dt.date | pd.Timestamp):
        return str(before)[:10] == str(after)[:10]  # the editor sends dates as text, too
    if isinstance(before, int | float) or isinstance(after, int | float):
        try:
            return float(before) == float(after)
        except (TypeError, ValueError):
            return False
    return str(before).strip() == str(after).strip()


def _cell(adviser: Adviser, column: str, value: Any, out: list[RowProblem]) -> Any:
    """A changed cell as the AdviserEdit field holds it (None: hand it back to HubSpot)."""
    label = adviser.id
    if blank(value):
        return "" if column == "notes" else None
    if column in ("region", "pod"):
        return _at_most(MAX_NAME, text(value), label, column, out)
    if column == "monthly_limit":
        limit = _parsed(parse_number, "a number", value, label, column, out)
        problem = None if limit is None else policy.limit_problem(label, limit)
        if problem is not None:
            out.append(problem)
        return limit
    if column == "end_date":
        end = _parsed(parse_date, "a date", value, label, column, out)
        if end is None:
            return None
        if adviser.start_date is not None and end < adviser.start_date:
            out.append(
                RowProblem(
                    label,
                    column,
                    f"end date {day(end)} is before {adviser.name}'s start date "
                    f"{day(adviser.start_date)}",
                )
            )
        return end
    if column == "eh_email":
        email = text(value)
        if not policy.EMAIL.match(email):
            out.append(RowProblem(label, column, f"{email!r} is not an email address"))
        return email
    return _at_most(MAX_NOTES, text(value), label, column, out)


def _parsed(
    parse: Callable[[Any], T],
    kind: str,
    value: object,
    label: str,
    column: str,
    out: list[RowProblem],
) -> T | None:
    """``parse(value)``, or None with a problem saying the cell is not ``kind``."""
    try:
        return parse(value)
    except (TypeError, ValueError):
        out.append(RowProblem(label, column, f"{value!r} is not {kind}"))
        return None


def _at_most(limit: int, value: str, label: str, column: str, out: list[RowProblem]) -> str:
    if len(value) > limit:
        out.append(RowProblem(label, column, f"at most {limit} characters; got {len(value)}"))
    return value


def plan(
    edits: RowEdits,
    advisers: Sequence[Adviser],
    held: Sequence[Versioned[AdviserEdit]],
) -> EditBatch[AdviserEdit]:
    """The batch a submitted grid asks for; ``ValidationFailed`` naming every bad cell."""
    synced = {a.id: a for a in advisers}
    current = {v.value.adviser_id: v for v in held}
    problems: list[RowProblem] = []
    added: list[AdviserEdit] = []
    updated: list[tuple[AdviserEdit, str]] = []
    deleted: list[tuple[str, str]] = []
    if edits.added or edits.deleted:
        problems.append(
            RowProblem(
                "advisers", None, "advisers come from HubSpot: rows cannot be added or deleted"
            )
        )
    for row in edits.updated:
        adviser_id = str(row.get("id") or "")
        adviser = synced.get(adviser_id)
        if adviser is None:
            raise Conflict(
                f"adviser {adviser_id} is no longer in HubSpot's list; reload and try again"
            )
        base = current[adviser_id].value if adviser_id in current else AdviserEdit(adviser_id)
        values = {MANAGED[c]: _cell(adviser, c, v, problems) for c, v in _changed(row).items()}
        edit = dataclasses.replace(base, **values)
        version = str(row.get("version") or "")
        if edit == base:
            continue
        if not version:
            added.append(edit)
        elif edit.empty:
            deleted.append((adviser_id, version))
        else:
            updated.append((edit, version))
    if problems:
        raise ValidationFailed(tuple(problems))
    return EditBatch(added=tuple(added), updated=tuple(updated), deleted=tuple(deleted))


# --- the feature ----------------------------------------------------------------------------


class AdviserEditing:
    """``svc.advisers``: the Advisers page."""

    def __init__(self, context: Context) -> None:
        self._context = context

    def frame(self, which: str = "all") -> pd.DataFrame:
        store = self._context.store
        return filtered(advisers_frame(store.list_advisers(), store.list_adviser_edits()), which)

    def hubspot_sources(self) -> str:
        """Which of the fields set here a sync also fills from HubSpot, in words ('' while
        HubSpot is not connected: then every value is set here or is demo data)."""
        if self._context.crm is None:
            return ""
        try:
            mapped = self._context.hubspot_names().mapped()
        except ConfigurationError as exc:  # a bad setting costs this line, never the page
            return f"HubSpot's field mapping cannot be read: {exc}"
        synced = [f"{MANAGED_WORDS[c]} (user property “{mapped[f]}”)"
                  for c, f in MANAGED.items() if f in mapped]  # fmt: skip
        only_here = [MANAGED_WORDS[c] for c, f in MANAGED.items() if f not in mapped]
        said = f"Set only here: {', '.join(only_here)}."
        if synced:
            said = f"Also synced from HubSpot: {', '.join(synced)}. " + said
        return said + " HUBSPOT_DEAL_PROPERTIES maps them (docs/integrations.md)."

    def save(self, edits: RowEdits, actor: str, is_editor: bool) -> SaveResult:
        require_editor(is_editor, actor, "advisers")
        store = self._context.store
        batch = plan(edits, store.list_advisers(), store.list_adviser_edits())
        if not batch.empty:
            try:
                store.save_adviser_edits(batch, actor)
            except Conflict as exc:
                raise Conflict(
                    f"{exc} — reload the page to see the latest, then edit again"
                ) from exc
        counts = ChangeCounts(0, len(batch.added) + len(batch.updated), len(batch.deleted))
        return SaveResult(counts, tuple(self._warnings(batch)))

    def _warnings(self, batch: EditBatch[AdviserEdit]) -> list[RowProblem]:
        rules = self._context.console_settings().value.rules
        saved = [*batch.added, *(e for e, _ in batch.updated)]
        warnings = []
        for edit in saved:
            if edit.monthly_limit is not None:
                why = policy.never_opens(edit.monthly_limit, rules)
                if why:
                    warnings.append(RowProblem(edit.adviser_id, "monthly_limit", why))
        return warnings
