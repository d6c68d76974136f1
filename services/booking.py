"""Allocate a deal and record it, write the adviser back to HubSpot, retry and re-assign.

The console and the webhook both come through here. The store's ``record_allocation`` is the
compare-and-set that keeps bookings honest: it refuses a replay (``AlreadyRecorded``) and a
booking decided on an out-of-date picture of the chosen adviser (``Conflict``), in which case
we re-decide on the news. Writing to HubSpot goes through the outbox (``services.outbox``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import Any

from allocation import Deal, Snapshot, allocate, normalise, week_of
from services import outbox
from services.errors import AlreadyRecorded, BadRequest, Busy, Conflict, NotFound
from services.notifiers import notify_decision
from services.ports import Crm, Notifier, Store
from services.records import (
    ALLOCATED,
    DEFAULT_SERVICE_PACKAGES,
    UNALLOCATED,
    WRITEBACK_PENDING,
    AllocationRecord,
    AuditEntry,
    ConsoleSettings,
    record_of,
)
from services.snapshots import Prepared, SnapshotCache

log = logging.getLogger("console.booking")

# Each lost race means the chosen adviser was booked meanwhile; the next decision reads only
# that news, so many rounds are cheap (several processes' bookings racing for the one best
# adviser settle one per round).
MAX_DECISION_ATTEMPTS = 40
SYSTEM_ACTOR = outbox.SYSTEM_ACTOR


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
    today: dt.date,
    clock: Callable[[], dt.datetime],
    source: str,
    booking_lock: AbstractContextManager[Any] | None = None,
    write_now: bool = True,
) -> Outcome:
    """Decide → record → write back → notify.

    The decision is recorded before anything is written to HubSpot (as write-back pending,
    with the lease held), so nothing is lost if the process dies after booking; the Chat card
    is posted last, so it says whether HubSpot has the adviser. ``write_now=False`` leaves the
    write-back to the outbox (a caller out of time).
    """
    check_package_given(deal)
    existing = store.get_allocation(deal.id)
    if existing is not None:
        return Outcome(existing, replay=True)
    # One process's bookings may queue on ``booking_lock`` (the webhook's threads do): they
    # would only refuse each other; the store's compare-and-set still guards the rest.
    with booking_lock or contextlib.nullcontext():
        for _ in range(MAX_DECISION_ATTEMPTS):
            prepared = cache.get(store, today)
            check_package_known(deal, prepared.snapshot, prepared.settings.service_packages)
            record = _decide(deal, prepared, today, clock(), source, writeback=crm is not None)
            based_on = prepared.load_version(record.adviser_id or "")
            try:
                recorded = store.record_allocation(record, based_on=based_on)
            except Conflict:
                continue  # the adviser was booked since our snapshot: decide again on the news
            except AlreadyRecorded as exc:
                return Outcome(exc.record, replay=True)  # type: ignore[arg-type]
            break
        else:
            raise Busy(f"deal {deal.id}: too many simultaneous bookings, try again shortly")
    if recorded.status == WRITEBACK_PENDING and crm is not None and write_now:
        recorded = outbox.write_back(
            recorded, store=store, crm=crm, settings=prepared.settings, notifier=notifier,
            clock=clock,
        )  # fmt: skip
    notify_decision(notifier, recorded)
    return Outcome(recorded)


def record_as_decided(store: Store, record: AllocationRecord) -> AllocationRecord:
    """Record a decision made elsewhere (demo history, imports), booking on the adviser's
    load as it is now: no re-decision, so only for records nobody is racing."""
    load = next((a for a in store.booked_loads().loads if a.adviser_id == record.adviser_id), None)
    return store.record_allocation(record, based_on=load.version if load else "0")


def _decide(
    deal: Deal,
    prepared: Prepared,
    today: dt.date,
    now: dt.datetime,
    source: str,
    writeback: bool,
) -> AllocationRecord:
    decision = allocate(deal, prepared.snapshot, today)
    if decision.adviser_id is None:
        return record_of(deal, decision, status=UNALLOCATED, decided_at=now, source=source)
    if not writeback:
        return record_of(deal, decision, status=ALLOCATED, decided_at=now, source=source)
    # Recorded as pending (the outbox) with our lease, so a crash before HubSpot hears of it
    # loses nothing and nobody else writes it meanwhile.
    return record_of(
        deal, decision, status=WRITEBACK_PENDING, decided_at=now, source=source,
        lease_until=now + outbox.LEASE,
    )  # fmt: skip


def retry_writebacks(
    *,
    store: Store,
    notifier: Notifier | None,
    crm: Crm | None,
    settings: ConsoleSettings,
    clock: Callable[[], dt.datetime],
    deal_id: str | None = None,
    actor: str = SYSTEM_ACTOR,
) -> outbox.Drained:
    """A person's Retry: every pending or given-up write-back now (or just ``deal_id``'s)."""
    if crm is None:
        raise BadRequest("HubSpot is not configured (HUBSPOT_TOKEN), so nothing can be written")
    if deal_id is not None and store.get_allocation(deal_id) is None:
        raise NotFound(f"deal {deal_id} has no recorded allocation")
    drained = outbox.drain(
        store=store, crm=crm, settings=settings, notifier=notifier, clock=clock,
        deal_id=deal_id, forced=True,
    )  # fmt: skip
    if actor != SYSTEM_ACTOR:
        done = {"written": drained.written, "failed": drained.failed, "busy": drained.skipped}
        entry = AuditEntry(clock(), actor, "writeback.retry", "allocations", deal_id or "all")
        store.append_audit(replace(entry, after=done))
    return drained


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
    clock: Callable[[], dt.datetime],
    based_on: str | None = None,
) -> Outcome:
    """Give a recorded deal to another adviser and week by hand (audited with the reason).

    The change is a compare-and-set on the record: if a write-back holds the record's lease,
    the lease is kept and its holder writes the new adviser when it sees the change; otherwise
    this takes the lease and writes back at once. With ``based_on`` (the adviser's load version
    the checks saw) it is also refused (``Conflict``) when that adviser was booked meanwhile.
    """
    if adviser_id not in {a.id for a in snapshot.advisers}:
        raise BadRequest(f"deal {deal_id}: unknown adviser {adviser_id!r}")
    if not reason.strip():
        raise BadRequest(f"deal {deal_id}: a reason for the re-assignment is required")
    record = store.get_allocation(deal_id)
    if record is None:
        raise NotFound(f"deal {deal_id} has no recorded allocation to re-assign")
    now = clock()
    held = outbox.leased(record, now)
    moved = replace(
        record,
        adviser_id=adviser_id,
        week=week_of(week),
        status=WRITEBACK_PENDING if crm is not None else ALLOCATED,
        source=f"reassign:{actor}",
        writeback_attempts=0,
        last_error=None,
        note=reason.strip(),
        next_attempt_at=None,
        lease_until=record.lease_until if held else (now + outbox.LEASE if crm else None),
    )
    try:
        stored = store.update_allocation(
            moved, actor=actor, reason=reason.strip(), based_on=based_on
        )
    except Conflict as exc:
        raise Conflict(f"{exc}; nothing was re-assigned") from exc
    if crm is not None and not held:
        stored = outbox.write_back(
            stored, store=store, crm=crm, settings=settings, notifier=notifier, clock=clock
        )
    notify_decision(notifier, stored)
    return Outcome(stored)


def heal_replay(
    outcome: Outcome,
    *,
    store: Store,
    crm: Crm | None,
    settings: ConsoleSettings,
    notifier: Notifier | None,
    clock: Callable[[], dt.datetime],
) -> Outcome:
    """A replayed deal whose write-back was left behind gets it done now (the webhook's and
    the console's replays alike).

    Only a record nobody is writing qualifies: its lease ran out (the process that booked it
    died before HubSpot heard) and its backoff is over. Claiming it is a compare-and-set, so
    of several replays at once one writes and the others answer with the record as it is.
    """
    record = outcome.record
    now = clock()
    if not outcome.replay or crm is None or not outbox.due(record, now):
        return outcome
    claimed = outbox.claim(store, record, now)
    if claimed is None:
        return outcome
    healed = outbox.write_back(
        claimed, store=store, crm=crm, settings=settings, notifier=notifier, clock=clock
    )
    return Outcome(healed, replay=True)
