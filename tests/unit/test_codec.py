"""Every record survives the trip to JSON and back unchanged, so every store keeps it faithfully."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from allocation import Adviser, Closure, Leave, Meeting, Override, PendingDeal, Rules
from services import codec
from services.records import (
    AllocationRecord,
    AuditEntry,
    ConsoleSettings,
    RejectedDelivery,
    SyncRun,
)

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz -_0123456789", min_size=1, max_size=12).map(
    lambda s: f"x{s.strip()}"
)
free_text = st.text(max_size=30)
ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10)
name_sets = st.frozensets(names, max_size=4)
limits = st.floats(min_value=0, max_value=100, allow_nan=False) | st.integers(0, 100)
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1))
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
# Fixed offsets only: datetimes in a zone's DST fold never compare equal across zones.
aware = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=offsets
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | free_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ids, inner, max_size=3),
    max_leaves=8,
)
json_dicts = st.dictionaries(ids, json_values, max_size=4)


@st.composite
def date_ranges(draw: st.DrawFn) -> tuple[dt.date, dt.date]:
    start = draw(dates)
    return start, start + dt.timedelta(days=draw(st.integers(0, 400)))


@st.composite
def advisers(draw: st.DrawFn) -> Adviser:
    start, end = draw(date_ranges())
    return Adviser(
        id=draw(ids),
        name=draw(free_text),
        email=draw(free_text),
        taking_on_clients=draw(st.booleans()),
        service_packages=draw(name_sets),
        household_types=draw(name_sets),
        pod_type=draw(names),
        monthly_limit=draw(st.none() | limits),
        start_date=draw(st.none() | st.just(start)),
        end_date=draw(st.none() | st.just(end)),
        region=draw(st.none() | names),
    )


@st.composite
def meetings(draw: st.DrawFn) -> Meeting:
    kind = draw(st.sampled_from(["clarify", "kickoff", "Kick Off", " Clarify "]))
    return Meeting(draw(ids), draw(ids), draw(aware), kind, draw(st.none() | ids))


@st.composite
def leaves(draw: st.DrawFn) -> Leave:
    start, end = draw(date_ranges())
    fraction = draw(st.floats(min_value=0.01, max_value=1.0, allow_nan=False))
    return Leave(draw(ids), draw(ids), start, end, fraction)


@st.composite
def closures(draw: st.DrawFn) -> Closure:
    start, end = draw(date_ranges())
    return Closure(draw(ids), start, end, draw(free_text), draw(name_sets), draw(name_sets))


@st.composite
def overrides(draw: st.DrawFn) -> Override:
    start, end = draw(date_ranges())
    return Override(draw(ids), draw(ids), start, draw(limits), draw(st.none() | st.just(end)))


pendings = st.builds(PendingDeal, ids, ids, dates)


@st.composite
def rules(draw: st.DrawFn) -> Rules:
    return Rules(
        timezone=draw(st.sampled_from(["Australia/Sydney", "UTC", "Australia/Perth"])),
        buffer_weeks=draw(st.integers(0, 8)),
        agreement_lag_weeks=draw(st.integers(0, 8)),
        horizon_weeks=draw(st.integers(1, 104)),
        history_weeks=draw(st.integers(0, 8)),
        default_monthly_limit=draw(limits),
        pod_monthly_limits=draw(st.dictionaries(names, limits, max_size=3)),
        burst_weeks=draw(st.floats(min_value=0.5, max_value=8, allow_nan=False)),
        weekly_max_new=draw(st.integers(0, 5)),
        meeting_weights=draw(st.dictionaries(names, limits, max_size=3)),
        prestart_weeks=draw(st.integers(0, 8)),
        household_exempt_packages=draw(name_sets),
    )


settings = st.builds(
    ConsoleSettings,
    rules=rules(),
    editors=st.tuples(free_text),
    allowed_emails=st.lists(free_text, max_size=3).map(tuple),
    allowed_domains=st.lists(names, max_size=3).map(tuple),
    writeback_property=st.sampled_from(["advisor", "hubspot_owner_id"]),
    stale_after_hours=st.integers(1, 100),
    service_packages=st.lists(names, min_size=1, max_size=5).map(tuple),
    household_types=st.lists(names, min_size=1, max_size=3).map(tuple),
)


@st.composite
def allocations(draw: st.DrawFn) -> AllocationRecord:
    allocated = draw(st.booleans())
    explanation = st.fixed_dictionaries(
        {
            "adviser_id": ids,
            "eligible": st.booleans(),
            "reason": free_text,
            "earliest_week": st.none() | dates.map(dt.date.isoformat),
            "utilisation": st.none() | st.floats(0, 10, allow_nan=False),
            "blocked_weeks": st.lists(st.tuples(dates.map(dt.date.isoformat), free_text).map(list)),
        }
    )
    return AllocationRecord(
        deal_id=draw(ids),
        status=draw(st.sampled_from(["allocated", "writeback_pending"]))
        if allocated
        else "unallocated",
        adviser_id=draw(ids) if allocated else None,
        week=draw(dates) if allocated else None,
        service_package=draw(names),
        household_type=draw(st.none() | names),
        agreement_start=draw(st.none() | dates),
        decided_at=draw(aware),
        source=draw(st.sampled_from(["webhook", "console", "demo", "reassign:ann"])),
        explanation=tuple(draw(st.lists(explanation, max_size=3))),
        writeback_attempts=draw(st.integers(0, 9)),
        last_error=draw(st.none() | free_text),
        note=draw(free_text),
        lease_until=draw(st.none() | aware),
        next_attempt_at=draw(st.none() | aware),
        version=draw(ids),
    )


audits = st.builds(
    AuditEntry,
    at=aware,
    actor=free_text,
    action=names,
    entity=names,
    entity_id=ids,
    before=st.none() | json_dicts,
    after=st.none() | json_dicts,
    id=ids,
)
sync_runs = st.builds(
    SyncRun,
    id=ids,
    source=names,
    started_at=aware,
    actor=free_text,
    status=st.sampled_from(["running", "ok", "failed"]),
    finished_at=st.none() | aware,
    added=st.integers(0, 999),
    updated=st.integers(0, 999),
    removed=st.integers(0, 999),
    errors=st.lists(free_text, max_size=3).map(tuple),
)

rejections = st.builds(
    RejectedDelivery,
    id=ids,
    reason=free_text,
    received_at=aware,
    deal_id=st.none() | ids,
    fields=st.dictionaries(free_text, free_text, max_size=4),
    source=names,
    status=st.sampled_from(["open", "resolved"]),
    times=st.integers(1, 99),
    resolution=free_text,
)


def through_json(
    value: Any, to_dict: Callable[[Any], dict[str, Any]], from_dict: Callable[..., Any]
) -> Any:
    return from_dict(json.loads(json.dumps(to_dict(value), allow_nan=False)))


@given(advisers())
def test_adviser_survives_json(a: Adviser) -> None:
    assert through_json(a, codec.adviser_to_dict, codec.adviser_from_dict) == a


@given(meetings())
def test_meeting_survives_json_at_the_same_instant(m: Meeting) -> None:
    back = through_json(m, codec.meeting_to_dict, codec.meeting_from_dict)
    assert back == m
    assert back.start.utcoffset() == dt.timedelta(0)


@given(leaves())
def test_leave_survives_json(lv: Leave) -> None:
    assert through_json(lv, codec.leave_to_dict, codec.leave_from_dict) == lv


@given(closures())
def test_closure_survives_json(c: Closure) -> None:
    assert through_json(c, codec.closure_to_dict, codec.closure_from_dict) == c


@given(overrides())
def test_override_survives_json(o: Override) -> None:
    assert through_json(o, codec.override_to_dict, codec.override_from_dict) == o


@given(pendings)
def test_pending_deal_survives_json(p: PendingDeal) -> None:
    assert through_json(p, codec.pending_to_dict, codec.pending_from_dict) == p


@given(rules())
def test_rules_survive_json(r: Rules) -> None:
    assert through_json(r, codec.rules_to_dict, codec.rules_from_dict) == r


@given(settings)
def test_console_settings_survive_json(s: ConsoleSettings) -> None:
    assert through_json(s, codec.settings_to_dict, codec.settings_from_dict) == s


@given(allocations())
def test_allocation_record_survives_json(a: AllocationRecord) -> None:
    assert through_json(a, codec.allocation_to_dict, codec.allocation_from_dict) == a


@given(rejections)
def test_rejected_delivery_survives_json(r: RejectedDelivery) -> None:
    assert through_json(r, codec.rejection_to_dict, codec.rejection_from_dict) == r


@given(audits)
def test_audit_entry_survives_json(e: AuditEntry) -> None:
    assert through_json(e, codec.audit_to_dict, codec.audit_from_dict) == e


@given(sync_runs)
def test_sync_run_survives_json(r: SyncRun) -> None:
    assert through_json(r, codec.sync_run_to_dict, codec.sync_run_from_dict) == r


def test_sets_are_stored_as_sorted_lists_so_equal_records_store_identically() -> None:
    c = Closure("c1", dt.date(2025, 1, 1), dt.date(2025, 1, 2), regions=frozenset({"NSW", "ACT"}))
    assert codec.closure_to_dict(c)["regions"] == ["ACT", "NSW"]


def test_datetimes_are_stored_in_utc() -> None:
    sydney = dt.timezone(dt.timedelta(hours=10))
    run = SyncRun("r1", "leave", dt.datetime(2025, 3, 3, 9, 30, tzinfo=sydney), "ann")
    assert codec.sync_run_to_dict(run)["started_at"] == "2025-03-02T23:30:00+00:00"


def test_a_naive_datetime_is_taken_as_utc() -> None:
    assert codec.datetime_out(dt.datetime(2025, 3, 3, 9, 30)) == "2025-03-03T09:30:00+00:00"


def test_settings_saved_without_newer_rule_keys_load_with_defaults() -> None:
    loaded = codec.settings_from_dict({"rules": {"buffer_weeks": 3}})
    assert loaded.rules == Rules(buffer_weeks=3)
    assert loaded.writeback_property == ConsoleSettings().writeback_property


def test_settings_saved_before_the_catalogue_was_a_setting_load_the_default_catalogue() -> None:
    loaded = codec.settings_from_dict({"rules": {}, "editors": ["ann@firm.au"]})
    assert loaded.service_packages == ("Seed", "Series A", "Series B", "Series C", "IPO")
    assert loaded.household_types == ("Single", "Couple")
    assert loaded.editors == ("ann@firm.au",)


def test_the_catalogue_keeps_the_order_it_was_saved_in() -> None:
    saved = ConsoleSettings(service_packages=("IPO", "Seed"), household_types=("Couple",))
    stored = codec.settings_to_dict(saved)
    assert stored["service_packages"] == ["IPO", "Seed"]
    assert codec.settings_from_dict(stored) == saved
