"""Every stored record as a JSON-ready dict and back, so all stores save records the same way.

Dates are ISO strings, datetimes aware ISO strings in UTC (a naive datetime is taken to be
UTC already, as every record documents its datetimes as UTC), frozensets sorted lists and
tuples lists. ``x_from_dict(x_to_dict(r)) == r`` for every record ``r``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, cast

from allocation import (
    Adviser,
    Closure,
    Leave,
    Meeting,
    MeetingTable,
    Override,
    PendingDeal,
    Rules,
)
from services import explanation
from services.records import (
    AllocationRecord,
    AllocationStatus,
    AuditEntry,
    ConsoleSettings,
    RejectedDelivery,
    RejectionStatus,
    SyncRun,
)

Json = dict[str, Any]


# --- scalar helpers ------------------------------------------------------------------------


def date_out(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def date_in(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def datetime_out(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.utcoffset() is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def datetime_in(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    parsed = dt.datetime.fromisoformat(value)
    if parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _datetime(value: str) -> dt.datetime:
    parsed = datetime_in(value)
    assert parsed is not None
    return parsed


def _sorted(values: Iterable[str]) -> list[str]:
    return sorted(values)


# --- core records -------------------------------------------------------------------------


def adviser_to_dict(a: Adviser) -> Json:
    return {
        "id": a.id,
        "name": a.name,
        "email": a.email,
        "taking_on_clients": a.taking_on_clients,
        "service_packages": _sorted(a.service_packages),
        "household_types": _sorted(a.household_types),
        "pod_type": a.pod_type,
        "monthly_limit": a.monthly_limit,
        "start_date": date_out(a.start_date),
        "end_date": date_out(a.end_date),
        "region": a.region,
    }


def adviser_from_dict(d: Mapping[str, Any]) -> Adviser:
    return Adviser(
        id=d["id"],
        name=d["name"],
        email=d["email"],
        taking_on_clients=bool(d.get("taking_on_clients", True)),
        service_packages=frozenset(d.get("service_packages") or ()),
        household_types=frozenset(d.get("household_types") or ()),
        pod_type=d.get("pod_type", "Standard"),
        monthly_limit=d.get("monthly_limit"),
        start_date=date_in(d.get("start_date")),
        end_date=date_in(d.get("end_date")),
        region=d.get("region"),
    )


def meeting_to_dict(m: Meeting) -> Json:
    return {
        "id": m.id,
        "adviser_id": m.adviser_id,
        "start": datetime_out(m.start),
        "kind": m.kind,
        "deal_id": m.deal_id,
    }


def meeting_table_from_dicts(rows: Iterable[Mapping[str, Any]]) -> MeetingTable:
    """Stored meetings as columns, with no ``Meeting`` object made on the way."""
    ordered = sorted(rows, key=lambda r: str(r["id"]))
    return MeetingTable.from_columns(
        [r["id"] for r in ordered],
        [r["adviser_id"] for r in ordered],
        [int(_datetime(r["start"]).timestamp()) for r in ordered],
        [r["kind"] for r in ordered],
        [r.get("deal_id") for r in ordered],
    )


def meeting_from_dict(d: Mapping[str, Any]) -> Meeting:
    return Meeting(
        id=d["id"],
        adviser_id=d["adviser_id"],
        start=_datetime(d["start"]),
        kind=d["kind"],
        deal_id=d.get("deal_id"),
    )


def leave_to_dict(lv: Leave) -> Json:
    return {
        "id": lv.id,
        "adviser_id": lv.adviser_id,
        "start": lv.start.isoformat(),
        "end": lv.end.isoformat(),
        "day_fraction": lv.day_fraction,
    }


def leave_from_dict(d: Mapping[str, Any]) -> Leave:
    return Leave(
        id=d["id"],
        adviser_id=d["adviser_id"],
        start=_date(d["start"]),
        end=_date(d["end"]),
        day_fraction=float(d.get("day_fraction", 1.0)),
    )


def closure_to_dict(c: Closure) -> Json:
    return {
        "id": c.id,
        "start": c.start.isoformat(),
        "end": c.end.isoformat(),
        "description": c.description,
        "adviser_ids": _sorted(c.adviser_ids),
        "regions": _sorted(c.regions),
    }


def closure_from_dict(d: Mapping[str, Any]) -> Closure:
    return Closure(
        id=d["id"],
        start=_date(d["start"]),
        end=_date(d["end"]),
        description=d.get("description", ""),
        adviser_ids=frozenset(d.get("adviser_ids") or ()),
        regions=frozenset(d.get("regions") or ()),
    )


def override_to_dict(o: Override) -> Json:
    return {
        "id": o.id,
        "adviser_id": o.adviser_id,
        "start": o.start.isoformat(),
        "monthly_limit": o.monthly_limit,
        "end": date_out(o.end),
    }


def override_from_dict(d: Mapping[str, Any]) -> Override:
    return Override(
        id=d["id"],
        adviser_id=d["adviser_id"],
        start=_date(d["start"]),
        monthly_limit=d["monthly_limit"],
        end=date_in(d.get("end")),
    )


def pending_to_dict(p: PendingDeal) -> Json:
    return {"deal_id": p.deal_id, "adviser_id": p.adviser_id, "week": p.week.isoformat()}


def pending_from_dict(d: Mapping[str, Any]) -> PendingDeal:
    return PendingDeal(deal_id=d["deal_id"], adviser_id=d["adviser_id"], week=_date(d["week"]))


def rules_to_dict(r: Rules) -> Json:
    return {
        "timezone": r.timezone,
        "buffer_weeks": r.buffer_weeks,
        "agreement_lag_weeks": r.agreement_lag_weeks,
        "horizon_weeks": r.horizon_weeks,
        "history_weeks": r.history_weeks,
        "default_monthly_limit": r.default_monthly_limit,
        "pod_monthly_limits": dict(r.pod_monthly_limits),
        "burst_weeks": r.burst_weeks,
        "weekly_max_new": r.weekly_max_new,
        "meeting_weights": dict(r.meeting_weights),
        "prestart_weeks": r.prestart_weeks,
        "household_exempt_packages": _sorted(r.household_exempt_packages),
    }


def rules_from_dict(d: Mapping[str, Any]) -> Rules:
    # Missing keys fall back to the core's defaults, so settings saved by an older console load.
    known = {k: d[k] for k in rules_to_dict(Rules()) if k in d}
    if "household_exempt_packages" in known:
        known["household_exempt_packages"] = frozenset(known["household_exempt_packages"] or ())
    return Rules(**known)


# --- console records ----------------------------------------------------------------------


def settings_to_dict(s: ConsoleSettings) -> Json:
    return {
        "rules": rules_to_dict(s.rules),
        "editors": list(s.editors),
        "allowed_emails": list(s.allowed_emails),
        "allowed_domains": list(s.allowed_domains),
        "writeback_property": s.writeback_property,
        "stale_after_hours": s.stale_after_hours,
        "service_packages": list(s.service_packages),
        "household_types": list(s.household_types),
    }


def settings_from_dict(d: Mapping[str, Any]) -> ConsoleSettings:
    defaults = ConsoleSettings()
    return ConsoleSettings(
        rules=rules_from_dict(d.get("rules") or {}),
        editors=tuple(d.get("editors") or ()),
        allowed_emails=tuple(d.get("allowed_emails") or ()),
        allowed_domains=tuple(d.get("allowed_domains") or ()),
        writeback_property=d.get("writeback_property", defaults.writeback_property),
        stale_after_hours=int(d.get("stale_after_hours", defaults.stale_after_hours)),
        # Settings saved before the catalogue was a setting have none: the defaults apply.
        service_packages=tuple(d.get("service_packages") or defaults.service_packages),
        household_types=tuple(d.get("household_types") or defaults.household_types),
    )


def allocation_to_dict(a: AllocationRecord) -> Json:
    return {
        "deal_id": a.deal_id,
        "status": a.status,
        "adviser_id": a.adviser_id,
        "week": date_out(a.week),
        "service_package": a.service_package,
        "household_type": a.household_type,
        "agreement_start": date_out(a.agreement_start),
        "decided_at": datetime_out(a.decided_at),
        "source": a.source,
        "explanation": explanation.packed_text(a.explanation),
        "writeback_attempts": a.writeback_attempts,
        "last_error": a.last_error,
        "note": a.note,
        "lease_until": datetime_out(a.lease_until),
        "next_attempt_at": datetime_out(a.next_attempt_at),
    }


def allocation_from_dict(d: Mapping[str, Any]) -> AllocationRecord:
    return AllocationRecord(
        deal_id=d["deal_id"],
        status=cast(AllocationStatus, d["status"]),
        adviser_id=d.get("adviser_id"),
        week=date_in(d.get("week")),
        service_package=d["service_package"],
        household_type=d.get("household_type"),
        agreement_start=date_in(d.get("agreement_start")),
        decided_at=_datetime(d["decided_at"]),
        source=d["source"],
        explanation=explanation.stored(d.get("explanation")),
        writeback_attempts=int(d.get("writeback_attempts", 0)),
        last_error=d.get("last_error"),
        note=d.get("note", ""),
        lease_until=datetime_in(d.get("lease_until")),
        next_attempt_at=datetime_in(d.get("next_attempt_at")),
    )


def rejection_to_dict(r: RejectedDelivery) -> Json:
    return {
        "id": r.id,
        "reason": r.reason,
        "received_at": datetime_out(r.received_at),
        "deal_id": r.deal_id,
        # A list, not a map: what arrived may name fields no store takes as a key ("", "__x__"),
        # and of small maps, as Firestore refuses arrays inside arrays.
        "fields": [{"name": k, "value": v} for k, v in r.fields.items()],
        "source": r.source,
        "status": r.status,
        "times": r.times,
        "resolution": r.resolution,
    }


def _pairs(value: Any) -> list[tuple[Any, Any]]:
    if isinstance(value, Mapping):
        return list(value.items())
    return [(item.get("name"), item.get("value")) for item in value or ()]


def rejection_from_dict(d: Mapping[str, Any]) -> RejectedDelivery:
    return RejectedDelivery(
        id=d["id"],
        reason=d["reason"],
        received_at=_datetime(d["received_at"]),
        deal_id=d.get("deal_id"),
        fields={str(k): str(v) for k, v in _pairs(d.get("fields"))},
        source=d.get("source", "webhook"),
        status=cast(RejectionStatus, d.get("status", "open")),
        times=int(d.get("times", 1)),
        resolution=d.get("resolution", ""),
    )


def audit_to_dict(e: AuditEntry) -> Json:
    return {
        "id": e.id,
        "at": datetime_out(e.at),
        "actor": e.actor,
        "action": e.action,
        "entity": e.entity,
        "entity_id": e.entity_id,
        "before": e.before,
        "after": e.after,
    }


def audit_from_dict(d: Mapping[str, Any]) -> AuditEntry:
    return AuditEntry(
        at=_datetime(d["at"]),
        actor=d["actor"],
        action=d["action"],
        entity=d["entity"],
        entity_id=d["entity_id"],
        before=d.get("before"),
        after=d.get("after"),
        id=d.get("id", ""),
    )


def sync_run_to_dict(r: SyncRun) -> Json:
    return {
        "id": r.id,
        "source": r.source,
        "started_at": datetime_out(r.started_at),
        "actor": r.actor,
        "status": r.status,
        "finished_at": datetime_out(r.finished_at),
        "added": r.added,
        "updated": r.updated,
        "removed": r.removed,
        "errors": list(r.errors),
    }


def sync_run_from_dict(d: Mapping[str, Any]) -> SyncRun:
    return SyncRun(
        id=d["id"],
        source=d["source"],
        started_at=_datetime(d["started_at"]),
        actor=d["actor"],
        status=d.get("status", "running"),
        finished_at=datetime_in(d.get("finished_at")),
        added=int(d.get("added", 0)),
        updated=int(d.get("updated", 0)),
        removed=int(d.get("removed", 0)),
        errors=tuple(d.get("errors") or ()),
    )
