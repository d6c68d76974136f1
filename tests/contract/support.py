"""Records and helpers the contract tests share; nothing here knows which store it talks to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from allocation import Decision
from services.booking import record_as_decided
from services.ports import Store
from services.records import AllocationRecord, candidates_to_dicts

UTC = dt.UTC
NOON = dt.datetime(2026, 3, 11, 12, 0, tzinfo=UTC)


def at(minutes: int) -> dt.datetime:
    """A fixed instant, ``minutes`` after noon on the contract's day."""
    return NOON + dt.timedelta(minutes=minutes)


def allocation(
    deal_id: str,
    adviser_id: str | None = "dana",
    week: dt.date | None = dt.date(2026, 3, 23),
    minutes: int = 0,
    **changes: Any,
) -> AllocationRecord:
    fields: dict[str, Any] = {
        "deal_id": deal_id,
        "status": "allocated" if adviser_id else "unallocated",
        "adviser_id": adviser_id,
        "week": week if adviser_id else None,
        "service_package": "Series A",
        "household_type": "Couple",
        "agreement_start": dt.date(2026, 3, 16),
        "decided_at": at(minutes),
        "source": "webhook",
        "explanation": (
            {
                "adviser_id": "dana",
                "eligible": True,
                "reason": None,
                "earliest_week": "2026-03-23",
                "utilisation": 0.5,
                "blocked_weeks": [["2026-03-16", "weekly_max"]],
            },
        ),
    }
    return AllocationRecord(**(fields | changes))


def record_of(decision: Decision, package: str, decided_at: dt.datetime) -> AllocationRecord:
    return AllocationRecord(
        deal_id=decision.deal_id,
        status="allocated" if decision.allocated else "unallocated",
        adviser_id=decision.adviser_id,
        week=decision.week,
        service_package=package,
        household_type=None,
        agreement_start=None,
        decided_at=decided_at,
        source="webhook",
        explanation=candidates_to_dicts(decision),
    )


def by_id(records: Iterable[Any], key: str = "id") -> dict[str, Any]:
    return {getattr(r, key): r for r in records}


def record(store: Store, value: AllocationRecord) -> AllocationRecord:
    """Book ``value`` on whatever the store holds now (the caller decided on fresh data)."""
    return record_as_decided(store, value)


def load_version(store: Store, adviser_id: str) -> str:
    """The version of one adviser's booked load, as a decider would have seen it now."""
    found = [a for a in store.booked_loads().loads if a.adviser_id == adviser_id]
    return found[0].version if found else "0"
