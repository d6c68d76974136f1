"""CSV downloads that are safe to open in a spreadsheet.

Names, notes and errors come from HubSpot, Employment Hero and editors. A cell such as
``=HYPERLINK("http://attacker/x","Reconnect")`` or ``@SUM(...)`` would run as a formula in Excel,
Sheets or LibreOffice (CSV injection). As OWASP recommends, a text cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading single quote, which spreadsheets read as
"this is text". Numbers stay numbers, negative ones included, so sums still work.
"""

from __future__ import annotations

import re

import pandas as pd

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
    """The table as UTF-8 CSV, headers and cells made spreadsheet-safe."""
    safe = frame.map(spreadsheet_safe)
    safe.columns = [spreadsheet_safe(str(c)) for c in frame.columns]
    return safe.to_csv(index=False).encode("utf-8")
