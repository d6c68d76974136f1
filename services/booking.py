"""Allocate a deal and record it, write the adviser back to HubSpot, retry and re-assign.

The console and the webhook both come through here. The store's ``record_allocation`` is the
transaction that keeps bookings honest: it refuses a replay (``AlreadyRecorded``) and a
decision made on data that has since changed (``StaleEdit``), in which case we re-decide.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import Any

from allocation import Deal, Snapshot, allocate, normalise, week_of
from integrations.errors import (
    AlreadyRecorded,
    MalformedReply,
    StaleEdit,
    UpstreamRejected,
    UpstreamUnavailable,
)
from services.errors import BadRequest, Busy, NotFound
from services.notifiers import notify_decision, notify_writeback_failed
from services.ports import Crm, Notifier, Store
from services.records import (
    ALLOCATED,
    DEFAULT_SERVICE_PACKAGES,
    UNALLOCATED,
    WRITEBACK_PENDING,
    AllocationRecord,
    ConsoleSettings,
    record_of,
)
from services.snapshots import SnapshotCache

log = logging.getLogger("console.booking")

MAX_DECISION_ATTEMPTS = 8
SYSTEM_ACTOR = "system"
WRITEBACK_ERRORS = (UpstreamUnavailable, UpstreamRejected, MalformedReply)


@dataclass(frozen=True)
class Outcome:
    """What happened to one deal; ``replay`` means it was decided before and nothing changed."""

    record: AllocationRecord
    replay: bool = False

    @property
    def deal_id(self) -> str:
        return self.record.deal_id

    @property
    def status(self) -> str:
        return self.record.status

    def to_json(self) -> dict[str, Any]:
        """The webhook's answer for this deal."""
        week = self.record.week
        return {
            "deal_id": self.record.deal_id,
            "status": self.record.status,
            "adviser_id": self.record.adviser_id,
            "week": week.isoformat() if week else None,
            "replay": self.replay,
        }


def check_package_given(deal: Deal) -> None:
    if not deal.id or not str(deal.id).strip():
        raise BadRequest("the deal id is missing")
    if not normalise(deal.service_package):
        raise BadRequest(f"deal {deal.id}: the service package is missing")


def check_package_known(deal: Deal, snapshot: Snapshot, catalogue: Sequence[str]) -> None:
    """A package in the firm's catalogue (``ConsoleSettings.service_packages``) is valid even
    while no adviser offers it: the deal is then recorded as unallocated and raised to ops, not
    refused as a typo. Names compare trimmed and case-insensitively."""
    wanted = normalise(deal.service_package)
    if any(normalise(p) == wanted for p in catalogue):
        return
    if any(a.offers(deal.service_package) for a in snapshot.advisers):
        return
    raise BadRequest(
        f"deal {deal.id}: unknown service package {deal.service_package!r} "
        f"(known: {', '.join(known_packages(snapshot, catalogue))})"
    )


def known_packages(
    snapshot: Snapshot, catalogue: Sequence[str] = DEFAULT_SERVICE_PACKAGES
) -> list[str]:
    """The catalogue plus anything an adviser offers, in catalogue order then by name."""
    names = {normalise(p): p for p in catalogue}
    for adviser in snapshot.advisers:
        for package in adviser.service_packages:
            names.setdefault(normalise(package), package)
    order = {normalise(p): i for i, p in enumerate(catalogue)}
    return sorted(names.values(), key=lambda p: (order.get(normalise(p), len(order)), p.casefold()))


def allocate_and_record(
    deal: Deal,
    *,
    store: Store,
    cache: SnapshotCache,
    notifier: Notifier | None,
    crm: Crm | None,
    settings: ConsoleSettings,
    today: dt.date,
    now: dt.datetime,
    source: str,
    booking_lock: AbstractContextManager[Any] | None = None,
) -> Outcome:
    """Decide, book in one store transaction, notify, then write the adviser back to HubSpot."""
    check_package_given(deal)
    existing = store.get_allocation(deal.id)
    if existing is not None:
        return Outcome(existing, replay=True)
    # One process's bookings may queue on ``booking_lock`` (the webhook's threads do): they
    # would only refuse each other as stale; the store's transaction still guards the rest.
    with booking_lock or contextlib.nullcontext():
        for _ in range(MAX_DECISION_ATTEMPTS):
            snapshot, version = cache.get(store, today)
            check_package_known(deal, snapshot, settings.service_packages)
            record = _decide(deal, snapshot, today, now, source, writeback=crm is not None)
            try:
                recorded = store.record_allocation(record, based_on=version)
            except StaleEdit:
                continue  # someone booked since our snapshot: decide again on fresh data
            except AlreadyRecorded as exc:
                return Outcome(exc.record, replay=True)  # type: ignore[arg-type]
            break
        else:
            raise Busy(f"deal {deal.id}: too many simultaneous bookings, try again shortly")
    notify_decision(notifier, recorded)
    if recorded.status == WRITEBACK_PENDING and crm is not None:
        recorded = write_back(recorded, store=store, notifier=notifier, crm=crm, settings=settings)
    return Outcome(recorded)


