"""``Services``: one object with a method per use case, so pages and the webhook stay thin.

It holds the ports (store, notifier, CRM, leave source), the clock and the app settings, and
caches the snapshot, ledger and heatmap data by the store's data version, so a warm page or a
warm webhook call costs one store read.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from allocation import Adviser, Deal, Ledger, Rules, Snapshot, build_ledger
from services import booking, history, policy, views
from services.booking import Outcome
from services.editing import require_editor
from services.facade_admin import AdminUseCases
from services.history import AllocationFilter
from services.outbox import Drained
from services.ports import Crm, HolidayCalendar, LeaveSource, Notifier, Store
from services.preview import Preview, WhatIf, preview, preview_deal
from services.records import (
    UNALLOCATED,
    WRITEBACK_FAILED,
    WRITEBACK_PENDING,
    AllocationRecord,
    AuditEntry,
    ConsoleSettings,
    SyncRun,
    Versioned,
)
from services.snapshots import Prepared, SnapshotCache
from services.syncing import SOURCES, Syncer

Clock = Callable[[], dt.datetime]


def utc_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Services(AdminUseCases):
    def __init__(
        self,
        store: Store,
        notifier: Notifier | None = None,
        crm: Crm | None = None,
        leave_source: LeaveSource | None = None,
        clock: Clock = utc_clock,
        settings: Any = None,  # settings.Settings; typed loosely so services never imports it
        demo: bool = False,
        syncer: Syncer | None = None,
        holiday_calendar: HolidayCalendar | None = None,
    ) -> None:
        self.store = store
        self.notifier = notifier
        self.crm = crm
        self.leave_source = leave_source
        self.clock = clock
        self.settings = settings
        self.demo = demo
        # Without a syncer from bootstrap (tests, schedulers), sync the configured sources.
        self.syncer = syncer or Syncer(
            store, crm=crm, leave_source=leave_source, holidays=None, notifier=notifier,
            clock=clock, writer=crm,
        )  # fmt: skip
        self.holiday_calendar = holiday_calendar
        self.cache = SnapshotCache()
        self._lock = threading.Lock()
        self._derived: dict[str, tuple[tuple[str, dt.date], Any]] = {}

    # --- time and data -------------------------------------------------------------------

    def now(self) -> dt.datetime:
        return self.clock().astimezone(dt.UTC)

    def today(self) -> dt.date:
        """The clock's date in the firm's timezone (from the stored rules)."""
        return self.clock().astimezone(self.rules().zone).date()

    def rules(self) -> Rules:
        # The last snapshot's rules decide what "today" is; a settings edit reaches them on the
        # next load (edits move the reference version), so no extra read is spent here.
        latest = self.cache.latest()
        if latest is not None:
            return latest.snapshot.rules
        return policy.stored_settings(self.store).value.rules

    def prepared(self) -> Prepared:
        return self.cache.get(self.store, self.today())

    def snapshot(self) -> Snapshot:
        return self.prepared().snapshot

    def data_version(self) -> str:
        """Moves whenever anything a decision reads moved, bookings included: the key of the
        console's caches of derived views."""
        return self.prepared().key

    def _derive(self, name: str, make: Callable[[Snapshot, dt.date], Any]) -> Any:
        prepared = self.prepared()
        snapshot, today = prepared.snapshot, prepared.today
        key = (prepared.key, today)
        with self._lock:
            cached = self._derived.get(name)
        if cached is not None and cached[0] == key:
            return cached[1]
        value = make(snapshot, today)
        with self._lock:
            self._derived[name] = (key, value)
        return value

    def ledger(self) -> Ledger:
        return self._derive("ledger", build_ledger)  # type: ignore[no-any-return]

    # --- browsing --------------------------------------------------------------------------

    def advisers(self) -> tuple[Adviser, ...]:
        return self.snapshot().advisers

    def advisers_frame(self) -> pd.DataFrame:
        return views.advisers_frame(self.advisers())

    def packages(self) -> list[str]:
        catalogue = self.console_settings().value.service_packages
        return booking.known_packages(self.snapshot(), catalogue)

    def households(self) -> list[str]:
        return list(self.console_settings().value.household_types)

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
        base = self._derive("heatmap", lambda s, _t: views.heatmap_base(s, self.ledger()))
        return views.filter_heatmap(
            base, self.snapshot(), package, household, pods, regions, taking_only
        )

    def schedule(self, adviser_id: str) -> views.AdviserSchedule:
        return views.schedule(self.snapshot(), self.ledger(), adviser_id)

    # --- preview and booking -----------------------------------------------------------------

    def preview(
        self,
        package: str,
        household: str | None = None,
        agreement_start: dt.date | None = None,
        what_if: WhatIf | None = None,
    ) -> Preview:
        deal = preview_deal(package, household, agreement_start)
        return preview(deal, self.snapshot(), self.today(), what_if)

    def console_settings(self) -> Versioned[ConsoleSettings]:
        """The stored settings, inside their bounds (``services.policy``)."""
        return policy.stored_settings(self.store)

    def allocate(self, deal: Deal, source: str = "console") -> Outcome:
        return booking.allocate_and_record(
            deal,
            store=self.store,
            cache=self.cache,
            notifier=self.notifier,
            crm=self.crm,
            today=self.today(),
            clock=self.now,
            source=source,
        )

    def retry_writebacks(
        self, deal_id: str | None = None, actor: str = "system", *, is_editor: bool = True
    ) -> Drained:
        """Schedulers retry as the system; the console passes the person's role, and a viewer
        is refused here even if a page showed them the button."""
        require_editor(is_editor, actor, "write-backs")
        return booking.retry_writebacks(
            store=self.store,
            notifier=self.notifier,
            crm=self.crm,
            settings=self.console_settings().value,
            clock=self.now,
            deal_id=deal_id,
            actor=actor,
        )

    def reassign(
        self, deal_id: str, adviser_id: str, week: dt.date, reason: str, actor: str, is_editor: bool
    ) -> Outcome:
        require_editor(is_editor, actor, "allocations")
        return booking.reassign(
            deal_id,
            adviser_id,
            week,
            reason,
            actor,
            store=self.store,
            snapshot=self.snapshot(),
            notifier=self.notifier,
            crm=self.crm,
            settings=self.console_settings().value,
            clock=self.now,
        )

    # --- history ---------------------------------------------------------------------------

    def allocations(self, wanted: AllocationFilter | None = None) -> list[AllocationRecord]:
        return history.list_allocations(self.store, wanted or AllocationFilter())

    def allocations_frame(self, wanted: AllocationFilter | None = None) -> pd.DataFrame:
        return self.records_frame(self.allocations(wanted))

    def records_frame(self, records: Sequence[AllocationRecord]) -> pd.DataFrame:
        return history.allocations_frame(records, self.advisers())

    def allocation(self, deal_id: str) -> AllocationRecord | None:
        return self.store.get_allocation(deal_id)

    def explanation_frame(self, record: AllocationRecord) -> pd.DataFrame:
        return history.explanation_frame(record, self.advisers())

    def unallocated(self) -> list[AllocationRecord]:
        return history.queue(self.store, UNALLOCATED)

    def writebacks_pending(self) -> list[AllocationRecord]:
        return history.queue(self.store, WRITEBACK_PENDING)

    def writebacks_failed(self) -> list[AllocationRecord]:
        """Write-backs the outbox gave up on: a person must look (then Retry)."""
        return history.queue(self.store, WRITEBACK_FAILED)

    def allocations_per_month(self, wanted: AllocationFilter | None = None) -> pd.DataFrame:
        return history.per_adviser_month(self.allocations(wanted), self.advisers())

    def audit(self, entity: str | None = None, limit: int = 50) -> list[AuditEntry]:
        return self.store.list_audit(entity, limit)

    def audit_frame(self, entity: str | None = None, limit: int = 50) -> pd.DataFrame:
        return history.audit_frame(self.audit(entity, limit))

    def sync_runs(self, source: str | None = None, limit: int = 50) -> list[SyncRun]:
        return self.store.list_sync_runs(source, limit)

    def recent_syncs_by_source(self, per_source: int = 50) -> list[SyncRun]:
        """Each source's newest runs, asked per source so a source scheduled daily is not
        crowded out of the answer by one scheduled every 15 minutes."""
        return [run for source in SOURCES for run in self.store.list_sync_runs(source, per_source)]

    def last_syncs(self) -> dict[str, SyncRun]:
        """The latest run per source, for the sidebar and the Settings page."""
        latest = {source: self.store.list_sync_runs(source, 1) for source in SOURCES}
        return {source: runs[0] for source, runs in latest.items() if runs}

    def integration_status(self) -> list[dict[str, Any]]:
        """Which settings are configured (never their values), for the Settings page."""
        return [] if self.settings is None else list(self.settings.redacted())
