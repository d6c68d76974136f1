"""The write-back outbox: HubSpot learns every decision's adviser, once, whoever writes it.

A decision that books an adviser is recorded as ``writeback_pending`` *before* anything is
written to HubSpot, so a process that dies between the two loses nothing: the record is the
outbox entry. Whoever holds the record's unexpired lease is the only one writing it:

- the booking takes the lease in the same commit that records the decision, and writes at
  once (the webhook, within its time budget);
- a drainer (``drain``: the sync command's ``writebacks`` source, which the scheduled job
  runs, or a person pressing Retry) claims due records by compare-and-set on their version,
  so two drainers never write the same deal;
- a replayed delivery claims a pending record whose lease has run out (its booker died).

After writing, the holder records the outcome by compare-and-set. If the record changed
meanwhile (a person re-assigned the deal), the holder re-reads it and, when the adviser is
now someone else, writes again: the last word HubSpot hears is always the record's. A change
made while a lease is held leaves the lease alone (the holder finishes the job); a change
made while none is held takes it and writes at once.

Failures are retried with backoff (``next_attempt_at``); after ``MAX_ATTEMPTS`` the record is
``writeback_failed`` and raised to Chat, once, by the one writer whose outcome landed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from services.errors import Conflict, MalformedReply, UpstreamRejected, UpstreamUnavailable
from services.notifiers import notify_writeback_failed
from services.ports import Crm, Notifier, Store
from services.records import (
    ALLOCATED,
    WRITEBACK_FAILED,
    WRITEBACK_PENDING,
    AllocationRecord,
    ConsoleSettings,
)

log = logging.getLogger("console.outbox")

SYSTEM_ACTOR = "system"
WRITEBACK_ERRORS = (UpstreamUnavailable, UpstreamRejected, MalformedReply)
# Longer than any one holder's writing takes (HubSpot's timeouts and retries), so a lease
# only runs out when its holder died; then the next drain or replay picks the record up.
LEASE = dt.timedelta(seconds=60)
MAX_ATTEMPTS = 8
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_WAIT = dt.timedelta(hours=1)
# Rounds of "write, then the record had changed: write again" before leaving it to a drain.
MAX_ROUNDS = 3


@dataclass(frozen=True)
class Drained:
    """What one drain did: deals written, attempts that failed, deals given up on."""

    written: int = 0
    failed: int = 0
    gave_up: int = 0
    skipped: int = 0  # claimed by someone else first, or not due yet
    errors: tuple[str, ...] = ()


def backoff(attempts: int) -> dt.timedelta:
    """1 minute, 2, 4, … up to an hour between attempts."""
    wait: dt.timedelta = FIRST_RETRY * 2 ** min(max(0, attempts - 1), 10)
    return min(LONGEST_WAIT, wait)


def leased(record: AllocationRecord, now: dt.datetime) -> bool:
    return record.lease_until is not None and record.lease_until > now


def due(record: AllocationRecord, now: dt.datetime) -> bool:
    """Pending, nobody writing it, and its backoff over."""
    return (
        record.status == WRITEBACK_PENDING
        and not leased(record, now)
        and (record.next_attempt_at is None or record.next_attempt_at <= now)
    )


def claim(
    store: Store, record: AllocationRecord, now: dt.datetime, actor: str = SYSTEM_ACTOR
) -> AllocationRecord | None:
    """Take the record's lease, or None when someone changed or claimed it first."""
    try:
        return store.update_allocation(replace(record, lease_until=now + LEASE), actor=actor)
    except Conflict:
        return None


