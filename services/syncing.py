"""Sync use cases: HubSpot advisers, meetings and open deals; Employment Hero leave; holidays.

Every sync is a recorded run (``store.start_sync`` refuses a second run of the same source
while one is going, so a click and the scheduler never overlap). A sync fetches everything
first and only then replaces its synced set through one ``replace_*`` call, so a fetch that
fails half-way leaves the previous data exactly as it was. Counts and notes (records that
could not be matched or read) are kept on the run; a failed run is posted to Chat. A source
with no account configured is recorded as *skipped*, with the reason: a schedule that runs
every source must not fail, or alarm, because one of them is deliberately not connected.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from allocation import Adviser, Closure, InvalidInput, Leave, Meeting, PendingDeal, week_of
from services import adviser_merge, outbox, policy
from services.errors import BadRequest, ConsoleError
from services.folders import Provisioned
from services.notifiers import safely
from services.ports import Crm, LeaveSource, Notifier, Store
from services.records import AuditEntry, ChangeCounts, EditBatch, OpenDeal, SyncRun

log = logging.getLogger("console.sync")

ADVISERS, MEETINGS, DEALS, LEAVE, HOLIDAYS, WRITEBACKS, FOLDERS = (
    "hubspot_advisers",
    "hubspot_meetings",
    "hubspot_deals",
    "leave",
    "holidays",
    "writebacks",
    "box_folders",
)
SOURCES = (ADVISERS, MEETINGS, DEALS, LEAVE, HOLIDAYS, WRITEBACKS, FOLDERS)
# "writebacks" drains the write-back outbox: the scheduled HubSpot job runs it every time, so
# a decision whose write-back was left behind (HubSpot down, a process that died) gets there.
GROUPS: dict[str, tuple[str, ...]] = {
    "all": SOURCES,
    "hubspot": (ADVISERS, MEETINGS, DEALS, WRITEBACKS, FOLDERS),
    "leave": (LEAVE,),
    "holidays": (HOLIDAYS,),
    # The outboxes: HubSpot write-backs, then Box client folders (``services.folders``).
    "writebacks": (WRITEBACKS, FOLDERS),
}
KEPT_FROM_CONSOLE = ("region", "monthly_limit", "end_date")  # not HubSpot properties


class CrmSource(Protocol):
    """The reading half of ``services.ports.Crm``: all a sync needs."""

    def fetch_advisers(self) -> list[Adviser]: ...

    def fetch_meetings(self, start: dt.date, end: dt.date) -> list[Meeting]: ...

    def fetch_open_deals(self) -> list[OpenDeal]: ...


HolidaySource = Callable[[int], list[Closure]]  # year → weekday public-holiday closures
Progress = Callable[[str, SyncRun], None]  # called as each source starts and finishes


@dataclass(frozen=True)
class Result:
    counts: ChangeCounts
    notes: tuple[str, ...] = ()


class SyncFailed(Exception):
    """A sync cannot go ahead (a suspicious reply, an unknown source)."""


class SourceNotConfigured(SyncFailed):
    """The source has no account configured; the message names the settings it needs."""


def _warnings_of(source: object) -> tuple[str, ...]:
    return tuple(getattr(source, "warnings", ()) or ())


class Syncer:
    def __init__(
        self,
        store: Store,
        *,
        crm: CrmSource | None = None,
        leave_source: LeaveSource | None = None,
        holidays: HolidaySource | None = None,
        notifier: Notifier | None = None,
        clock: Callable[[], dt.datetime],
        writer: Crm | None = None,
        folders: Callable[[], Provisioned] | None = None,
    ) -> None:
        self.store = store
        self.folders = folders  # drains the client-folder outbox (None: Box is off)
        self.crm = crm
        self.writer = writer  # HubSpot to write decisions to (none on demo data)
        self.leave_source = leave_source
        self.holidays = holidays
        self.notifier = notifier
        self.clock = clock

    # -- running ---------------------------------------------------------------------------

    def run(self, source: str, actor: str) -> SyncRun:
        """One recorded run. ``SyncInProgress`` propagates (nothing was started)."""
        work = self._work(source)
        run = self.store.start_sync(source, actor, self._now())
        try:
            result = work()
        except SourceNotConfigured as exc:
            return self._finish_skipped(run, str(exc))
        except (ConsoleError, InvalidInput, SyncFailed) as exc:
            return self._finish_failed(run, str(exc) or type(exc).__name__)
        except Exception as exc:  # a bug: record it so the run is not left 'running', re-raise
            self._finish_failed(run, f"unexpected {type(exc).__name__}: {exc}")
            raise
        finished = replace(
            run,
            status="ok",
            finished_at=self._now(),
            added=result.counts.added,
            updated=result.counts.updated,
            removed=result.counts.removed,
            errors=result.notes,
        )
        self.store.finish_sync(finished)
        self._audit(finished)
        return finished

    def run_group(self, group: str, actor: str, progress: Progress | None = None) -> list[SyncRun]:
        """Each source of ``group`` in turn; one failing does not stop the others."""
        if group not in GROUPS:
            raise SyncFailed(f"unknown sync {group!r}; choose one of {', '.join(GROUPS)}")
        runs = []
        for source in GROUPS[group]:
            run = self.run(source, actor)
            if progress is not None:
                progress(source, run)
            runs.append(run)
        return runs

    def _work(self, source: str) -> Callable[[], Result]:
        jobs: dict[str, Callable[[], Result]] = {
            ADVISERS: self.sync_advisers,
            MEETINGS: self.sync_meetings,
            DEALS: self.sync_open_deals,
            LEAVE: self.sync_leave,
            HOLIDAYS: self.sync_holidays,
            WRITEBACKS: self.drain_writebacks,
            FOLDERS: self.drain_folders,
        }
        if source not in jobs:
            raise SyncFailed(f"unknown sync source {source!r}; choose one of {', '.join(jobs)}")
        return jobs[source]

    def _finish_failed(self, run: SyncRun, error: str) -> SyncRun:
        failed = replace(run, status="failed", finished_at=self._now(), errors=(error,))
        self.store.finish_sync(failed)
        self._audit(failed)
        log.warning("sync %s failed: %s", run.source, error)
        if self.notifier is not None:
            notifier = self.notifier
            safely(lambda: notifier.sync_failed(failed), f"sync failure of {run.source}")
        return failed

    def _finish_skipped(self, run: SyncRun, reason: str) -> SyncRun:
        skipped = replace(run, status="skipped", finished_at=self._now(), errors=(reason,))
        self.store.finish_sync(skipped)
        self._audit(skipped)
        log.info("sync %s skipped: %s", run.source, reason)
        return skipped

    def _audit(self, run: SyncRun) -> None:
        after: dict[str, Any] = {"status": run.status, "added": run.added}
        after |= {"updated": run.updated, "removed": run.removed, "errors": list(run.errors)}
        entry = AuditEntry(self._now(), run.actor, f"sync.{run.source}", "sync_runs", run.id)
        self.store.append_audit(replace(entry, after=after))

    def _now(self) -> dt.datetime:
        return self.clock().astimezone(dt.UTC)

    def _today(self) -> dt.date:
        rules = policy.stored_settings(self.store).value.rules
        return self.clock().astimezone(rules.zone).date()

    def _require_crm(self) -> CrmSource:
        if self.crm is None:
            raise SourceNotConfigured("HubSpot is not configured (HUBSPOT_TOKEN)")
        return self.crm

    # -- the syncs -------------------------------------------------------------------------

    def drain_writebacks(self) -> Result:
        """Every due write-back in the outbox, once; a run where HubSpot took none fails."""
        if self.writer is None:
            raise SourceNotConfigured("HubSpot is not configured (HUBSPOT_TOKEN)")
        drained = outbox.drain(
            store=self.store, crm=self.writer, settings=policy.stored_settings(self.store).value,
            notifier=self.notifier, clock=self._now,
        )  # fmt: skip
        if drained.failed and not drained.written:
            raise SyncFailed(
                f"HubSpot took none of {drained.failed} write-back(s): {drained.errors[0]}"
            )
        notes = drained.errors
        if drained.gave_up:
            notes += (f"{drained.gave_up} write-back(s) given up on; retry them from the console",)
        return Result(ChangeCounts(updated=drained.written), notes)

    def drain_folders(self) -> Result:
        """Every due client folder, once; a run where Box made none of them fails."""
        if self.folders is None:
            raise SourceNotConfigured(
                "Box is not configured (BOX_CLIENT_ID, BOX_CLIENT_SECRET, BOX_ENTERPRISE_ID)"
            )
        try:
            drained = self.folders()
        except BadRequest as exc:  # the Box settings are incomplete: say so, loudly
            raise SyncFailed(str(exc)) from exc
        if drained.failed and not drained.done:
            raise SyncFailed(
                f"no client folder was finished of {drained.failed}: {drained.errors[0]}"
            )
        notes = drained.errors
        if drained.gave_up:
            notes += (f"{drained.gave_up} client folder(s) given up on; see Client folders",)
        return Result(ChangeCounts(added=drained.queued, updated=drained.done), notes)

    def sync_advisers(self) -> Result:
        crm = self._require_crm()
        fetched = crm.fetch_advisers()
        stored = {a.id: a for a in self.store.list_advisers()}
        if not fetched and stored:
            raise SyncFailed(f"HubSpot returned no advisers; keeping the {len(stored)} stored")
        merged = [_keep_console_fields(a, stored.get(a.id)) for a in fetched]
        counts = self.store.replace_advisers(merged)
        return Result(counts, _warnings_of(crm))

    def meeting_window(self) -> tuple[dt.date, dt.date]:
        rules = policy.stored_settings(self.store).value.rules
        current = week_of(self._today())
        start = current - dt.timedelta(weeks=rules.history_weeks + 1)
        return start, current + dt.timedelta(weeks=rules.horizon_weeks + 1)

    def sync_meetings(self) -> Result:
        crm = self._require_crm()
        start, end = self.meeting_window()
        meetings = crm.fetch_meetings(start, end)
        counts = self.store.replace_meetings(meetings, start, end)
        booked = [m.deal_id for m in meetings if m.kind == "clarify" and m.deal_id]
        dropped = self.store.drop_pending(booked) if booked else 0
        notes = _warnings_of(crm)
        if dropped:
            notes += (f"{dropped} pending deal(s) now have a Clarify booked; no longer pending",)
        return Result(counts, notes)

    def sync_open_deals(self) -> Result:
        crm = self._require_crm()
        deals = crm.fetch_open_deals()
        advisers = self.store.list_advisers()
        pending, notes = _pending_from(deals, advisers, self._today())
        counts = self.store.replace_open_deals(pending)
        return Result(counts, _warnings_of(crm) + notes)

    def sync_leave(self) -> Result:
        if self.leave_source is None:
            raise SourceNotConfigured(
                "Employment Hero is not configured (EH_CLIENT_ID, EH_CLIENT_SECRET)"
            )
        rules = policy.stored_settings(self.store).value.rules
        since = self._today()  # leave that started before today but is still running stays
        until = since + dt.timedelta(weeks=rules.horizon_weeks + 1)
        requests = self.leave_source.fetch_leave(since, until)
        # An Employment Hero alias set on the Advisers page matches as well as the own email.
        edits = [v.value for v in self.store.list_adviser_edits()]
        by_email = adviser_merge.aliases(self.store.list_advisers(), edits)
        leave: list[Leave] = []
        unmatched: Counter[str] = Counter()
        for request in requests:
            adviser_id = by_email.get(request.email.strip().casefold())
            if adviser_id is None:
                unmatched[request.email] += 1
                continue
            fraction = request.day_fraction
            leave.append(
                Leave(f"eh-{request.id}", adviser_id, request.start, request.end, fraction)
            )
        counts = self.store.replace_synced_leave(leave, since)
        notes = _warnings_of(self.leave_source) + tuple(
            f"Employment Hero employee {email} matches no adviser's email; "
            f"{n} leave request(s) not imported"
            for email, n in sorted(unmatched.items())
        )
        return Result(counts, notes)

    def sync_holidays(self) -> Result:
        """Adds the public holidays not yet stored; ones already there (perhaps edited by
        someone) are left alone, and deleted ones come back only if their id is unused."""
        if self.holidays is None:
            raise SourceNotConfigured("public holidays are not configured (HOLIDAYS_COUNTRY)")
        today = self._today()
        wanted = [c for year in (today.year, today.year + 1) for c in self.holidays(year)]
        existing = {v.value.id for v in self.store.list_closures()}
        new = tuple(c for c in wanted if c.id not in existing and c.end >= today)
        if new:
            self.store.save_closures(EditBatch(added=new), "sync")
        return Result(ChangeCounts(added=len(new)))


def _keep_console_fields(incoming: Adviser, stored: Adviser | None) -> Adviser:
    """Fields HubSpot does not hold keep the value the console has for them."""
    if stored is None:
        return incoming
    kept = {f: getattr(stored, f) for f in KEPT_FROM_CONSOLE if getattr(incoming, f) is None}
    return replace(incoming, **kept) if kept else incoming


def _pending_from(
    deals: Sequence[OpenDeal], advisers: Sequence[Adviser], today: dt.date
) -> tuple[list[PendingDeal], tuple[str, ...]]:
    """Open deals as pending load. The adviser is the deal's owner id when that is an adviser,
    else the adviser with the deal's ``advisor_email``. The week is the agreement start's (or,
    without one, the creation's): a past week counts in the current week, per the rules."""
    ids = {a.id for a in advisers}
    by_email = {a.email.strip().casefold(): a.id for a in advisers if a.email}
    pending: list[PendingDeal] = []
    notes: list[str] = []
    for deal in deals:
        adviser = deal.adviser_id if deal.adviser_id in ids else None
        if adviser is None and deal.adviser_email:
            adviser = by_email.get(deal.adviser_email.strip().casefold())
        if adviser is None:
            notes.append(f"open deal {deal.deal_id} names no known adviser; not counted")
            continue
        week = week_of(deal.agreement_start or deal.created or today)
        pending.append(PendingDeal(deal.deal_id, adviser, week))
    return pending, tuple(notes)
