"""Records the console and webhook keep beside the core's inputs: decisions, audit, sync runs.

They are plain frozen dataclasses with JSON-friendly fields so every store (in-memory,
SQLite, Firestore) saves them the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from allocation import Deal, Decision, PendingDeal, Rules
from services.folder_records import BoxSettings

AllocationStatus = Literal["allocated", "writeback_pending", "writeback_failed", "unallocated"]
ALLOCATED: AllocationStatus = "allocated"
WRITEBACK_PENDING: AllocationStatus = "writeback_pending"  # in the outbox: to write to HubSpot
WRITEBACK_FAILED: AllocationStatus = "writeback_failed"  # the outbox gave up; ops must act
UNALLOCATED: AllocationStatus = "unallocated"

T = TypeVar("T")


@dataclass(frozen=True)
class Versioned(Generic[T]):
    """A stored record with the version its reader saw; an edit must hand the version back."""

    value: T
    version: str


@dataclass(frozen=True)
class AllocationRecord:
    """One decision about one HubSpot deal (the store's id is ``deal_id``)."""

    deal_id: str
    status: AllocationStatus
    adviser_id: str | None
    week: dt.date | None
    service_package: str
    household_type: str | None
    agreement_start: dt.date | None
    decided_at: dt.datetime  # UTC
    source: str  # "webhook", "console", "demo", "reassign:<who>"
    # candidates_to_dicts(decision), ranked; stores hand back a lazily unpacked packed form
    explanation: Sequence[dict[str, Any]] = ()
    writeback_attempts: int = 0
    last_error: str | None = None
    note: str = ""
    # The write-back outbox: whoever holds an unexpired lease is the one writing this deal to
    # HubSpot; nobody tries again before ``next_attempt_at``.
    lease_until: dt.datetime | None = None
    next_attempt_at: dt.datetime | None = None
    # The stored version this copy was read at (filled in by the store; not compared): every
    # change is a compare-and-set on it, so a stale copy can never undo someone's change.
    version: str = field(default="", compare=False)

    @property
    def books(self) -> bool:
        """Whether the decision puts a new client on an adviser's week."""
        return self.status != UNALLOCATED and self.adviser_id is not None and self.week is not None


@dataclass(frozen=True)
class AdviserLoad:
    """The new clients our own bookings have put on one adviser, with the version they were
    read at: a booking for this adviser must name it, so two bookings decided on the same
    picture of this adviser cannot both land (other advisers' bookings do not interfere)."""

    adviser_id: str
    version: str
    pending: tuple[PendingDeal, ...] = ()


@dataclass(frozen=True)
class LoadChanges:
    """Advisers whose booked load changed since a watermark (all of them when asked from
    the start), and the watermark to ask from next time."""

    loads: tuple[AdviserLoad, ...]
    watermark: str


RejectionStatus = Literal["open", "resolved"]


@dataclass(frozen=True)
class RejectedDelivery:
    """A delivery (or one event of a batch) refused for its content: kept, shown to ops and
    re-runnable once the catalogue or the deal is fixed, instead of vanishing with its 400."""

    id: str  # the canonical deal id when known, else a digest of what arrived
    reason: str
    received_at: dt.datetime  # UTC, the first time it arrived
    deal_id: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # what arrived, shortened
    source: str = "webhook"
    status: RejectionStatus = "open"
    times: int = 1  # how often it arrived
    resolution: str = ""  # what became of it: "allocated to …", "dismissed by …"


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime  # UTC
    actor: str
    action: str  # e.g. "closure.create", "override.update", "settings.update", "sync.hubspot"
    entity: str  # e.g. "closures"
    entity_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    id: str = ""


@dataclass(frozen=True)
class SyncRun:
    id: str
    source: str  # "hubspot_advisers", "hubspot_meetings", "hubspot_deals", "leave", "holidays"
    started_at: dt.datetime
    actor: str
    # "skipped": the source has no account configured; recorded, neither a success nor a failure
    status: Literal["running", "ok", "failed", "skipped"] = "running"
    finished_at: dt.datetime | None = None
    added: int = 0
    updated: int = 0
    removed: int = 0
    errors: tuple[str, ...] = field(default_factory=tuple)


def record_of(
    deal: Deal,
    decision: Decision,
    *,
    status: AllocationStatus,
    decided_at: dt.datetime,
    source: str,
    **extra: Any,
) -> AllocationRecord:
    """The record of ``decision`` about ``deal``, with its explanation kept."""
    return AllocationRecord(
        deal_id=deal.id,
        status=status,
        adviser_id=decision.adviser_id,
        week=decision.week,
        service_package=deal.service_package,
        household_type=deal.household_type,
        agreement_start=deal.agreement_start,
        decided_at=decided_at,
        source=source,
        explanation=candidates_to_dicts(decision),
        **extra,
    )


def candidates_to_dicts(decision: Decision) -> tuple[dict[str, Any], ...]:
    """The decision's explanation in a form every store can keep as JSON."""
    return tuple(
        {
            "adviser_id": c.adviser_id,
            "eligible": c.eligible,
            "reason": c.reason,
            "earliest_week": c.earliest_week.isoformat() if c.earliest_week else None,
            "utilisation": (
                None
                if c.utilisation is None or c.utilisation == float("inf")
                else round(c.utilisation, 6)
            ),
            "blocked_weeks": [[w.isoformat(), r] for w, r in c.blocked_weeks],
        }
        for c in decision.candidates
    )


# The firm's catalogue until someone edits it on the Settings page.
DEFAULT_SERVICE_PACKAGES = ("Seed", "Series A", "Series B", "Series C", "IPO")
DEFAULT_HOUSEHOLD_TYPES = ("Single", "Couple")


@dataclass(frozen=True)
class ConsoleSettings:
    """Everything editable on the Settings page: the core's rules, console policy, and the
    firm's catalogue (a package in it is known even while no adviser offers it)."""

    rules: Rules = field(default_factory=Rules)
    editors: tuple[str, ...] = ()  # emails that may edit (and sign in); local mode: everyone
    # Who else may sign in, as viewers. Both empty = nobody but editors (services.access).
    allowed_emails: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    writeback_property: str = "advisor"  # or "hubspot_owner_id"
    stale_after_hours: int = 26  # sidebar warns when a source has not synced for this long
    service_packages: tuple[str, ...] = DEFAULT_SERVICE_PACKAGES
    household_types: tuple[str, ...] = DEFAULT_HOUSEHOLD_TYPES
    # The Outlook page flags a segment whose projected wait (arrival to start) goes past this.
    outlook_target_weeks: int = 4
    # Chat alerts from the daily job (``python -m cli outlook``); off until someone turns them on.
    outlook_alerts: bool = False
    outlook_min_places: int = 2  # alert when a segment has fewer places within 8 weeks
    box: BoxSettings = field(default_factory=BoxSettings)  # client folders (docs/box.md)


@dataclass(frozen=True)
class OutlookDay:
    """One segment's capacity outlook as it stood on one day: the Outlook page's trend, so
    ops see a segment tightening before it bites (``svc.outlook.record_day``)."""

    day: dt.date  # in the firm's timezone
    segment: str  # its label, e.g. "Series A · Couple"
    soonest_week: dt.date | None
    places_8_weeks: int
    late_deals: int = 0
    breach_week: dt.date | None = None


@dataclass(frozen=True)
class ChangeCounts:
    added: int = 0
    updated: int = 0
    removed: int = 0


@dataclass(frozen=True)
class EditBatch(Generic[T]):
    """One submitted editor form: applied all together or not at all."""

    added: tuple[T, ...] = ()
    updated: tuple[tuple[T, str], ...] = ()  # (new value, version the editor read)
    deleted: tuple[tuple[str, str], ...] = ()  # (record id, version the editor read)

    @property
    def empty(self) -> bool:
        return not (self.added or self.updated or self.deleted)


@dataclass(frozen=True)
class OpenDeal:
    """An onboarding deal already given to an adviser in HubSpot, with no Clarify booked yet."""

    deal_id: str
    adviser_id: str | None  # HubSpot owner id when the deal names one
    adviser_email: str | None  # the deal's ``advisor_email``
    agreement_start: dt.date | None
    created: dt.date | None


@dataclass(frozen=True)
class LeaveRequest:
    """Approved leave as Employment Hero reports it; matched to an adviser by email later."""

    id: str
    email: str
    start: dt.date
    end: dt.date
    day_fraction: float = 1.0


@dataclass(frozen=True)
class ExcludedRecord:
    """A stored record left out of every decision, and why, in words for the data-quality
    panel: a row no longer readable, an adviser ending before starting, a duplicate id."""

    kind: str  # "adviser", "closure", "leave", "override", "open deal"
    record_id: str
    reason: str

    @property
    def key(self) -> str:
        """Stable across reads, so a Chat alert is raised once per bad record and reason."""
        return f"{self.kind}|{self.record_id}|{self.reason}"


@dataclass(frozen=True)
class AdviserEdit:
    """What the firm sets for one adviser on the Advisers page: fields HubSpot does not hold
    (or holds wrongly). ``None`` (or "" for notes) means "not set here": the synced value
    stands. Kept apart from the synced adviser, so a sync never overwrites it; merged into the
    adviser wherever advisers are read (``services.adviser_edits.merged``)."""

    adviser_id: str
    region: str | None = None
    pod_type: str | None = None
    monthly_limit: float | None = None
    end_date: dt.date | None = None
    eh_email: str | None = None  # the adviser's email in Employment Hero, when it differs
    notes: str = ""

    @property
    def id(self) -> str:
        return self.adviser_id

    @property
    def empty(self) -> bool:
        return self == AdviserEdit(self.adviser_id)
