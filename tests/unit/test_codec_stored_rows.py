"""Rows the stores already hold still read, and records still write exactly those rows.

The rows below are what the hand-written codec wrote before cattrs took over, byte for byte
as the SQLite store dumps them; Firestore documents hold the same maps. Older consoles wrote
fewer keys, and newer ones may write more: both still read.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from allocation import Adviser, Closure, InvalidInput, Leave, Meeting, Override, PendingDeal, Rules
from services import codec
from services.folder_records import FolderRecord
from services.records import (
    AllocationRecord,
    AuditEntry,
    ConsoleSettings,
    RejectedDelivery,
    SyncRun,
)

SUMMER = dt.timezone(dt.timedelta(hours=11))  # Sydney in March: stored as UTC all the same
UTC = dt.UTC

STORED_ROWS = [
    pytest.param(
        Adviser("a1", "Ann Lee", "ann@firm.au", True, frozenset({"Seed", "IPO"}),
                frozenset({"Single"}), "Solo Adviser", 4, dt.date(2024, 7, 1), None, "NSW"),
        {"id": "a1", "name": "Ann Lee", "email": "ann@firm.au", "taking_on_clients": True,
         "service_packages": ["IPO", "Seed"], "household_types": ["Single"],
         "pod_type": "Solo Adviser", "monthly_limit": 4, "start_date": "2024-07-01",
         "end_date": None, "region": "NSW"},
        codec.adviser_to_dict, codec.adviser_from_dict, id="adviser",
    ),
    pytest.param(
        Meeting("m1", "a1", dt.datetime(2025, 3, 3, 9, 30, tzinfo=SUMMER), "Clarify", "d1"),
        {"id": "m1", "adviser_id": "a1", "start": "2025-03-02T22:30:00+00:00", "kind": "clarify",
         "deal_id": "d1"},
        codec.meeting_to_dict, codec.meeting_from_dict, id="meeting",
    ),
    pytest.param(
        Leave("l1", "a1", dt.date(2025, 4, 14), dt.date(2025, 4, 17), 0.5),
        {"id": "l1", "adviser_id": "a1", "start": "2025-04-14", "end": "2025-04-17",
         "day_fraction": 0.5},
        codec.leave_to_dict, codec.leave_from_dict, id="leave",
    ),
    pytest.param(
        Closure("c1", dt.date(2025, 12, 25), dt.date(2026, 1, 2), "Christmas",
                frozenset({"a2", "a1"})),
        {"id": "c1", "start": "2025-12-25", "end": "2026-01-02", "description": "Christmas",
         "adviser_ids": ["a1", "a2"], "regions": []},
        codec.closure_to_dict, codec.closure_from_dict, id="closure",
    ),
    pytest.param(
        Override("o1", "a1", dt.date(2025, 5, 1), 2),
        {"id": "o1", "adviser_id": "a1", "start": "2025-05-01", "monthly_limit": 2, "end": None},
        codec.override_to_dict, codec.override_from_dict, id="override",
    ),
    pytest.param(
        PendingDeal("d9", "a1", dt.date(2025, 3, 10)),
        {"deal_id": "d9", "adviser_id": "a1", "week": "2025-03-10"},
        codec.pending_to_dict, codec.pending_from_dict, id="pending deal",
    ),
    pytest.param(
        ConsoleSettings(
            rules=Rules(buffer_weeks=3, household_exempt_packages=frozenset({"Seed", "IPO"})),
            editors=("ann@firm.au",), allowed_domains=("firm.au",),
        ),
        {"rules": {"timezone": "Australia/Sydney", "buffer_weeks": 3, "agreement_lag_weeks": 1,
                   "horizon_weeks": 52, "history_weeks": 2, "default_monthly_limit": 6,
                   "pod_monthly_limits": {"Solo Adviser": 4}, "burst_weeks": 2,
                   "weekly_max_new": 2, "meeting_weights": {"clarify": 1.0},
                   "prestart_weeks": 3, "household_exempt_packages": ["IPO", "Seed"]},
         "editors": ["ann@firm.au"], "allowed_emails": [], "allowed_domains": ["firm.au"],
         "writeback_property": "advisor", "stale_after_hours": 26,
         "service_packages": ["Seed", "Series A", "Series B", "Series C", "IPO"],
         "household_types": ["Single", "Couple"], "outlook_target_weeks": 4,
         "outlook_alerts": False, "outlook_min_places": 2,
         # Since client folders (issue 14); rows without it read as the defaults.
         "box": {"template_folder_id": "", "parent_folder_id": "", "shared_subfolder": "",
                 "metadata_scope": "enterprise", "metadata_template": "",
                 "client_role": "viewer uploader", "adviser_role": "editor",
                 "url_property": "box_folder_url", "name_property": "dealname",
                 "email_property": "client_email"}},
        codec.settings_to_dict, codec.settings_from_dict, id="settings",
    ),
    pytest.param(
        FolderRecord("d9", dt.datetime(2025, 3, 3, 12, 0, tzinfo=SUMMER), "a1", "gave_up",
                     "tagged", "5001", "Lee household (deal d9)",
                     "https://app.box.com/folder/5001", 2, "no client email", True,
                     dt.datetime(2025, 3, 3, 1, 5, tzinfo=UTC), None, None),
        {"deal_id": "d9", "queued_at": "2025-03-03T01:00:00+00:00", "adviser_id": "a1",
         "status": "gave_up", "step": "tagged", "folder_id": "5001",
         "folder_name": "Lee household (deal d9)",
         "folder_url": "https://app.box.com/folder/5001", "attempts": 2,
         "last_error": "no client email", "needs_fix": True,
         "updated_at": "2025-03-03T01:05:00+00:00", "lease_until": None,
         "next_attempt_at": None,
         # Since a re-assignment removes the previous adviser; rows without it read as "".
         "shared_adviser": ""},
        codec.folder_to_dict, codec.folder_from_dict, id="client folder",
    ),
    pytest.param(
        AllocationRecord("d1", "writeback_pending", "a1", dt.date(2025, 3, 10), "Seed", "Single",
                         dt.date(2025, 3, 1), dt.datetime(2025, 3, 3, 9, 30, tzinfo=SUMMER),
                         "webhook", (), 2, "HubSpot 503", "",
                         dt.datetime(2025, 3, 2, 23, 0, tzinfo=UTC), None, version="7"),
        # No "version": the store keeps it beside the record, never inside.
        {"deal_id": "d1", "status": "writeback_pending", "adviser_id": "a1",
         "week": "2025-03-10", "service_package": "Seed", "household_type": "Single",
         "agreement_start": "2025-03-01", "decided_at": "2025-03-02T22:30:00+00:00",
         "source": "webhook",
         "explanation": "eNqrVipTsjLSUcpMUbKKjtVRys9WslJS0lEqz6iECJSnpmZDWKUlmTk"
                        "QVlJOfnJ2KlhHLQBVahM0",
         "writeback_attempts": 2, "last_error": "HubSpot 503", "note": "",
         "lease_until": "2025-03-02T23:00:00+00:00", "next_attempt_at": None},
        codec.allocation_to_dict, codec.allocation_from_dict, id="allocation",
    ),
    pytest.param(
        RejectedDelivery("d5", "unknown package 'Seeds'",
                         dt.datetime(2025, 3, 3, 1, 2, 3, 456000, tzinfo=UTC), "d5",
                         {"service_package": "Seeds", "": "x"}, times=2),
        {"id": "d5", "reason": "unknown package 'Seeds'",
         "received_at": "2025-03-03T01:02:03.456000+00:00", "deal_id": "d5",
         "fields": [{"name": "service_package", "value": "Seeds"}, {"name": "", "value": "x"}],
         "source": "webhook", "status": "open", "times": 2, "resolution": ""},
        codec.rejection_to_dict, codec.rejection_from_dict, id="rejected delivery",
    ),
    pytest.param(
        AuditEntry(dt.datetime(2025, 3, 3, 1, 2, 3, tzinfo=UTC), "ann@firm.au", "closure.create",
                   "closures", "c1", None, {"id": "c1", "regions": ["NSW"]}, "e1"),
        {"id": "e1", "at": "2025-03-03T01:02:03+00:00", "actor": "ann@firm.au",
         "action": "closure.create", "entity": "closures", "entity_id": "c1", "before": None,
         "after": {"id": "c1", "regions": ["NSW"]}},
        codec.audit_to_dict, codec.audit_from_dict, id="audit entry",
    ),
    pytest.param(
        SyncRun("r1", "leave", dt.datetime(2025, 3, 3, 1, 0, tzinfo=UTC), "ann@firm.au", "ok",
                dt.datetime(2025, 3, 3, 1, 0, 5, tzinfo=UTC), 1, 2, 0, ("no email for bob",)),
        {"id": "r1", "source": "leave", "started_at": "2025-03-03T01:00:00+00:00",
         "actor": "ann@firm.au", "status": "ok", "finished_at": "2025-03-03T01:00:05+00:00",
         "added": 1, "updated": 2, "removed": 0, "errors": ["no email for bob"]},
        codec.sync_run_to_dict, codec.sync_run_from_dict, id="sync run",
    ),
]  # fmt: skip


def plain_json(value: Any) -> bool:
    """Only what JSON and Firestore take: no tuples, sets, dates or other objects."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain_json(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain_json(v) for v in value)
    return value is None or isinstance(value, str | int | float | bool)


