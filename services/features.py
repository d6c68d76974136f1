"""The features of ``Services``, one small object each: ``svc.browsing``, ``svc.booking``,
``svc.history``, ``svc.rejected``, ``svc.editing``, ``svc.sync``, ``svc.access``.

Each takes the ``Context`` (the ports, the clock, the cache) and hands the use case the ports it
needs; the rules live in the use-case modules (``services.booking``, ``services.editing``, …).
Editors-only actions take the person and their role, and refuse a viewer here, whatever a page
showed them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from allocation import Adviser, Closure, Deal, Ledger, Rules, Snapshot, build_ledger
from services import (
    access,
    allocating,
    booking,
    console_edits,
    editing,
    folders,
    history,
    outbox,
    rejections,
    settings_edit,
    views,
)
from services.access import Admission, SignIn
from services.booking import Outcome
from services.context import Context
from services.deal_intake import DealFields
from services.editing import SaveResult, require_editor
from services.errors import BadRequest, Busy, Conflict, ServiceError
from services.history import AllocationFilter
from services.ports import HolidayCalendar, LeaveSource
from services.preview import Preview, WhatIf, preview, preview_deal
from services.records import (
    UNALLOCATED,
    WRITEBACK_FAILED,
    WRITEBACK_PENDING,
    AllocationRecord,
    AuditEntry,
    ConsoleSettings,
    RejectedDelivery,
    SyncRun,
    Versioned,
)
from services.rows import RowEdits
from services.syncing import SOURCES, Progress, Syncer


class Browsing:
    """The firm as the pages read it: advisers, catalogue, heatmap, schedule, preview."""

    def __init__(self, context: Context) -> None:
        self._context = context

    def snapshot(self) -> Snapshot:
        return self._context.snapshot()

    def data_version(self) -> str:
        """Moves whenever anything a decision reads moved, bookings included."""
        return self._context.prepared().key

    def rules(self) -> Rules:
        return self._context.rules()

    def today(self) -> dt.date:
        """Today in the firm's timezone (the heatmap's "today" line)."""
        return self._context.today()

    def ledger(self) -> Ledger:
        prepared = self._context.prepared()
        return build_ledger(prepared.snapshot, prepared.today)  # memoised on the snapshot

    def advisers(self) -> tuple[Adviser, ...]:
        return self.snapshot().advisers

    def advisers_frame(self) -> pd.DataFrame:
        return views.advisers_frame(self.advisers())

    def packages(self) -> list[str]:
        catalogue = self._context.console_settings().value.service_packages
        return booking.known_packages(self.snapshot(), catalogue)

    def households(self) -> list[str]:
        return list(self._context.console_settings().value.household_types)

    def pods(self) -> list[str]:
        return sorted({a.pod_type for a in self.advisers()}, key=str.casefold)

    def regions(self) -> list[str]:
        return sorted({a.region for a in self.advisers() if a.region}, key=str.casefold)

    def heatmap_frame(
        self,
        package: str | None = None,
        household: str | None = None,
        pods: Sequence[str] = (),
        regions: Sequence[str] = (),
        taking_only: bool = False,
    ) -> pd.DataFrame:
        """Adviser × horizon-week rows: balance, load, utilisation, reasons, leave/closure days."""
        base = self._context.derived(
            "heatmap", lambda p: views.heatmap_base(p.snapshot, build_ledger(p.snapshot, p.today))
        )
        snapshot = self.snapshot()
        return views.filter_heatmap(base, snapshot, package, household, pods, regions, taking_only)

    def schedule(self, adviser_id: str) -> views.AdviserSchedule:
        return views.schedule(self.snapshot(), self.ledger(), adviser_id)

    def preview(
        self,
        package: str,
        household: str | None = None,
        agreement_start: dt.date | None = None,
        what_if: WhatIf | None = None,
    ) -> Preview:
        deal = preview_deal(package, household, agreement_start)
        return preview(deal, self.snapshot(), self._context.today(), what_if)


class Booking:
    """Allocate a deal, re-assign one by hand, retry write-backs."""

    def __init__(self, context: Context) -> None:
        self._context = context

    def allocate(self, deal: Deal, source: str = "console") -> Outcome:
        context = self._context
        outcome = booking.allocate_and_record(
            deal, store=context.store, cache=context.cache, notifier=context.notifier,
            crm=context.crm, today=context.today(), clock=context.now, source=source,
        )  # fmt: skip
        folders.queue_if_on(context.box, context.store, outcome.record, context.now())
        return outcome

    def retry_writebacks(
        self, deal_id: str | None = None, actor: str = "system", *, is_editor: bool = True
    ) -> outbox.Drained:
        """Schedulers retry as the system; the console passes the person and their role."""
        require_editor(is_editor, actor, "write-backs")
        context = self._context
        return booking.retry_writebacks(
            store=context.store, notifier=context.notifier, crm=context.crm,
            settings=context.console_settings().value, clock=context.now, deal_id=deal_id,
            actor=actor,
        )  # fmt: skip

    def reassign(
        self,
        deal_id: str,
        adviser_id: str,
        week: dt.date,
        reason: str,
        actor: str,
        is_editor: bool,
        *,
        confirmed: bool = False,
    ) -> Outcome:
        """Refused (``NeedsConfirmation``, nothing changed) when the allocator would not make
        this choice (``services.allocating``) and the person has not ``confirmed`` it."""
        require_editor(is_editor, actor, "allocations")
        context = self._context
        for _ in range(booking.MAX_DECISION_ATTEMPTS):
            checked = allocating.checked_reassignment(
                context, deal_id, adviser_id, week, reason, confirmed
            )
            try:
                outcome = booking.reassign(
                    deal_id, adviser_id, week, checked.reason, actor, store=context.store,
                    snapshot=context.snapshot(), notifier=context.notifier, crm=context.crm,
                    settings=context.console_settings().value, clock=context.now,
                    based_on=checked.based_on,
                )  # fmt: skip
                break
            except Conflict:
                latest = context.store.get_allocation(deal_id)
                if latest is None or latest.version != checked.version:
                    raise  # someone else changed the deal: theirs stands
                # the adviser was booked meanwhile: check again (the week may be full now)
        else:
            raise Busy(f"deal {deal_id}: too many simultaneous bookings, try again shortly")
        folders.queue_if_on(context.box, context.store, outcome.record, context.now())
        return outcome


class History:
    """Every decision, the queues ops work from, the audit log."""

    def __init__(self, context: Context, browsing: Browsing) -> None:
        self._store = context.store
        self._browsing = browsing

    def allocations(self, wanted: AllocationFilter | None = None) -> list[AllocationRecord]:
        return history.list_allocations(self._store, wanted or AllocationFilter())

    def allocations_frame(self, wanted: AllocationFilter | None = None) -> pd.DataFrame:
        return self.records_frame(self.allocations(wanted))

    def records_frame(self, records: Sequence[AllocationRecord]) -> pd.DataFrame:
        browsing = self._browsing
        return history.allocations_frame(records, browsing.advisers(), browsing.rules().zone)

    def allocation(self, deal_id: str) -> AllocationRecord | None:
        return self._store.get_allocation(deal_id)

    def explanation_frame(self, record: AllocationRecord) -> pd.DataFrame:
        return history.explanation_frame(record, self._browsing.advisers())

    def unallocated(self) -> list[AllocationRecord]:
        return history.queue(self._store, UNALLOCATED)

    def writebacks_pending(self) -> list[AllocationRecord]:
        return history.queue(self._store, WRITEBACK_PENDING)

    def writebacks_failed(self) -> list[AllocationRecord]:
        """Write-backs the outbox gave up on: a person must look (then Retry)."""
        return history.queue(self._store, WRITEBACK_FAILED)

    def allocations_per_month(self, wanted: AllocationFilter | None = None) -> pd.DataFrame:
        return history.per_adviser_month(self.allocations(wanted), self._browsing.advisers())

    def audit(self, entity: str | None = None, limit: int = 50) -> list[AuditEntry]:
        return self._store.list_audit(entity, limit)

    def audit_frame(self, entity: str | None = None, limit: int = 50) -> pd.DataFrame:
        """The audit log in words, with adviser names and times in the firm's timezone."""
        browsing = self._browsing
        return history.audit_frame(
            self.audit(entity, limit), browsing.advisers(), browsing.rules().zone
        )


