"""The write-back outbox on the in-memory fakes: nothing lost, nothing written twice, nobody's
change undone, and a give-up said once."""

from __future__ import annotations

import dataclasses
import datetime as dt

from allocation import Deal
from services import Services, outbox
from services.records import ALLOCATED, WRITEBACK_FAILED, WRITEBACK_PENDING, AllocationRecord
from tests.builders import adviser
from tests.fake_ports import FakeCrm, RecordingNotifier
from tests.fakes import InMemoryStore

NOW = dt.datetime(2026, 3, 11, 1, 0, tzinfo=dt.UTC)


class Clock:
    """A clock the test moves on by hand."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now

    def later(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def firm(crm: FakeCrm, clock: Clock) -> tuple[Services, RecordingNotifier]:
    store = InMemoryStore(clock=clock)
    store.replace_advisers([adviser("dana"), adviser("eli")])
    notifier = RecordingNotifier()
    return Services(store, notifier, crm, clock=clock), notifier


def drain(svc: Services, crm: FakeCrm, clock: Clock, **options: object) -> outbox.Drained:
    settings = svc.editing.console_settings().value
    return outbox.drain(store=svc.store, crm=crm, settings=settings, notifier=svc.notifier,
                        clock=clock, **options)  # type: ignore[arg-type]  # fmt: skip


def stored(svc: Services, deal_id: str = "d1") -> AllocationRecord:
    record = svc.store.get_allocation(deal_id)
    assert record is not None
    return record


def test_a_booking_whose_process_died_before_writing_is_drained_once_its_lease_ends() -> None:
    crm, clock = FakeCrm(), Clock()
    svc, _ = firm(crm, clock)
    booked = svc.store.record_allocation(
        _pending(svc, lease_until=NOW + outbox.LEASE), based_on="0"
    )  # the booker's lease is held; it dies here
    assert drain(svc, crm, clock).skipped == 1  # someone (the dead booker) holds the lease
    clock.later(seconds=outbox.LEASE.total_seconds() + 1)
    done = drain(svc, crm, clock)
    assert (done.written, crm.writes) == (1, [("d1", booked.adviser_id, "advisor")])
    assert stored(svc).status == ALLOCATED
    assert drain(svc, crm, clock).written == 0  # nothing left: never written twice


def test_after_too_many_failures_it_gives_up_and_says_so_once() -> None:
    crm, clock = FakeCrm(), Clock()
    crm.fail_next(99)
    svc, notifier = firm(crm, clock)
    svc.store.record_allocation(_pending(svc), based_on="0")
    for _ in range(outbox.MAX_ATTEMPTS + 3):
        drain(svc, crm, clock)
        clock.later(hours=2)  # past any backoff
    final = stored(svc)
    assert (final.status, final.writeback_attempts) == (WRITEBACK_FAILED, outbox.MAX_ATTEMPTS)
    assert [r.deal_id for r, _ in notifier.writeback_failures] == ["d1"]
    assert final in svc.history.writebacks_failed()


def test_a_failed_attempt_waits_its_backoff_and_a_person_can_retry_at_once() -> None:
    crm, clock = FakeCrm(), Clock()
    crm.fail_next(1)
    svc, _ = firm(crm, clock)
    svc.store.record_allocation(_pending(svc), based_on="0")
    assert drain(svc, crm, clock).failed == 1
    assert stored(svc).next_attempt_at == NOW + outbox.FIRST_RETRY
    assert drain(svc, crm, clock).skipped == 1  # not due yet
    retried = svc.booking.retry_writebacks("d1", actor="ann@firm.au")
    assert retried.written == 1


def test_a_given_up_write_back_can_be_retried_by_a_person() -> None:
    crm, clock = FakeCrm(), Clock()
    svc, _ = firm(crm, clock)
    record = svc.store.record_allocation(_pending(svc), based_on="0")
    svc.store.update_allocation(
        dataclasses.replace(record, status=WRITEBACK_FAILED, writeback_attempts=8), "system"
    )
    assert svc.booking.retry_writebacks(actor="ann@firm.au").written == 1
    assert stored(svc).status == ALLOCATED


def test_a_booking_writes_back_before_chat_hears_and_the_card_says_written() -> None:
    crm, clock = FakeCrm(), Clock()
    svc, notifier = firm(crm, clock)
    outcome = svc.booking.allocate(Deal("d1", "Series A"))
    assert outcome.status == ALLOCATED
    [card] = notifier.decisions
    assert (card.status, card.writeback_attempts) == (ALLOCATED, 1)


# --- helpers ----------------------------------------------------------------------------------


def _load(svc: Services, adviser_id: str = "dana") -> str:
    found = [a for a in svc.store.booked_loads().loads if a.adviser_id == adviser_id]
    return found[0].version if found else "0"


def _pending(svc: Services, deal_id: str = "d1", **changes: object) -> AllocationRecord:
    record = AllocationRecord(
        deal_id=deal_id, status=WRITEBACK_PENDING, adviser_id="dana",
        week=dt.date(2026, 3, 23), service_package="Series A", household_type=None,
        agreement_start=None, decided_at=NOW, source="webhook",
    )  # fmt: skip
    return dataclasses.replace(record, **changes)  # type: ignore[arg-type]