@pytest.mark.parametrize(("record", "row", "to_dict", "from_dict"), STORED_ROWS)
def test_every_record_stores_the_same_bytes_as_before_and_reads_its_stored_row(
    record: Any, row: dict[str, Any], to_dict: Callable[[Any], Any], from_dict: Callable[..., Any]
) -> None:
    stored = to_dict(record)
    # As the SQLite store writes it: 4 and 4.0, or "+00:00" and "Z", would differ here.
    assert json.dumps(stored, sort_keys=True) == json.dumps(row, sort_keys=True)
    assert plain_json(stored)
    assert from_dict(row) == record
    # Read and saved again, a row stays the same bytes (no 4 turned into 4.0).
    assert json.dumps(to_dict(from_dict(row)), sort_keys=True) == json.dumps(row, sort_keys=True)
    # A key a newer console added is ignored rather than refused.
    assert from_dict({**row, "added_by_a_newer_console": [1]}) == record


OLD_ROWS = [
    pytest.param(
        codec.adviser_from_dict,
        {"id": "a1", "name": "Ann", "email": "ann@firm.au", "service_packages": None},
        Adviser("a1", "Ann", "ann@firm.au"),
        id="adviser with only its required keys and a null set",
    ),
    pytest.param(
        codec.meeting_from_dict,
        {"id": "m1", "adviser_id": "a1", "start": "2025-03-03T09:30:00", "kind": "Clarify"},
        Meeting("m1", "a1", dt.datetime(2025, 3, 3, 9, 30, tzinfo=UTC), "clarify"),
        id="meeting without a deal, its start written without an offset (taken as UTC)",
    ),
    pytest.param(
        codec.meeting_from_dict,
        {"id": "m1", "adviser_id": "a1", "start": "2025-03-03T09:30:00+11:00", "kind": "k"},
        Meeting("m1", "a1", dt.datetime(2025, 3, 2, 22, 30, tzinfo=UTC), "k"),
        id="meeting whose start kept a local offset",
    ),
    pytest.param(
        codec.leave_from_dict,
        {"id": "l1", "adviser_id": "a1", "start": "2025-04-14", "end": "2025-04-14"},
        Leave("l1", "a1", dt.date(2025, 4, 14), dt.date(2025, 4, 14), 1.0),
        id="leave without a day fraction is a whole day",
    ),
    pytest.param(
        codec.closure_from_dict,
        {"id": "c1", "start": "2025-12-25", "end": "2025-12-26", "regions": None},
        Closure("c1", dt.date(2025, 12, 25), dt.date(2025, 12, 26)),
        id="closure without description or advisers, null regions",
    ),
    pytest.param(
        codec.override_from_dict,
        {"id": "o1", "adviser_id": "a1", "start": "2025-05-01", "monthly_limit": 3},
        Override("o1", "a1", dt.date(2025, 5, 1), 3),
        id="override without an end",
    ),
    pytest.param(
        codec.pending_from_dict,
        {"deal_id": "d9", "adviser_id": "a1", "week": "2025-03-10", "origin": "sync"},
        PendingDeal("d9", "a1", dt.date(2025, 3, 10)),
        id="pending deal beside a store's own field",
    ),
    pytest.param(
        codec.settings_from_dict,
        {"rules": None, "editors": None, "service_packages": [], "household_types": None},
        ConsoleSettings(),
        id="settings with null rules and an empty catalogue",
    ),
    pytest.param(
        codec.settings_from_dict,
        {"rules": {"timezone": "UTC", "a_rule_since_removed": 3}},
        ConsoleSettings(rules=Rules(timezone="UTC")),
        id="settings naming a rule this console no longer has",
    ),
    pytest.param(
        codec.allocation_from_dict,
        {"deal_id": "d1", "status": "allocated", "adviser_id": "a1", "week": "2025-03-10",
         "service_package": "Seed", "decided_at": "2025-03-02T22:30:00+00:00",
         "source": "webhook", "explanation": [{"adviser_id": "a1", "eligible": True}]},
        AllocationRecord("d1", "allocated", "a1", dt.date(2025, 3, 10), "Seed", None, None,
                         dt.datetime(2025, 3, 2, 22, 30, tzinfo=UTC), "webhook",
                         ({"adviser_id": "a1", "eligible": True},)),
        id="allocation from before the outbox, its explanation a list",
    ),
    pytest.param(
        codec.rejection_from_dict,
        {"id": "x1", "reason": "no deal id", "received_at": "2025-03-03T01:02:03+00:00",
         "fields": {"dealId": "", "count": 3}},
        RejectedDelivery("x1", "no deal id", dt.datetime(2025, 3, 3, 1, 2, 3, tzinfo=UTC),
                         fields={"dealId": "", "count": "3"}),
        id="rejected delivery with its fields kept as a map",
    ),
    pytest.param(
        codec.audit_from_dict,
        {"at": "2025-03-03T01:02:03+00:00", "actor": "ann", "action": "sync.leave",
         "entity": "sync_runs", "entity_id": "r1"},
        AuditEntry(dt.datetime(2025, 3, 3, 1, 2, 3, tzinfo=UTC), "ann", "sync.leave",
                   "sync_runs", "r1"),
        id="audit entry without an id or before/after",
    ),
    pytest.param(
        codec.sync_run_from_dict,
        {"id": "r1", "source": "leave", "started_at": "2025-03-03T01:00:00+00:00",
         "actor": "ann", "errors": None},
        SyncRun("r1", "leave", dt.datetime(2025, 3, 3, 1, 0, tzinfo=UTC), "ann"),
        id="sync run that never finished",
    ),
    pytest.param(
        codec.folder_from_dict,
        {"deal_id": "d9", "queued_at": "2025-03-03T01:00:00+00:00", "adviser_id": "a1",
         "status": "provisioned", "step": "linked", "folder_id": "5001"},
        FolderRecord("d9", dt.datetime(2025, 3, 3, 1, 0, tzinfo=UTC), "a1", "provisioned",
                     "linked", "5001", shared_adviser=""),
        id="client folder stored before it kept the adviser it was shared with",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("from_dict", "row", "expected"), OLD_ROWS)
def test_rows_an_older_console_wrote_still_read(
    from_dict: Callable[[dict[str, Any]], Any], row: dict[str, Any], expected: Any
) -> None:
    assert from_dict(row) == expected


def test_a_stored_leave_ending_before_it_starts_is_refused_by_the_record_itself() -> None:
    row = {"id": "l1", "adviser_id": "a1", "start": "2025-04-17", "end": "2025-04-14"}
    with pytest.raises(InvalidInput, match="leave l1: end 2025-04-14 is before start"):
        codec.leave_from_dict(row)


def test_stored_settings_with_an_unknown_timezone_are_refused_by_the_rules() -> None:
    with pytest.raises(InvalidInput, match="unknown timezone 'Mars/Olympus'"):
        codec.settings_from_dict({"rules": {"timezone": "Mars/Olympus"}})


def test_a_stored_row_missing_a_required_field_names_it() -> None:
    with pytest.raises(KeyError, match="start"):
        codec.meeting_from_dict({"id": "m1", "adviser_id": "a1", "kind": "clarify"})


def test_a_stored_null_text_is_not_read_as_the_word_none() -> None:
    row = {"id": "c1", "start": "2025-12-25", "end": "2025-12-26", "description": None}
    assert not codec.closure_from_dict(row).description
