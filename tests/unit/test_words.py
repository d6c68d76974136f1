"""Everything a person reads uses names, words, the firm's timezone and one date format:
the formatters (``services.words``, reached through ``console.text``) and the audit log in
words (``services.audit_words``)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pandas as pd
import pytest

from services import audit_words, history, words
from services.records import AuditEntry
from tests.builders import adviser

SYDNEY = zoneinfo.ZoneInfo("Australia/Sydney")
AT = dt.datetime(2026, 12, 6, 22, 5, tzinfo=dt.UTC)  # 7 Dec 2026, 09:05 in Sydney
NAMES = {"71017": "Dana Lee", "71034": "Eli Wong"}


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (dt.date(2026, 12, 7), "7 Dec 2026"),
        ("2026-12-07", "7 Dec 2026"),
        (pd.Timestamp("2026-12-07"), "7 Dec 2026"),
        (None, ""),
        (pd.NaT, ""),
        (float("nan"), ""),
    ],
)
def test_one_date_format_and_nothing_for_no_date(value: object, shown: str) -> None:
    assert words.day(value) == shown


def test_a_moment_reads_in_the_firms_timezone() -> None:
    assert words.moment(AT, SYDNEY) == "7 Dec 2026, 09:05"
    assert words.moment(AT.replace(tzinfo=None), SYDNEY) == "7 Dec 2026, 09:05"  # naive = UTC
    assert words.moment(None, SYDNEY) == ""


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("writeback_pending", "Write-back pending"),
        ("writeback_failed", "Write-back failed"),
        ("unallocated", "Unallocated"),
        ("allocated", "Allocated"),
        ("something_new", "Something new"),
        (None, ""),
    ],
)
def test_statuses_read_as_words(code: object, shown: str) -> None:
    assert words.status_words(code) == shown


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("reassign:local", "Re-assigned in the console"),
        ("reassign:ops@firm.example", "Re-assigned in the console by ops@firm.example"),
        ("webhook", "HubSpot webhook"),
        ("console", "Allocated in the console"),
        (None, ""),
    ],
)
def test_sources_read_as_words(code: object, shown: str) -> None:
    assert words.source_words(code) == shown


def test_numbers_are_rounded_and_never_in_exponent_form() -> None:
    assert [words.number(v) for v in (1.23456, 2.0, 1234567.0, -0.0001, None)] == [
        "1.23", "2", "1234567", "0", "",
    ]  # fmt: skip


def entry(action: str, before: dict | None, after: dict | None, entity_id: str = "x") -> AuditEntry:  # type: ignore[type-arg]
    return AuditEntry(AT, "ops@firm.example", action, action.split(".")[0] + "s", entity_id,
                      before, after)  # fmt: skip


CHRISTMAS = {"id": "holiday-2026-12-25", "start": "2026-12-25", "end": "2026-12-26",
             "description": "Christmas", "adviser_ids": [], "regions": []}  # fmt: skip


@pytest.mark.parametrize(
    ("made", "what", "change"),
    [
        (
            entry("closure.create", None, CHRISTMAS),
            "Added closure",
            "Christmas, 25 Dec 2026 – 26 Dec 2026, everyone",
        ),
        (
            entry(
                "closure.update",
                CHRISTMAS,
                {**CHRISTMAS, "end": "2026-12-28", "adviser_ids": ["71017"]},
            ),
            "Changed closure",
            "End: 26 Dec 2026 → 28 Dec 2026; Advisers: none → Dana Lee",
        ),
        (
            entry("closure.delete", {**CHRISTMAS, "regions": ["NSW", "VIC"]}, None),
            "Deleted closure",
            "Christmas, 25 Dec 2026 – 26 Dec 2026, regions NSW, VIC",
        ),
        (
            entry(
                "override.create",
                None,
                {
                    "id": "o1",
                    "adviser_id": "71034",
                    "start": "2027-01-04",
                    "monthly_limit": 2.5,
                    "end": None,
                },
            ),
            "Added capacity override",
            "Eli Wong: 2.5 a month from 4 Jan 2027",
        ),
        (
            entry(
                "settings.update",
                {"rules": {"buffer_weeks": 2}, "editors": []},
                {"rules": {"buffer_weeks": 3}, "editors": ["a@firm.example"]},
            ),
            "Changed settings",
            "Editors: none → a@firm.example; Buffer weeks: 2 → 3",
        ),
        (
            entry(
                "allocation.reassign",
                {"deal_id": "880001", "adviser_id": "71017", "week": "2026-12-07"},
                {
                    "deal_id": "880001",
                    "adviser_id": "71034",
                    "week": "2026-12-14",
                    "reason": "knows the family",
                },
            ),
            "Re-assigned deal",
            "Deal 880001: Dana Lee, week of 7 Dec 2026 → Eli Wong, week of 14 Dec 2026; "
            "reason: knows the family",
        ),
        (
            entry(
                "sync.hubspot_advisers",
                None,
                {"status": "ok", "added": 2, "updated": 1, "removed": 0, "errors": []},
            ),
            "Ran HubSpot advisers sync",
            "Succeeded: 2 added, 1 updated, 0 removed",
        ),
        (
            entry("writeback.retry", None, {"written": 1, "failed": 0, "busy": 0}, "all"),
            "Retried HubSpot write-back",
            "For every waiting deal: 1 written, 0 failed",
        ),
    ],
)
def test_the_audit_log_says_what_changed_in_words(made: AuditEntry, what: str, change: str) -> None:
    assert audit_words.action_words(made.action) == what
    assert audit_words.change_words(made, NAMES) == change


def test_the_audit_table_has_no_codes_json_ids_or_utc() -> None:
    advisers = [adviser("71017", "Dana Lee")]
    made = entry("closure.update", CHRISTMAS, {**CHRISTMAS, "adviser_ids": ["71017"]},
                 "holiday-2026-12-25")  # fmt: skip

    frame = history.audit_frame([made], advisers, SYDNEY)

    assert frame.to_dict("records") == [
        {
            "When": "7 Dec 2026, 09:05",
            "Who": "ops@firm.example",
            "What": "Changed closure",
            "Change": "Advisers: none → Dana Lee",
        }
    ]


def test_alerts_use_the_one_date_format() -> None:
    """Alerts write "7 Dec 2026", never "07 Dec 2026" (the preview's reasons: its page test)."""
    from services.outlook_alerts import override_alerts
    from tests.builders import override

    today = dt.date(2026, 11, 30)  # a Monday; the override ends in the week of 7 Dec
    ending = override("a1", "2026-10-01", 2, end="2026-12-07", id="o1")
    (notice,) = override_alerts([ending], [adviser("a1", name="Ann Lee")], today)
    assert "ends 7 Dec 2026" in notice.title
