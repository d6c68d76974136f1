"""CSV exports open safely in a spreadsheet: text that would run as a formula is quoted,
numbers stay numbers."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from console.exports import csv_bytes, spreadsheet_safe

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = [
    '=HYPERLINK("http://attacker/x","Reconnect")',
    "@SUM(A1:A9)",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("cell", HOSTILE)
def test_text_that_would_start_a_formula_gets_a_leading_quote(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Dana", "Series A", "a=b", "x@firm.example", "", "-3", "+4.5"])
def test_other_text_and_plain_numbers_written_as_text_are_left_alone(cell: str) -> None:
    assert spreadsheet_safe(cell) == cell


@pytest.mark.parametrize("cell", [-3, -2.5, 0, 7, None, True, dt.date(2026, 3, 9)])
def test_values_that_are_not_text_are_left_alone(cell: object) -> None:
    assert spreadsheet_safe(cell) is cell


def test_a_downloaded_table_reads_back_with_formulas_quoted_and_numbers_numeric() -> None:
    frame = pd.DataFrame(
        {
            "adviser": ['=HYPERLINK("http://attacker/x","Reconnect")', "@SUM(A1:A9)", "Dana"],
            "balance": [-3, 1.5, 0],
            "week": [dt.date(2026, 3, 9), dt.date(2026, 3, 16), None],
            "=cmd": ["a", "b", "c"],
        }
    )

    back = pd.read_csv(io.BytesIO(csv_bytes(frame)))

    assert list(back["Adviser"]) == [
        '\'=HYPERLINK("http://attacker/x","Reconnect")',
        "'@SUM(A1:A9)",
        "Dana",
    ]
    assert list(back["Balance"]) == [-3, 1.5, 0]
    assert pd.api.types.is_numeric_dtype(back["Balance"])
    assert list(back.columns) == ["Adviser", "Balance", "Week", "'=cmd"]
    assert frame.loc[1, "adviser"] == "@SUM(A1:A9)"  # the shown table is not changed


def test_every_csv_the_console_offers_goes_through_the_safe_writer() -> None:
    writers = re.compile(r"\.to_csv\(|download_button\(")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("pages", "console")
        for path in sorted((ROOT / folder).glob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if writers.search(line) and path.name not in {"exports.py", "widgets.py"}
    ]
    assert offenders == []
    assert "exports.csv_bytes(frame)" in (ROOT / "console" / "widgets.py").read_text()


def test_an_export_reads_as_people_read_the_console() -> None:
    """Headers in words, days as "7 Dec 2026", numbers rounded, nothing empty reads None,
    the adviser's name first and their id kept as an extra column, last."""
    frame = pd.DataFrame(
        {
            "adviser_id": ["a-17", "a-18"],
            "adviser": ["Dana", "Eli"],
            "earliest_week": [dt.date(2026, 12, 7), None],
            "utilisation": [0.333333333, float("nan")],
            "2026-12-14": [1.23456, -0.5],
        }
    )

    text = csv_bytes(frame).decode()

    assert text.splitlines() == [
        "Adviser,Earliest week,Utilisation,14 Dec 2026,Adviser id",
        "Dana,7 Dec 2026,0.33,1.23,a-17",
        "Eli,,,-0.5,a-18",
    ]
