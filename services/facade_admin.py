"""The editing, sync and integration half of ``Services`` (a mixin, so each file stays small).

Pages call these methods; they never touch the store or an adapter themselves. Editors only:
callers pass the person and their role, and a viewer is refused here whatever a page showed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from allocation import Adviser, Closure, Deal
from services import access, console_edits, editing, rejections, settings_edit
from services.access import Admission, SignIn
from services.booking import Outcome
from services.deal_intake import DealFields
from services.editing import SaveResult, require_editor
from services.errors import BadRequest, ServiceError
from services.ports import Crm, HolidayCalendar, LeaveSource, Store
from services.records import ConsoleSettings, RejectedDelivery, SyncRun, Versioned
from services.rows import RowEdits
from services.syncing import Syncer


class AdminUseCases:
    store: Store
    syncer: Syncer
    crm: Crm | None
    settings: Any
    leave_source: LeaveSource | None
    holiday_calendar: HolidayCalendar | None

    def now(self) -> dt.datetime:
        raise NotImplementedError

    def today(self) -> dt.date:
        raise NotImplementedError

    def allocate(self, deal: Deal, source: str = "console") -> Outcome:
        raise NotImplementedError

    def advisers(self) -> tuple[Adviser, ...]:
        raise NotImplementedError

    def console_settings(self) -> Versioned[ConsoleSettings]:
        raise NotImplementedError

    # --- editing ---------------------------------------------------------------------------

    def closures_frame(self) -> pd.DataFrame:
        return editing.closures_frame(self.store.list_closures(), self.advisers())

    def save_closures(self, edits: RowEdits, actor: str, is_editor: bool) -> SaveResult:
        return editing.save_closures(edits, store=self.store, actor=actor, is_editor=is_editor)

    def overrides_frame(self) -> pd.DataFrame:
        notes = self.store.override_notes()
        return editing.overrides_frame(self.store.list_overrides(), self.advisers(), notes)

    def save_overrides(self, edits: RowEdits, actor: str, is_editor: bool) -> SaveResult:
        return editing.save_overrides(edits, store=self.store, actor=actor, is_editor=is_editor)

    def override_warnings(self) -> list[Any]:
        overrides = [v.value for v in self.store.list_overrides()]
        return editing.overlap_warnings(overrides, {a.id: a.name for a in self.advisers()})

    def save_settings(
        self, changes: Mapping[str, Any], version: str, actor: str, is_editor: bool
    ) -> ConsoleSettings:
        return settings_edit.save_settings(
            changes, version, store=self.store, actor=actor, is_editor=is_editor
        )

    def can_edit(self, email: str | None, local_mode: bool) -> bool:
        """Editors are listed in settings; with no list, local mode lets everyone edit."""
        editors = self.console_settings().value.editors
        if not editors:
            return local_mode
        return (email or "").strip().casefold() in {e.casefold() for e in editors}

    def admission(self, person: SignIn, admins: Collection[str] = ()) -> Admission:
        """Whether a signed-in person may use the console, and edit (``services.access``):
        ``admins`` are the configured first editors (``CONSOLE_ADMINS``)."""
        return access.admit(person, self.console_settings().value, admins)

    # --- rejected deliveries ---------------------------------------------------------------

    def rejections(self) -> list[RejectedDelivery]:
        """Deliveries refused for their content and not yet dealt with, newest first."""
        return self.store.list_rejections(status="open")

    def deal_fields(self) -> DealFields:
        """The deal property names the firm's HubSpot uses (HUBSPOT_DEAL_PROPERTIES)."""
        raw = self.settings.get("HUBSPOT_DEAL_PROPERTIES") if self.settings is not None else None
        try:
            return DealFields.parse(raw)
        except ValueError as exc:
            raise ServiceError(f"HUBSPOT_DEAL_PROPERTIES: {exc}") from None

    def rerun_rejection(self, rejection_id: str, actor: str, is_editor: bool) -> Outcome:
        """Decide a refused deal again, once the deal or the catalogue is fixed: read afresh
        from HubSpot when it is configured, else from what arrived. Still refused: the entry
        stays open with the new reason, and the error says why."""
        require_editor(is_editor, actor, "rejected deliveries")
        rejection = rejections.find(self.store, rejection_id)
        try:
            deal = rejections.deal_to_rerun(rejection, self.crm, self.deal_fields(), self.today())
            outcome = self.allocate(deal, source="console")
        except BadRequest as exc:
            self.store.record_rejection(replace(rejection, reason=str(exc)))
            raise
        names = {a.id: a.name for a in self.advisers()}
        done = outcome.record
        words = (
            f"already decided ({done.status.replace('_', ' ')})"
            if outcome.replay
            else f"allocated to {names.get(done.adviser_id or '', done.adviser_id)}"
            if done.adviser_id
            else "recorded as unallocated"
        )
        self.store.resolve_rejection(rejection_id, f"re-run by {actor}: {words}", actor)
        return outcome

    def dismiss_rejection(self, rejection_id: str, why: str, actor: str, is_editor: bool) -> None:
        """Close an entry nobody needs to act on (a test deal, a duplicate), saying why."""
        require_editor(is_editor, actor, "rejected deliveries")
        if not why.strip():
            raise BadRequest("say why this delivery needs no action (it is kept in the audit log)")
        self.store.resolve_rejection(rejection_id, f"dismissed by {actor}: {why.strip()}", actor)

    # --- public holidays -------------------------------------------------------------------

    def holiday_closures(self, country: str, subdivision: str, year: int) -> list[Closure]:
        """Weekday holidays not stored yet, for the Closures page to preview."""
        if self.holiday_calendar is None:
            raise ServiceError("public holidays are not available in this set-up")
        return console_edits.holiday_closures(
            self.store, self.holiday_calendar, country, subdivision, year
        )

    def import_holidays(
        self, closures: Sequence[Closure], actor: str, is_editor: bool
    ) -> SaveResult:
        return console_edits.import_holidays(
            closures, store=self.store, actor=actor, is_editor=is_editor
        )

    # --- syncs -----------------------------------------------------------------------------

    def run_sync(self, source: str, actor: str, is_editor: bool) -> SyncRun:
        """One recorded sync run; ``SyncInProgress`` when that source is already running."""
        require_editor(is_editor, actor, "syncs")
        return self.syncer.run(source, actor)

    def run_sync_group(self, group: str, actor: str, progress: Any = None) -> list[SyncRun]:
        """For schedulers (the command line): every source of ``group`` in turn."""
        return self.syncer.run_group(group, actor, progress)

    # --- Employment Hero connection --------------------------------------------------------

    def employment_hero(self) -> console_edits.Connectable | None:
        """The client that can be connected, or ``None`` when EH_* settings are missing."""
        client = self.leave_source
        return client if isinstance(client, console_edits.Connectable) else None

    def start_connect(self, actor: str, is_editor: bool) -> str:
        return console_edits.start_connect(
            self._connectable(), store=self.store, actor=actor, is_editor=is_editor,
            now=self.now(),
        )  # fmt: skip

    def finish_connect(self, code: str, state: str, actor: str, is_editor: bool) -> None:
        console_edits.finish_connect(
            self._connectable(), code, state, store=self.store, actor=actor,
            is_editor=is_editor, now=self.now(),
        )  # fmt: skip

    def _connectable(self) -> console_edits.Connectable:
        client = self.employment_hero()
        if client is None:
            raise ServiceError("Employment Hero is not configured (EH_CLIENT_ID and friends)")
        return client
