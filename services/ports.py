"""The ports the use cases talk through. Adapters live in ``integrations/``; fakes in ``tests/``.

A store is one part per port (``ReferenceData``, ``Editable``, ``Allocations``, ``Rejections``,
``History``, ``Tokens``, ``Trends``, ``Health``, ``Folders``) sharing its backend's file,
client or in-memory state; ``ComposedStore`` assembles the parts into the flat ``Store`` the
use cases call. Each backend keeps its parts in modules of the same names (``integrations/sqlite/``,
``integrations/firestore/``, ``tests/fakes/``: ``reference.py``, ``edits.py``, ...).

Every store (in-memory fake, SQLite, Firestore) keeps the same promises, checked by one
contract test suite:

- edits carry the version their reader saw and are refused with ``Conflict`` (naming the
  record) when it changed since; a batch is applied whole or not at all, with its audit entries;
- ``record_allocation`` is one transaction: it refuses a deal that is already recorded
  (``AlreadyRecorded`` carrying the existing record), and a booking made on an out-of-date
  picture of *the chosen adviser's* booked load (``Conflict``), so the caller re-decides and
  no adviser-week is overbooked by two deals decided at once. Bookings for different advisers
  never refuse each other: there is no firm-wide document every booking writes;
- every change to a recorded decision (``update_allocation``) is a compare-and-set on the
  record's ``version``: a writer holding a stale copy is refused (``Conflict``) and never
  reverts someone else's change;
- ``data_version`` (the *reference* version) changes on every write of a decision's inputs
  other than our own bookings: advisers, meetings, leave, closures, overrides, open deals
  synced from HubSpot, and settings. Bookings, re-assignments and unallocations move only the
  adviser's booked load, which ``booked_loads(since=watermark)`` reports incrementally, so a
  process that cached the firm reads only what changed. Bookkeeping moves neither: audit
  entries, sync runs, tokens, override notes, write-back outcomes;
- ``reads`` counts the documents (rows) read, as Firestore bills them: at least one per query,
  one per document fetched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from allocation import Adviser, Closure, Leave, Meeting, MeetingTable, Override, PendingDeal
from services.folder_records import BoxItem, FolderRecord
from services.records import (
    AdviserEdit,
    AllocationRecord,
    AuditEntry,
    ChangeCounts,
    ConsoleSettings,
    EditBatch,
    ExcludedRecord,
    LeaveRequest,
    LoadChanges,
    OpenDeal,
    OutlookDay,
    RejectedDelivery,
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

    def meeting_table(self, start: dt.date, end: dt.date) -> MeetingTable:
        """The same meetings as ``list_meetings``, as columns (no object per meeting): how a
        snapshot is loaded, which is most of what a cold decision costs."""
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

    def list_pending(self) -> list[PendingDeal]:
        """Every pending deal: the open deals synced from HubSpot and our own bookings."""
        ...

    def list_open_deals(self) -> list[PendingDeal]:
        """Only the pending deals synced from HubSpot (our bookings are in ``booked_loads``)."""
        ...

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


class AdviserEdits(Protocol):
    """What the firm sets per adviser on the Advisers page (region, pod, limit, end date,
    Employment Hero alias, notes), kept apart from the synced advisers so no sync overwrites
    it. Versioned, all-or-nothing and audited like closures; a save moves the data version."""

    def list_adviser_edits(self) -> list[Versioned[AdviserEdit]]: ...

    def save_adviser_edits(self, batch: EditBatch[AdviserEdit], actor: str) -> None: ...


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
        """Record a new decision and, when it books an adviser, its load, atomically.
        ``based_on`` is the version of that adviser's booked load the decision saw
        (``AdviserLoad.version``; "0" for an adviser with none); a decision that books nobody
        is not checked. Returns the record as stored (with its version)."""
        ...

    def update_allocation(
        self, record: AllocationRecord, actor: str, reason: str = "", based_on: str | None = None
    ) -> AllocationRecord:
        """Change a recorded decision, if it is still at ``record.version`` (else
        ``Conflict``; ``NotFound`` when it was never recorded). Moves the booked load when the
        adviser or week changes, and writes an audit entry when ``actor`` is a person. With
        ``based_on`` (a decision made afresh: a re-run), the newly booked adviser's load must
        still be at that version, as for ``record_allocation`` (else ``Conflict``); without it
        (a person's re-assignment) the load is not checked. Returns the record as stored
        (with its new version)."""
        ...

    def booked_loads(self, since: str | None = None) -> LoadChanges:
        """Every adviser's booked load (``since=None``), or only those changed since the
        watermark an earlier answer gave."""
        ...


class Rejections(Protocol):
    """Deliveries refused for their content, kept for ops rather than lost with their 400."""

    def record_rejection(self, rejection: RejectedDelivery) -> bool:
        """Keep it; True the first time this id is kept (so it is raised to Chat once). A
        repeat counts ``times`` and reopens a resolved one with the new reason."""
        ...

    def list_rejections(
        self, status: str | None = "open", limit: int = 200
    ) -> list[RejectedDelivery]:
        """Newest first."""
        ...

    def resolve_rejection(self, rejection_id: str, resolution: str, actor: str) -> None:
        """Close it, saying what became of it (audited); ``NotFound`` for an unknown id."""
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


class Trends(Protocol):
    """The capacity outlook's daily snapshots per segment, and which alerts were sent: kept
    apart from a decision's inputs, so nothing here moves the data version."""

    def save_outlook_days(self, days: Sequence[OutlookDay]) -> None:
        """Keep each (day, segment), replacing what that pair held (a second run that day)."""
        ...

    def list_outlook_days(self, since: dt.date) -> list[OutlookDay]:
        """Days from ``since`` on, oldest first, then by segment."""
        ...

    def claim_alert(self, key: str) -> bool:
        """True for the one caller that claims ``key`` first, ever, across processes (an
        alert is sent once per day, segment and condition whatever runs the job)."""

    def release_alert(self, key: str) -> None:
        """Give a claim back (Chat did not take the alert), so the next run claims it again."""


class Folders(Protocol):
    """Each allocated deal's client folder in Box: the provisioning outbox
    (``services.folders``)."""

    def get_folder(self, deal_id: str) -> FolderRecord | None: ...

    def list_folders(self, status: str | None = None, limit: int = 500) -> list[FolderRecord]:
        """Newest queued first."""
        ...

    def add_folder(self, record: FolderRecord) -> FolderRecord:
        """Queue a deal's folder; ``AlreadyRecorded`` (carrying the stored record) when the
        deal has one already, so a replay never queues a second. Returns it as stored."""
        ...

    def update_folder(self, record: FolderRecord) -> FolderRecord:
        """Change it if it is still at ``record.version`` (else ``Conflict``; ``NotFound``
        when never queued). Bookkeeping: moves no data version, writes no audit entry."""
        ...


class Health(Protocol):
    """The store as a whole: its freshness, its emptiness, whether it answers, what it cost."""

    @property
    def reads(self) -> int:
        """Documents (rows) read so far, as Firestore bills them."""
        ...

    def data_version(self) -> str:
        """Changes whenever a decision's inputs other than our own bookings change (see the
        module docstring), and only then."""
        ...

    def is_empty(self) -> bool:
        """True when no advisers are stored (a fresh embedded store, before demo data)."""
        ...

    def ping(self) -> bool: ...

    def unreadable(self) -> list[ExcludedRecord]:
        """Stored rows the latest reads of advisers, leave, open deals, closures and overrides
        skipped because they no longer read as records, each with its reason."""
        ...


class Store(
    ReferenceData,
    Editable,
    AdviserEdits,
    Allocations,
    Rejections,
    History,
    Tokens,
    Trends,
    Health,
    Protocol,
):
    """Everything the use cases keep, flat; a use case that needs one port can take just that
    part (``store.allocations``, ``store.reference``, ...)."""

    @property
    def reference(self) -> ReferenceData: ...

    @property
    def edits(self) -> Editable: ...

    @property
    def adviser_edits(self) -> AdviserEdits: ...

    @property
    def allocations(self) -> Allocations: ...

    @property
    def rejections(self) -> Rejections: ...

    @property
    def history(self) -> History: ...

    @property
    def tokens(self) -> Tokens: ...

    @property
    def trends(self) -> Trends: ...

    @property
    def health(self) -> Health: ...

    @property
    def folders(self) -> Folders:
        """Client folders have no flat methods: ``store.folders.get_folder(...)``."""
        ...


@dataclass(frozen=True, eq=False)
class Ports:
    """One backend's part for each port, all sharing that backend's file, client or state."""

    reference: ReferenceData
    edits: Editable
    allocations: Allocations
    rejections: Rejections
    history: History
    tokens: Tokens
    health: Health
    adviser_edits: AdviserEdits
    trends: Trends
    folders: Folders


class ComposedStore(Ports):
    """A ``Store`` assembled from its parts: every backend (and the in-memory fake) is one of
    these, so the flat interface is written once, here, and each method says which part
    answers it. A backend subclasses it only to build its parts and add what is its own
    (closing a file, a project id); the parts stay read-only."""

    # --- health ----------------------------------------------------------------------------

    @property
    def reads(self) -> int:
        return self.health.reads

    def data_version(self) -> str:
        return self.health.data_version()

    def is_empty(self) -> bool:
        return self.health.is_empty()

    def ping(self) -> bool:
        return self.health.ping()

    def unreadable(self) -> list[ExcludedRecord]:
        return self.health.unreadable()

    # --- trends ------------------------------------------------------------------------------

    def save_outlook_days(self, days: Sequence[OutlookDay]) -> None:
        self.trends.save_outlook_days(days)

    def list_outlook_days(self, since: dt.date) -> list[OutlookDay]:
        return self.trends.list_outlook_days(since)

    def claim_alert(self, key: str) -> bool:
        return self.trends.claim_alert(key)

    def release_alert(self, key: str) -> None:
        self.trends.release_alert(key)

    # --- reference data --------------------------------------------------------------------

    def list_advisers(self) -> list[Adviser]:
        return self.reference.list_advisers()

    def replace_advisers(self, advisers: Sequence[Adviser]) -> ChangeCounts:
        return self.reference.replace_advisers(advisers)

    def list_meetings(self, start: dt.date, end: dt.date) -> list[Meeting]:
        return self.reference.list_meetings(start, end)

    def meeting_table(self, start: dt.date, end: dt.date) -> MeetingTable:
        return self.reference.meeting_table(start, end)

    def replace_meetings(
        self, meetings: Sequence[Meeting], start: dt.date, end: dt.date
    ) -> ChangeCounts:
        return self.reference.replace_meetings(meetings, start, end)

    def list_leave(self) -> list[Leave]:
        return self.reference.list_leave()

    def add_manual_leave(self, leave: Leave) -> None:
        self.reference.add_manual_leave(leave)

    def replace_synced_leave(self, leave: Sequence[Leave], since: dt.date) -> ChangeCounts:
        return self.reference.replace_synced_leave(leave, since)

    def list_pending(self) -> list[PendingDeal]:
        return self.reference.list_pending()

    def list_open_deals(self) -> list[PendingDeal]:
        return self.reference.list_open_deals()

    def replace_open_deals(self, pending: Sequence[PendingDeal]) -> ChangeCounts:
        return self.reference.replace_open_deals(pending)

    def drop_pending(self, deal_ids: Sequence[str]) -> int:
        return self.reference.drop_pending(deal_ids)

    # --- edits -----------------------------------------------------------------------------

    def list_closures(self) -> list[Versioned[Closure]]:
        return self.edits.list_closures()

    def save_closures(self, batch: EditBatch[Closure], actor: str) -> None:
        self.edits.save_closures(batch, actor)

    def list_overrides(self) -> list[Versioned[Override]]:
        return self.edits.list_overrides()

    def save_overrides(self, batch: EditBatch[Override], actor: str) -> None:
        self.edits.save_overrides(batch, actor)

    def override_notes(self) -> dict[str, str]:
        return self.edits.override_notes()

    def set_override_note(self, override_id: str, note: str) -> None:
        self.edits.set_override_note(override_id, note)

    def get_settings(self) -> Versioned[ConsoleSettings]:
        return self.edits.get_settings()

    def save_settings(self, settings: ConsoleSettings, version: str, actor: str) -> None:
        self.edits.save_settings(settings, version, actor)

    # --- adviser edits ---------------------------------------------------------------------

    def list_adviser_edits(self) -> list[Versioned[AdviserEdit]]:
        return self.adviser_edits.list_adviser_edits()

    def save_adviser_edits(self, batch: EditBatch[AdviserEdit], actor: str) -> None:
        self.adviser_edits.save_adviser_edits(batch, actor)

    # --- allocations -----------------------------------------------------------------------

    def get_allocation(self, deal_id: str) -> AllocationRecord | None:
        return self.allocations.get_allocation(deal_id)

    def list_allocations(
        self,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        status: str | None = None,
        adviser_id: str | None = None,
        limit: int = 1000,
    ) -> list[AllocationRecord]:
        return self.allocations.list_allocations(since, until, status, adviser_id, limit)

    def record_allocation(self, record: AllocationRecord, based_on: str) -> AllocationRecord:
        return self.allocations.record_allocation(record, based_on)

    def update_allocation(
        self, record: AllocationRecord, actor: str, reason: str = "", based_on: str | None = None
    ) -> AllocationRecord:
        return self.allocations.update_allocation(record, actor, reason, based_on)

    def booked_loads(self, since: str | None = None) -> LoadChanges:
        return self.allocations.booked_loads(since)

    # --- rejected deliveries ---------------------------------------------------------------

    def record_rejection(self, rejection: RejectedDelivery) -> bool:
        return self.rejections.record_rejection(rejection)

    def list_rejections(
        self, status: str | None = "open", limit: int = 200
    ) -> list[RejectedDelivery]:
        return self.rejections.list_rejections(status, limit)

    def resolve_rejection(self, rejection_id: str, resolution: str, actor: str) -> None:
        self.rejections.resolve_rejection(rejection_id, resolution, actor)

    # --- history ---------------------------------------------------------------------------

    def append_audit(self, entry: AuditEntry) -> None:
        self.history.append_audit(entry)

    def list_audit(self, entity: str | None = None, limit: int = 50) -> list[AuditEntry]:
        return self.history.list_audit(entity, limit)

    def start_sync(self, source: str, actor: str, now: dt.datetime) -> SyncRun:
        return self.history.start_sync(source, actor, now)

    def finish_sync(self, run: SyncRun) -> None:
        self.history.finish_sync(run)

    def list_sync_runs(self, source: str | None = None, limit: int = 50) -> list[SyncRun]:
        return self.history.list_sync_runs(source, limit)

    # --- tokens ----------------------------------------------------------------------------

    def load_token(self, name: str) -> dict[str, Any] | None:
        return self.tokens.load_token(name)

    def save_token(self, name: str, token: dict[str, Any]) -> None:
        self.tokens.save_token(name, token)

    def take_token(self, name: str) -> dict[str, Any] | None:
        return self.tokens.take_token(name)


class AppSettings(Protocol):
    """What the use cases read of the deployment's settings (``settings.Settings``; services
    never import it): a setting by name, and which are configured, never their values."""

    def get(self, name: str) -> str | None: ...

    def redacted(self) -> list[dict[str, Any]]: ...


class Notifier(Protocol):
    """Google Chat (or nothing). Implementations never raise: a failed post is only logged."""

    def decision(self, record: AllocationRecord) -> None: ...

    def writeback_failed(self, record: AllocationRecord, error: str) -> None:
        """The outbox gave up writing this decision to HubSpot (said once per give-up)."""
        ...

    def rejected(self, rejection: RejectedDelivery) -> None:
        """A delivery was refused for its content and kept for ops (said once per opening)."""
        ...

    def sync_failed(self, run: SyncRun) -> None: ...

    def bad_records(self, records: Sequence[ExcludedRecord]) -> None:
        """Records newly left out of decisions, found after a sync (said once per record)."""

    def notice(
        self, thread: str, title: str, subtitle: str, facts: Sequence[tuple[str, str]]
    ) -> bool:
        """A card of labelled facts in a thread of its own (capacity alerts, the digest);
        False when Chat did not take it (logged), so the caller can try it again later."""

    def folder_provisioned(self, record: FolderRecord) -> None:
        """A deal's client folder is copied, tagged, shared and linked (in the deal's thread)."""
        ...

    def folder_failed(self, record: FolderRecord, error: str) -> None:
        """Provisioning a deal's folder gave up (said once per give-up, in the deal's thread)."""
        ...


class Crm(Protocol):
    """HubSpot. Errors: ``UpstreamUnavailable`` after retries, ``UpstreamRejected``,
    ``MalformedReply`` (all from ``integrations.errors``)."""

    def fetch_advisers(self) -> list[Adviser]: ...

    def fetch_meetings(self, start: dt.date, end: dt.date) -> list[Meeting]:
        """Clarify and Kick Off meetings starting in [start, end), every owner."""
        ...

    def fetch_open_deals(self) -> list[OpenDeal]: ...

    def read_deal(self, deal_id: str, properties: Sequence[str]) -> dict[str, str | None]: ...

    def contact_emails(self, deal_id: str) -> list[str]:
        """Email addresses of the contacts associated with the deal (none: an empty list)."""
        ...

    def write_adviser(self, deal_id: str, adviser_id: str, property_name: str) -> None: ...


class LeaveSource(Protocol):
    """Employment Hero: approved leave overlapping [since, until]."""

    def fetch_leave(self, since: dt.date, until: dt.date) -> list[LeaveRequest]: ...


class HolidayCalendar(Protocol):
    """Weekday public holidays as closures scoped to the subdivision's region."""

    def __call__(self, country: str, subdivision: str | None, year: int) -> list[Closure]: ...


class FolderHost(Protocol):
    """Box. Errors: ``UpstreamUnavailable`` after retries; ``UpstreamRejected`` for what a
    person must fix (its message says what); ``MalformedReply``."""

    def folder(self, folder_id: str, what: str = "folder") -> BoxItem: ...

    def find_folder(self, parent_id: str, name: str, what: str = "folder") -> BoxItem | None:
        """``what`` names the folder looked in, for the error when it cannot be seen."""
        ...

    def items(self, folder_id: str, what: str = "folder") -> Iterator[BoxItem]: ...

    def copy_folder(self, source_id: str, parent_id: str, name: str) -> BoxItem:
        """The copy, or the folder of that name already in the parent (never a second)."""
        ...

    def check_template(self, scope: str, template: str) -> None: ...

    def metadata(self, folder_id: str, scope: str, template: str) -> dict[str, Any] | None: ...

    def tag(self, folder_id: str, scope: str, template: str, values: Mapping[str, Any]) -> None:
        """Create the metadata instance, or update the one already there."""
        ...

    def share(self, folder_id: str, email: str, role: str) -> bool:
        """Invite a collaborator; False when they are one already."""
        ...

    def unshare(self, folder_id: str, email: str) -> bool:
        """Remove a collaborator (accepted or invited); False when they were none."""
        ...

    def folder_url(self, folder_id: str) -> str: ...


class DealLinks(Protocol):
    """HubSpot, for writing one deal property (the client folder's link)."""

    def write_deal_property(self, deal_id: str, name: str, value: str) -> None: ...