class Rejected:
    """Deliveries refused for their content: listed, re-run once fixed, or dismissed."""

    def __init__(self, context: Context, booking: Booking, browsing: Browsing) -> None:
        self._context = context
        self._booking = booking
        self._browsing = browsing

    def open(self) -> list[RejectedDelivery]:
        """Not yet dealt with, newest first."""
        return self._context.store.list_rejections(status="open")

    def deal_fields(self) -> DealFields:
        """The deal property names the firm's HubSpot uses (HUBSPOT_DEAL_PROPERTIES)."""
        return self._context.hubspot_names()

    def rerun(self, rejection_id: str, actor: str, is_editor: bool) -> Outcome:
        """Decide a refused deal again, once the deal or the catalogue is fixed: read afresh
        from HubSpot when it is configured, else from what arrived. Still refused: the entry
        stays open with the new reason, and the error says why."""
        require_editor(is_editor, actor, "rejected deliveries")
        context = self._context
        rejection = rejections.find(context.store, rejection_id)
        try:
            deal = rejections.deal_to_rerun(
                rejection, context.crm, self.deal_fields(), context.today()
            )
            outcome = self._booking.allocate(deal, source="console")
        except BadRequest as exc:
            context.store.record_rejection(replace(rejection, reason=str(exc)))
            raise
        names = {a.id: a.name for a in self._browsing.advisers()}
        done = outcome.record
        words = (
            f"already decided ({done.status.replace('_', ' ')})"
            if outcome.replay
            else f"allocated to {names.get(done.adviser_id or '', done.adviser_id)}"
            if done.adviser_id
            else "recorded as unallocated"
        )
        context.store.resolve_rejection(rejection_id, f"re-run by {actor}: {words}", actor)
        return outcome

    def dismiss(self, rejection_id: str, why: str, actor: str, is_editor: bool) -> None:
        """Close an entry nobody needs to act on (a test deal, a duplicate), saying why."""
        require_editor(is_editor, actor, "rejected deliveries")
        if not why.strip():
            raise BadRequest("say why this delivery needs no action (it is kept in the audit log)")
        reason = f"dismissed by {actor}: {why.strip()}"
        self._context.store.resolve_rejection(rejection_id, reason, actor)


