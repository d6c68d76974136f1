"""Editor rows as the pages hand them over, and the forgiving parsing of their cells.

A page's ``st.data_editor`` reports ``edited_rows / added_rows / deleted_rows``; we turn them
into ``RowEdits`` (full rows with the id and version the editor read) and never feed the
editor's output back in as its input.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

Row = Mapping[str, Any]


@dataclass(frozen=True)
class RowEdits:
    added: tuple[Row, ...] = ()
    updated: tuple[Row, ...] = ()  # full rows after the edit, with "id" and "version"
    deleted: tuple[tuple[str, str], ...] = ()  # (id, version the editor read)

    @property
    def empty(self) -> bool:
        return not (self.added or self.updated or self.deleted)


def edits_from_editor(frame: pd.DataFrame, state: Mapping[str, Any]) -> RowEdits:
    """Turn a data editor's change state into ``RowEdits`` against the frame it was shown."""
    records = frame.to_dict("records")
    updated: list[Row] = []
    for index, changes in (state.get("edited_rows") or {}).items():
        row: dict[str, Any] = {str(k): v for k, v in records[int(index)].items()}
        row.update(changes)
        updated.append(row)
    deleted = tuple(
        (str(records[int(i)]["id"]), str(records[int(i)]["version"]))
        for i in state.get("deleted_rows") or ()
    )
    added = tuple(
        dict(r) for r in state.get("added_rows") or () if any(_filled(v) for v in r.values())
    )
    return RowEdits(added=added, updated=tuple(updated), deleted=deleted)


def _filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    if value is pd.NaT:
        return False
    return not (isinstance(value, str) and not value.strip())


def blank(value: Any) -> bool:
    return not _filled(value)


def parse_date(value: Any) -> dt.date:
    """A date from a date, datetime, pandas Timestamp or ISO text; ValueError otherwise."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip()[:10])
    raise ValueError(f"{value!r} is not a date")


def parse_number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    number = float(str(value).strip()) if isinstance(value, str) else float(value)
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"{value!r} is not a number")
    return number


def parse_names(value: Any) -> list[str]:
    """A list of names from a list cell or text separated by commas, semicolons or newlines."""
    if blank(value):
        return []
    if isinstance(value, str):
        parts: Iterable[Any] = value.replace(";", ",").replace("\n", ",").split(",")
    elif isinstance(value, Iterable):
        parts = value
    else:
        parts = [value]
    return [str(p).strip() for p in parts if _filled(p) and str(p).strip()]


def text(value: Any) -> str:
    return "" if blank(value) else str(value).strip()
