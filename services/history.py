"""Following allocations: history with filters, the queues ops work from, audit, a monthly chart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

import pandas as pd

from allocation import Adviser, normalise
from services import audit_words, words
from services.explanation import blocked_count, candidate_words
from services.ports import Store
from services.records import (
    UNALLOCATED,
    WRITEBACK_FAILED,
    WRITEBACK_PENDING,
    AllocationRecord,
    AuditEntry,
)

HISTORY_LIMIT = 5000
ALLOCATION_COLUMNS = [
    "deal_id", "decided_at", "status", "adviser_id", "adviser", "week", "service_package",
    "household_type", "agreement_start", "source", "writeback_attempts", "last_error", "note",
]  # fmt: skip


@dataclass(frozen=True)
class AllocationFilter:
    since: dt.date | None = None  # decided on or after (UTC date)
    until: dt.date | None = None  # decided on or before (UTC date)
    adviser_id: str | None = None
    package: str | None = None
    status: str | None = None


def _utc_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def list_allocations(store: Store, wanted: AllocationFilter) -> list[AllocationRecord]:
    """Newest first. Dates, adviser and status are asked of the store; package is checked here."""
    records = store.list_allocations(
        since=_utc_start(wanted.since) if wanted.since else None,
        until=_utc_start(wanted.until + dt.timedelta(days=1)) if wanted.until else None,
        status=wanted.status or None,
        adviser_id=wanted.adviser_id or None,
        limit=HISTORY_LIMIT,
    )
    if wanted.package:
        package = normalise(wanted.package)
        records = [r for r in records if normalise(r.service_package) == package]
    return records


def queue(store: Store, status: str) -> list[AllocationRecord]:
    """Deals nobody could take (``unallocated``), whose write-back is waiting in the outbox,
    or whose write-back the outbox gave up on."""
    if status not in (UNALLOCATED, WRITEBACK_PENDING, WRITEBACK_FAILED):
        raise ValueError(f"no queue for status {status!r}")
    return store.list_allocations(status=status, limit=HISTORY_LIMIT)


def allocations_frame(
    records: Sequence[AllocationRecord], advisers: Sequence[Adviser], zone: tzinfo = dt.UTC
) -> pd.DataFrame:
    """Decisions as people read them: when in the firm's timezone, status and source in words,
    the adviser's name (their id kept as a column for exports), empty cells empty."""
    names = {a.id: a.name for a in advisers}
    rows = [
        {
            "deal_id": r.deal_id,
            "decided_at": words.moment(r.decided_at, zone),
            "status": words.status_words(r.status),
            "adviser_id": r.adviser_id or "",
            "adviser": names.get(r.adviser_id, r.adviser_id) if r.adviser_id else "",
            "week": words.day(r.week),
            "service_package": r.service_package,
            "household_type": r.household_type or "Any",
            "agreement_start": words.day(r.agreement_start),
            "source": words.source_words(r.source),
            "writeback_attempts": r.writeback_attempts,
            "last_error": r.last_error or "",
            "note": r.note or "",
        }
        for r in records
    ]
    return pd.DataFrame(rows, columns=ALLOCATION_COLUMNS)


def explanation_frame(record: AllocationRecord, advisers: Sequence[Adviser]) -> pd.DataFrame:
    """The stored explanation of one decision, ranked, with adviser names."""
    names = {a.id: a.name for a in advisers}
    rows = [
        {
            "rank": n,
            "adviser": names.get(c.get("adviser_id", ""), c.get("adviser_id")),
            "eligible": c.get("eligible"),
            "earliest_week": c.get("earliest_week"),
            "utilisation": c.get("utilisation"),
            "why": candidate_words(c),
            "blocked_weeks": blocked_count(c),
        }
        for n, c in enumerate(record.explanation, start=1)
    ]
    return pd.DataFrame(rows)


def per_adviser_month(
    records: Sequence[AllocationRecord], advisers: Sequence[Adviser]
) -> pd.DataFrame:
    """Allocations per adviser per month of decision: columns ``month``, ``adviser``, ``count``."""
    names = {a.id: a.name for a in advisers}
    rows = [
        {
            "month": r.decided_at.date().replace(day=1),
            "adviser": names.get(r.adviser_id, r.adviser_id),
        }
        for r in records
        if r.adviser_id is not None
    ]
    frame = pd.DataFrame(rows, columns=["month", "adviser"])
    counted = frame.groupby(["month", "adviser"], as_index=False).size()
    return counted.rename(columns={"size": "count"}).sort_values(
        ["month", "adviser"], ignore_index=True
    )


AUDIT_COLUMNS = ["When", "Who", "What", "Change"]


def audit_frame(
    entries: Sequence[AuditEntry], advisers: Sequence[Adviser] = (), zone: tzinfo = dt.UTC
) -> pd.DataFrame:
    """The audit log as people read it: when (the firm's timezone), who, what was done in
    words ("Added closure") and the change described with adviser names."""
    names = {a.id: a.name for a in advisers}
    rows = audit_words.audit_rows(list(entries), names, zone)
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)