def write_back(
    record: AllocationRecord,
    *,
    store: Store,
    crm: Crm,
    settings: ConsoleSettings,
    notifier: Notifier | None,
    clock: Callable[[], dt.datetime],
    actor: str = SYSTEM_ACTOR,
) -> AllocationRecord:
    """Write the adviser of a record whose lease we hold, then record the outcome."""
    for _ in range(MAX_ROUNDS):
        if record.adviser_id is None:
            return record
        error: str | None = None
        try:
            crm.write_adviser(record.deal_id, record.adviser_id, settings.writeback_property)
        except WRITEBACK_ERRORS as exc:
            error = str(exc) or type(exc).__name__
        outcome = _written(record) if error is None else _failed(record, clock())
        outcome = replace(outcome, last_error=error)
        try:
            stored = store.update_allocation(outcome, actor=actor)
        except Conflict:
            latest = store.get_allocation(record.deal_id)
            if latest is None or latest.status not in (WRITEBACK_PENDING, WRITEBACK_FAILED):
                return latest or record  # someone else finished the job
            if latest.adviser_id != record.adviser_id:
                record = latest  # re-assigned while we wrote: HubSpot must hear the new word
                continue
            # Only something else changed (a note): carry our outcome onto the latest copy.
            again = _written(latest) if error is None else _failed(latest, clock())
            stored = _settle(store, replace(again, last_error=error), actor, latest)
        _report(stored, error, notifier)
        return stored
    log.warning("write-back of deal %s kept changing under us; left to the outbox", record.deal_id)
    return record


def _settle(
    store: Store, outcome: AllocationRecord, actor: str, latest: AllocationRecord
) -> AllocationRecord:
    """Record a write that landed on a record someone else touched (not its adviser)."""
    try:
        return store.update_allocation(outcome, actor=actor)
    except Conflict:
        return store.get_allocation(latest.deal_id) or latest


def _written(record: AllocationRecord) -> AllocationRecord:
    return replace(
        record,
        status=ALLOCATED,
        writeback_attempts=record.writeback_attempts + 1,
        last_error=None,
        lease_until=None,
        next_attempt_at=None,
    )


def _failed(record: AllocationRecord, now: dt.datetime) -> AllocationRecord:
    attempts = record.writeback_attempts + 1
    gave_up = attempts >= MAX_ATTEMPTS
    return replace(
        record,
        status=WRITEBACK_FAILED if gave_up else WRITEBACK_PENDING,
        writeback_attempts=attempts,
        lease_until=None,
        next_attempt_at=None if gave_up else now + backoff(attempts),
    )


def _report(record: AllocationRecord, error: str | None, notifier: Notifier | None) -> None:
    if error is None:
        return
    log.warning(
        "write-back of deal %s failed (attempt %d): %s",
        record.deal_id,
        record.writeback_attempts,
        error,
    )
    if record.status == WRITEBACK_FAILED:  # only the writer whose outcome landed gets here
        notify_writeback_failed(notifier, record, error)


def drain(
    *,
    store: Store,
    crm: Crm,
    settings: ConsoleSettings,
    notifier: Notifier | None,
    clock: Callable[[], dt.datetime],
    deal_id: str | None = None,
    forced: bool = False,
) -> Drained:
    """Write back every due record (or ``deal_id``'s). ``forced`` (a person pressing Retry)
    ignores the backoff and retries records given up on; a held lease is always respected.
    The outbox's own bookkeeping (claims, outcomes) is not audited as anyone's edit."""
    actor = SYSTEM_ACTOR
    if deal_id is not None:
        found = store.get_allocation(deal_id)
        candidates = [found] if found is not None else []
    else:
        candidates = store.list_allocations(status=WRITEBACK_PENDING)
        if forced:
            candidates += store.list_allocations(status=WRITEBACK_FAILED)
    written = failed = gave_up = skipped = 0
    errors: list[str] = []
    for record in candidates:
        now = clock()
        if not _wanted(record, now, forced):
            skipped += 1
            continue
        if record.status == WRITEBACK_FAILED:
            record = replace(record, status=WRITEBACK_PENDING, writeback_attempts=0)
        claimed = claim(store, record, now, actor)
        if claimed is None:
            skipped += 1
            continue
        done = write_back(
            claimed, store=store, crm=crm, settings=settings, notifier=notifier, clock=clock,
            actor=actor,
        )  # fmt: skip
        if done.status == ALLOCATED:
            written += 1
        else:
            failed += 1
            gave_up += done.status == WRITEBACK_FAILED
            errors.append(f"deal {done.deal_id}: {done.last_error or 'not written'}")
    return Drained(written, failed, gave_up, skipped, tuple(errors))


def _wanted(record: AllocationRecord, now: dt.datetime, forced: bool) -> bool:
    if leased(record, now):
        return False
    if forced:
        return record.status in (WRITEBACK_PENDING, WRITEBACK_FAILED)
    return due(record, now)
