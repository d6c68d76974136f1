"""CSV downloads that are safe to open in a spreadsheet.

Names, notes and errors come from HubSpot, Employment Hero and editors. A cell such as
``=HYPERLINK("http://attacker/x","Reconnect")`` or ``@SUM(...)`` would run as a formula in Excel,
Sheets or LibreOffice (CSV injection). As OWASP recommends, a text cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading single quote, which spreadsheets read as
"this is text". Numbers stay numbers, negative ones included, so sums still work.

An export is for people too (``for_people``): headers in words ("Earliest week", not
``earliest_week``), days as "7 Dec 2026", numbers rounded to two places, empty cells empty;
an id column ("Adviser id") is kept, last, beside the name, for matching with other systems.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from services import words

HEADERS = {
    "deal_id": "Deal",
    "decided_at": "Decided",
    "adviser": "Adviser",
    "adviser_id": "Adviser id",
    "service_package": "Package",
    "household_type": "Household",
    "agreement_start": "Agreement start",
    "writeback_attempts": "Write-back attempts",
    "last_error": "Last error",
    "earliest_week": "Earliest week",
    "earliest_week_before": "Earliest week before the what-if",
    "open_weeks": "Open weeks ahead",
    "taking_on_clients": "Taking on clients",
    "monthly_limit": "Limit per month",
    "meeting_load": "Clarify load",
    "pending_load": "Pending load",
    "avail": "Available",
    "why": "Why",
    "rank": "Rank",
}
PLACES = 2
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def spreadsheet_safe(value: object) -> object:
    """The cell as a spreadsheet should show it: text that could start a formula is quoted."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):  # "-3" kept as text is still just a number
        return value
    return "'" + value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV for people (``for_people``), headers and cells made
    spreadsheet-safe."""
    readable = for_people(frame)
    safe = readable.map(spreadsheet_safe)
    safe.columns = [spreadsheet_safe(str(c)) for c in readable.columns]
    return safe.to_csv(index=False).encode("utf-8")


def header_words(column: object) -> str:
    """'Earliest week' for ``earliest_week``; a week column's ISO date as '7 Dec 2026'."""
    name = str(column)
    if name in HEADERS:
        return HEADERS[name]
    try:
        return words.day(dt.date.fromisoformat(name))
    except ValueError:
        pass
    return name.replace("_", " ").capitalize() if "_" in name or name.islower() else name


def cell_words(value: object) -> object:
    """A number rounded (still a number); anything else as ``words.text`` reads it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) or (isinstance(value, float) and not words.missing(value)):
        return round(value, PLACES) if isinstance(value, float) else value
    return words.text(value)


def for_people(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as people read it (see the module's docstring); id columns moved last."""
    ids = [c for c in frame.columns if str(c).endswith("_id") and str(c) != "deal_id"]
    ordered = frame[[c for c in frame.columns if c not in ids] + ids]
    shown = ordered.map(cell_words) if len(ordered) else ordered.astype(object)
    shown.columns = [header_words(c) for c in ordered.columns]
    return shown
