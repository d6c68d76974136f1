from __future__ import annotations

import datetime as dt

import pytest

from allocation import Deal
from services.errors import BadRequest, Forbidden, NotFound
from services.records import ALLOCATED, UNALLOCATED, WRITEBACK_PENDING
from tests.builders import adviser
from tests.fake_ports import FakeCrm
from tests.unit.services_support import NOW, TODAY, firm, services


def test_a_deal_is_allocated_recorded_and_written_back_to_hubspot() -> None:
    crm = FakeCrm()
    svc, notifier = services(crm=crm)
    outcome = svc.booking.allocate(Deal("d1", "Series A"), source="webhook")
    assert outcome.status == ALLOCATED
    assert outcome.record.adviser_id == "dana"
    assert outcome.record.week == dt.date(2026, 3, 23)
    assert crm.writes == [("d1", "dana", "advisor")]
    assert svc.store.get_allocation("d1") == outcome.record
    assert [r.deal_id for r in notifier.decisions] == ["d1"]
    assert outcome.to_json() == {
        "deal_id": "d1",
        "status": "allocated",
        "adviser_id": "dana",
        "week": "2026-03-23",
        "replay": False,
    }


def test_replayed_delivery_returns_the_recorded_decision_and_writes_nothing() -> None:
    crm = FakeCrm()
    svc, notifier = services(crm=crm)
    first = svc.booking.allocate(Deal("d1", "Series A"))
    version = svc.store.data_version()
    again = svc.booking.allocate(Deal("d1", "Series A"))
    assert again.replay is True
    assert again.record == first.record
    assert svc.store.data_version() == version
    assert len(crm.writes) == 1
    assert len(notifier.decisions) == 1


def test_a_decision_made_on_stale_data_is_decided_again() -> None:
    store = firm()
    svc, _ = services(store)
    svc.browsing.snapshot()  # warm the cache, then change the data behind its back
    stale_version = svc.store.data_version()
    store.replace_advisers([adviser("dana"), adviser("eli"), adviser("aaron")])
    assert store.data_version() != stale_version
    outcome = svc.booking.allocate(Deal("d1", "Series A"))
    assert outcome.record.adviser_id == "aaron"  # only the fresh snapshot knows Aaron


def test_failed_writeback_stays_pending_then_retry_succeeds() -> None:
    crm = FakeCrm()
    crm.fail_next(1)
    svc, notifier = services(crm=crm)
    outcome = svc.booking.allocate(Deal("d1", "Series A"))
    assert outcome.status == WRITEBACK_PENDING
    assert outcome.record.writeback_attempts == 1
    assert "unavailable" in (outcome.record.last_error or "")
    assert [r.deal_id for r in svc.history.writebacks_pending()] == ["d1"]
    assert notifier.writeback_failures == []  # raised to Chat only when the outbox gives up
    assert [r.status for r in notifier.decisions] == [WRITEBACK_PENDING]  # the card says so

    retried = svc.booking.retry_writebacks()
    assert (retried.written, retried.failed) == (1, 0)
    assert svc.store.get_allocation("d1").writeback_attempts == 2  # type: ignore[union-attr]
    assert svc.history.writebacks_pending() == []
    assert crm.writes == [("d1", "dana", "advisor")]


def test_a_deal_nobody_can_take_is_recorded_unallocated_and_raised_to_ops() -> None:
    crm = FakeCrm()
    svc, notifier = services(crm=crm)
    outcome = svc.booking.allocate(Deal("d9", "IPO"))
    assert outcome.status == UNALLOCATED
    assert outcome.record.adviser_id is None
    assert [r.deal_id for r in notifier.alerts] == ["d9"]
    assert [r.deal_id for r in svc.history.unallocated()] == ["d9"]
    assert crm.writes == []


def test_a_broken_chat_webhook_never_fails_the_booking() -> None:
    svc, notifier = services(crm=FakeCrm())
    notifier.broken = True
    assert svc.booking.allocate(Deal("d1", "Series A")).status == ALLOCATED


@pytest.mark.parametrize(
    ("package", "message"),
    [("", "service package is missing"), ("Series Z", "unknown service package 'Series Z'")],
)
def test_missing_or_unknown_package_is_refused_and_nothing_is_written(
    package: str, message: str
) -> None:
    svc, _ = services()
    version = svc.store.data_version()
    with pytest.raises(BadRequest, match=message):
        svc.booking.allocate(Deal("d1", package))
    assert svc.store.data_version() == version
    assert svc.store.get_allocation("d1") is None


def test_reassignment_moves_the_deal_and_is_audited() -> None:
    crm = FakeCrm()
    svc, _ = services(crm=crm)
    svc.booking.allocate(Deal("d1", "Series A"))
    moved = svc.booking.reassign(
        "d1", "eli", dt.date(2026, 4, 1), "client asked for Eli", "ops@x.com", True
    )
    assert moved.record.adviser_id == "eli"
    assert moved.record.week == dt.date(2026, 3, 30)
    assert moved.status == ALLOCATED
    assert crm.writes[-1] == ("d1", "eli", "advisor")
    audit = svc.history.audit("allocations")
    assert audit
    assert audit[0].actor == "ops@x.com"


def test_viewers_cannot_reassign_and_unknown_deals_are_named() -> None:
    svc, _ = services()
    with pytest.raises(Forbidden):
        svc.booking.reassign("d1", "eli", TODAY, "why", "viewer@x.com", False)
    with pytest.raises(NotFound, match="d404"):
        svc.booking.reassign("d404", "eli", TODAY, "why", "ops@x.com", True)


def test_without_hubspot_a_decision_is_simply_allocated() -> None:
    svc, _ = services()
    outcome = svc.booking.allocate(Deal("d1", "Series A"))
    assert outcome.status == ALLOCATED
    assert outcome.record.decided_at == NOW