class Editing:
    """Closures, capacity overrides, the settings, public holidays as closures."""

    def __init__(
        self,
        context: Context,
        browsing: Browsing,
        holiday_calendar: HolidayCalendar | None = None,
        deal_properties: Callable[[], Sequence[Any]] | None = None,
    ) -> None:
        self._context = context
        self._store = context.store
        self._browsing = browsing
        self._holidays = holiday_calendar
        self._deal_properties = deal_properties

    def console_settings(self) -> Versioned[ConsoleSettings]:
        """The stored settings, inside their bounds, with the version an edit hands back."""
        return self._context.console_settings()

    def closures_frame(self) -> pd.DataFrame:
        return editing.closures_frame(self._store.list_closures(), self._browsing.advisers())

    def save_closures(self, edits: RowEdits, actor: str, is_editor: bool) -> SaveResult:
        return editing.save_closures(edits, store=self._store, actor=actor, is_editor=is_editor)

    def overrides_frame(self) -> pd.DataFrame:
        notes = self._store.override_notes()
        advisers = self._browsing.advisers()
        return editing.overrides_frame(self._store.list_overrides(), advisers, notes)

    def save_overrides(self, edits: RowEdits, actor: str, is_editor: bool) -> SaveResult:
        return editing.save_overrides(edits, store=self._store, actor=actor, is_editor=is_editor)

    def override_warnings(self) -> list[Any]:
        overrides = [v.value for v in self._store.list_overrides()]
        return editing.overlap_warnings(
            overrides, {a.id: a.name for a in self._browsing.advisers()}
        )

    def save_settings(
        self, changes: Mapping[str, Any], version: str, actor: str, is_editor: bool
    ) -> ConsoleSettings:
        return settings_edit.save_settings(
            changes, version, store=self._store, actor=actor, is_editor=is_editor,
            deal_properties=self._deal_properties,
        )  # fmt: skip

    def holiday_closures(self, country: str, subdivision: str, year: int) -> list[Closure]:
        """Weekday holidays not stored yet, for the Closures page to preview."""
        if self._holidays is None:
            raise ServiceError("public holidays are not available in this set-up")
        return console_edits.holiday_closures(
            self._store, self._holidays, country, subdivision, year
        )

    def import_holidays(
        self, closures: Sequence[Closure], actor: str, is_editor: bool
    ) -> SaveResult:
        return console_edits.import_holidays(
            closures, store=self._store, actor=actor, is_editor=is_editor
        )


