"""The write-back outbox over every store: a re-assignment made while a Retry is writing
stands (in the store and in HubSpot), and two drainers at once write each deal once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

from services import Services, outbox
from services.ports import Store
from services.records import ALLOCATED, WRITEBACK_PENDING, AllocationRecord
from tests.builders import adviser
from tests.contract.support import NOON, allocation, record
from tests.fake_ports import FakeCrm, RecordingNotifier


def pending(deal_id: str) -> AllocationRecord:
    return allocation(deal_id, "dana", status=WRITEBACK_PENDING)


class ReassignWhileWriting(FakeCrm):
    """HubSpot that, while Dana's write is on the wire, lets a person re-assign the deal."""

    services: Services | None = None
    moving = "deal-1"

    def write_adviser(self, deal_id: str, adviser_id: str, property_name: str) -> None:
        if (deal_id, adviser_id) == (self.moving, "dana") and self.services is not None:
            services, self.services = self.services, None
            services.booking.reassign(deal_id, "eli", dt.date(2026, 3, 30), "client asked",
                              "ann@firm.au", is_editor=True)  # fmt: skip
        super().write_adviser(deal_id, adviser_id, property_name)


class OutboxContract:
    def test_a_reassignment_during_retry_all_stands_in_the_store_and_in_hubspot(
        self, store: Store
    ) -> None:
        store.replace_advisers([adviser("dana"), adviser("eli")])
        crm = ReassignWhileWriting()
        svc = Services(store, RecordingNotifier(), crm, clock=lambda: NOON)
        crm.services = svc
        for deal_id in ("deal-1", "deal-2"):
            record(store, pending(deal_id))
        svc.booking.retry_writebacks(actor="bob@firm.au")  # Retry all: deal-1 moves while it writes
        moved, other = store.get_allocation("deal-1"), store.get_allocation("deal-2")
        assert moved is not None
        assert other is not None
        assert (moved.adviser_id, moved.status) == ("eli", ALLOCATED)
        assert other.status == ALLOCATED
        assert [w for w in crm.writes if w[0] == "deal-1"][-1] == ("deal-1", "eli", "advisor")
        reassigned = [e for e in store.list_audit("allocations") if e.entity_id == "deal-1"]
        assert [(e.action, e.actor) for e in reassigned] == [("allocation.reassign", "ann@firm.au")]

    def test_two_drainers_at_once_write_each_deal_once(self, store: Store) -> None:
        store.replace_advisers([adviser("dana")])
        for n in range(5):
            record(store, pending(f"deal-{n}"))
        crm = FakeCrm()
        settings = store.get_settings().value
        barrier = threading.Barrier(2)
        results: list[outbox.Drained] = []

        def drainer() -> None:
            barrier.wait()
            results.append(outbox.drain(store=store, crm=crm, settings=settings, notifier=None,
                                        clock=lambda: NOON))  # fmt: skip

        threads = [threading.Thread(target=drainer) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(r.written for r in results) == 5
        assert sorted(d for d, _, _ in crm.writes) == [f"deal-{n}" for n in range(5)]
        assert all(r.status == ALLOCATED for r in store.list_allocations())

    def test_the_outbox_never_writes_a_deal_someone_holds(self, store: Store) -> None:
        store.replace_advisers([adviser("dana")])
        held = dataclasses.replace(pending("deal-1"), lease_until=NOON + outbox.LEASE)
        record(store, held)
        crm = FakeCrm()
        drained = outbox.drain(store=store, crm=crm, settings=store.get_settings().value,
                               notifier=None, clock=lambda: NOON)  # fmt: skip
        assert (drained.written, drained.skipped, crm.writes) == (0, 1, [])