def _decide(
    deal: Deal, snapshot: Snapshot, today: dt.date, now: dt.datetime, source: str, writeback: bool
) -> AllocationRecord:
    decision = allocate(deal, snapshot, today)
    if decision.adviser_id is None:
        status = UNALLOCATED
    else:
        # Recorded as pending until HubSpot confirms, so a crash between the two loses nothing.
        status = WRITEBACK_PENDING if writeback else ALLOCATED
    return record_of(deal, decision, status=status, decided_at=now, source=source)


def write_back(
    record: AllocationRecord,
    *,
    store: Store,
    notifier: Notifier | None,
    crm: Crm,
    settings: ConsoleSettings,
    actor: str = SYSTEM_ACTOR,
) -> AllocationRecord:
    """One write-back attempt; the record's status and attempts are updated either way."""
    if record.adviser_id is None:
        return record
    attempts = record.writeback_attempts + 1
    try:
        crm.write_adviser(record.deal_id, record.adviser_id, settings.writeback_property)
    except WRITEBACK_ERRORS as exc:
        error = str(exc) or type(exc).__name__
        failed = replace(record, status=WRITEBACK_PENDING, writeback_attempts=attempts)
        failed = replace(failed, last_error=error)
        store.update_allocation(failed, actor=actor)
        log.warning("write-back pending deal=%s attempts=%d", record.deal_id, attempts)
        notify_writeback_failed(notifier, failed, error)
        return failed
    done = replace(record, status=ALLOCATED, writeback_attempts=attempts, last_error=None)
    store.update_allocation(done, actor=actor)
    return done


def retry_writebacks(
    *,
    store: Store,
    notifier: Notifier | None,
    crm: Crm | None,
    settings: ConsoleSettings,
    deal_id: str | None = None,
    actor: str = SYSTEM_ACTOR,
) -> list[Outcome]:
    """Try every pending write-back again (or just ``deal_id``'s)."""
    if crm is None:
        raise BadRequest("HubSpot is not configured (HUBSPOT_TOKEN), so nothing can be written")
    if deal_id is not None:
        record = store.get_allocation(deal_id)
        if record is None:
            raise NotFound(f"deal {deal_id} has no recorded allocation")
        pending = [record] if record.status == WRITEBACK_PENDING else []
    else:
        pending = store.list_allocations(status=WRITEBACK_PENDING)
    return [
        Outcome(
            write_back(r, store=store, notifier=notifier, crm=crm, settings=settings, actor=actor)
        )
        for r in pending
    ]


def reassign(
    deal_id: str,
    adviser_id: str,
    week: dt.date,
    reason: str,
    actor: str,
    *,
    store: Store,
    snapshot: Snapshot,
    notifier: Notifier | None,
    crm: Crm | None,
    settings: ConsoleSettings,
) -> Outcome:
    """Give a recorded deal to another adviser and week by hand (audited with the reason)."""
    record = store.get_allocation(deal_id)
    if record is None:
        raise NotFound(f"deal {deal_id} has no recorded allocation to re-assign")
    if adviser_id not in {a.id for a in snapshot.advisers}:
        raise BadRequest(f"deal {deal_id}: unknown adviser {adviser_id!r}")
    if not reason.strip():
        raise BadRequest(f"deal {deal_id}: a reason for the re-assignment is required")
    moved = replace(
        record,
        adviser_id=adviser_id,
        week=week_of(week),
        status=WRITEBACK_PENDING if crm is not None else ALLOCATED,
        source=f"reassign:{actor}",
        writeback_attempts=0,
        last_error=None,
        note=reason.strip(),
    )
    store.update_allocation(moved, actor=actor, reason=reason.strip())
    notify_decision(notifier, moved)
    if crm is not None:
        moved = write_back(moved, store=store, notifier=notifier, crm=crm, settings=settings)
    return Outcome(moved)