class Sync:
    """The syncs (HubSpot, Employment Hero, holidays, the write-back outbox), their runs, and
    connecting Employment Hero."""

    def __init__(
        self,
        context: Context,
        syncer: Syncer,
        leave_source: LeaveSource | None,
        after_sync: Callable[[], object] | None = None,
    ) -> None:
        self._context = context
        self.syncer = syncer
        self.leave_source = leave_source
        self._after_sync = after_sync  # raises newly excluded records to Chat

    def run_sync(self, source: str, actor: str, is_editor: bool) -> SyncRun:
        """One recorded sync run; ``SyncInProgress`` when that source is already running."""
        require_editor(is_editor, actor, "syncs")
        run = self.syncer.run(source, actor)
        self._synced([run])
        return run

    def run_sync_group(
        self, group: str, actor: str, progress: Progress | None = None
    ) -> list[SyncRun]:
        """For schedulers (the command line): every source of ``group`` in turn."""
        runs = self.syncer.run_group(group, actor, progress)
        self._synced(runs)
        return runs

    def _synced(self, runs: Sequence[SyncRun]) -> None:
        if self._after_sync is not None and any(r.status == "ok" for r in runs):
            self._after_sync()

    def sync_runs(self, source: str | None = None, limit: int = 50) -> list[SyncRun]:
        return self._context.store.list_sync_runs(source, limit)

    def recent_syncs_by_source(self, per_source: int = 50) -> list[SyncRun]:
        """Each source's newest runs, asked per source so a source scheduled daily is not
        crowded out of the answer by one scheduled every 15 minutes."""
        store = self._context.store
        return [run for source in SOURCES for run in store.list_sync_runs(source, per_source)]

    def last_syncs(self) -> dict[str, SyncRun]:
        """The latest run per source, for the sidebar and the Settings page."""
        store = self._context.store
        latest = {source: store.list_sync_runs(source, 1) for source in SOURCES}
        return {source: runs[0] for source, runs in latest.items() if runs}

    def employment_hero(self) -> console_edits.Connectable | None:
        """The client that can be connected, or ``None`` when EH_* settings are missing."""
        client = self.leave_source
        return client if isinstance(client, console_edits.Connectable) else None

    def start_connect(self, actor: str, is_editor: bool) -> str:
        return console_edits.start_connect(
            self._connectable(), store=self._context.store, actor=actor, is_editor=is_editor,
            now=self._context.now(),
        )  # fmt: skip

    def finish_connect(self, code: str, state: str, actor: str, is_editor: bool) -> None:
        console_edits.finish_connect(
            self._connectable(), code, state, store=self._context.store, actor=actor,
            is_editor=is_editor, now=self._context.now(),
        )  # fmt: skip

    def _connectable(self) -> console_edits.Connectable:
        client = self.employment_hero()
        if client is None:
            raise ServiceError("Employment Hero is not configured (EH_CLIENT_ID and friends)")
        return client


class Access:
    """Who may use the console and who may edit; which settings are configured."""

    def __init__(self, context: Context) -> None:
        self._context = context

    def can_edit(self, email: str | None, local_mode: bool) -> bool:
        """Editors are listed in settings; with no list, local mode lets everyone edit."""
        editors = self._context.console_settings().value.editors
        if not editors:
            return local_mode
        return (email or "").strip().casefold() in {e.casefold() for e in editors}

    def admission(self, person: SignIn, admins: Collection[str] = ()) -> Admission:
        """Whether a signed-in person may use the console, and edit (``services.access``):
        ``admins`` are the configured first editors (``CONSOLE_ADMINS``)."""
        return access.admit(person, self._context.console_settings().value, admins)

    def integration_status(self) -> list[dict[str, Any]]:
        """Which settings are configured (never their values), for the Settings page."""
        settings = self._context.settings
        return [] if settings is None else list(settings.redacted())
