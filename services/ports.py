"""The ports the use cases talk through. Adapters live in ``integrations/``; fakes in ``tests/``.

Every store (in-memory fake, SQLite, Firestore) keeps the same promises, checked by one
contract test suite:

- edits carry the version their reader saw and are refused with ``StaleEdit`` (naming the
  record) when it changed since; a batch is applied whole or not at all, with its audit entries;
- ``record_allocation`` is one transaction: it refuses a deal that is already recorded
  (``AlreadyRecorded`` carrying the existing record) and refuses a decision made on data older
  than the current ``data_version`` (``StaleEdit``), so the caller re-decides and no
  adviser-week is overbooked by two deals decided at once;
- ``data_version`` changes on every write that changes what ``load_snapshot`` reads or what a
  decision depends on: advisers, meetings, leave, closures, overrides, pending deals and
  settings. That includes the pending load of ``record_allocation`` (a booking adds one; an
  unallocated decision removes the deal's pending row if it had one) and of
  ``update_allocation`` when it adds, moves or removes one. Bookkeeping leaves it alone: audit
  entries, sync runs, tokens, override notes, and allocation updates that keep the pending load
  (write-back outcomes: status, attempts, last error). So a cached snapshot reloads, and a
  decision is refused as stale, only when its inputs really moved;
- ``reads`` counts round trips to the backing store, for the benchmark.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol

from allocation import Adviser, Closure, Leave, Meeting, Override, PendingDeal
from services.records import (
    AllocationRecord,
    AuditEntry,
    ChangeCounts,
    ConsoleSettings,
    EditBatch,
    LeaveRequest,
    OpenDeal,
    SyncRun,
    Versioned,
)


class ReferenceData(Protocol):
    """The core's inputs: synced from HubSpot / Employment Hero, or edited in the console."""

    def list_advisers(self) -> list[Adviser]: ...

    def replace_advisers(self, advisers: Sequence[Adviser]) -> ChangeCounts: ...

    def list_meetings(self, start: dt.date, end: dt.date) -> list[Meeting]:
        """Meetings whose UTC start date lies in [start, end)."""
        ...

    def replace_meetings(
        self, meetings: Sequence[Meeting], start: dt.date, end: dt.date
    ) -> ChangeCounts:
        """Make the meetings starting in [start, end) exactly ``meetings``; others untouched."""
        ...

    def list_leave(self) -> list[Leave]: ...

    def add_manual_leave(self, leave: Leave) -> None:
        """Leave entered in the console rather than synced; no sync removes it."""
        ...

    def replace_synced_leave(self, leave: Sequence[Leave], since: dt.date) -> ChangeCounts:
        """Replace synced leave ending on or after ``since``; manual leave is untouched."""
        ...

    def list_pending(self) -> list[PendingDeal]: ...

    def replace_open_deals(self, pending: Sequence[PendingDeal]) -> ChangeCounts:
        """Replace the pending deals synced from HubSpot; those our bookings made stay."""
        ...

    def drop_pending(self, deal_ids: Sequence[str]) -> int:
        """Forget pending deals whose Clarify is now booked."""
        ...


class Editable(Protocol):
    def list_closures(self) -> list[Versioned[Closure]]: ...

    def save_closures(self, batch: EditBatch[Closure], actor: str) -> None: ...

    def list_overrides(self) -> list[Versioned[Override]]: ...

    def save_overrides(self, batch: EditBatch[Override], actor: str) -> None: ...

    def override_notes(self) -> dict[str, str]:
        """Free-text notes kept beside overrides, by override id."""
        ...

    def set_override_note(self, override_id: str, note: str) -> None: ...

    def get_settings(self) -> Versioned[ConsoleSettings]: ...

    def save_settings(self, settings: ConsoleSettings, version: str, actor: str) -> None: ...


class Allocations(Protocol):
    def get_allocation(self, deal_id: str) -> AllocationRecord | None: ...

    def list_allocations(
        self,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        status: str | None = None,
        adviser_id: str | None = None,
        limit: int = 1000,
    ) -> list[AllocationRecord]:
        """Newest first."""
        ...

    def record_allocation(self, record: AllocationRecord, based_on: str) -> AllocationRecord:
        """Record a new decision and its pending load atomically (see module docstring)."""
        ...

    def update_allocation(self, record: AllocationRecord, actor: str, reason: str = "") -> None:
        """Change an existing record (write-back outcome, re-assignment); keeps pending in step
        and writes an audit entry when ``actor`` is a person. The pending row (and the data
        version) is touched only when the record's pending load changes."""
        ...


class History(Protocol):
    def append_audit(self, entry: AuditEntry) -> None: ...

    def list_audit(self, entity: str | None = None, limit: int = 50) -> list[AuditEntry]: ...

    def start_sync(self, source: str, actor: str, now: dt.datetime) -> SyncRun:
        """Open a run; raises ``SyncInProgress`` while another run of ``source`` is running
        (a run left 'running' for over an hour counts as abandoned)."""
        ...

    def finish_sync(self, run: SyncRun) -> None: ...

    def list_sync_runs(self, source: str | None = None, limit: int = 50) -> list[SyncRun]: ...


class Tokens(Protocol):
    def load_token(self, name: str) -> dict[str, Any] | None: ...

    def save_token(self, name: str, token: dict[str, Any]) -> None: ...

    def take_token(self, name: str) -> dict[str, Any] | None:
        """Read and delete in one atomic step: of several callers taking the same token at
        once, exactly one gets it (a one-time secret such as a PKCE verifier); the others,
        and every later caller, get None."""
        ...


class Store(ReferenceData, Editable, Allocations, History, Tokens, Protocol):
    """Everything the use cases keep. ``data_version`` changes whenever a decision's inputs
    change (see the module docstring), and only then."""

    reads: int

    def data_version(self) -> str: ...

    def is_empty(self) -> bool:
        """True when no advisers are stored (a fresh embedded store, before demo data)."""
        ...

    def ping(self) -> bool: ...


class Notifier(Protocol):
    """Google Chat (or nothing). Implementations never raise: a failed post is only logged."""

    def decision(self, record: AllocationRecord) -> None: ...

    def writeback_failed(self, record: AllocationRecord, error: str) -> None: ...

    def sync_failed(self, run: SyncRun) -> None: ...


class Crm(Protocol):
    """HubSpot. Errors: ``UpstreamUnavailable`` after retries, ``UpstreamRejected``,
    ``MalformedReply`` (all from ``integrations.errors``)."""

    def fetch_advisers(self) -> list[Adviser]: ...

    def fetch_meetings(self, start: dt.date, end: dt.date) -> list[Meeting]:
        """Clarify and Kick Off meetings starting in [start, end), every owner."""
        ...

    def fetch_open_deals(self) -> list[OpenDeal]: ...

    def read_deal(self, deal_id: str, properties: Sequence[str]) -> dict[str, str | None]: ...

    def write_adviser(self, deal_id: str, adviser_id: str, property_name: str) -> None: ...


class LeaveSource(Protocol):
    """Employment Hero: approved leave overlapping [since, until]."""

    def fetch_leave(self, since: dt.date, until: dt.date) -> list[LeaveRequest]: ...


class HolidayCalendar(Protocol):
    """Weekday public holidays as closures scoped to the subdivision's region."""

    def __call__(self, country: str, subdivision: str | None, year: int) -> list[Closure]: ...
