"""The client-folders outbox on the in-memory store: queued once per deal, off without Box,
never blocking a booking, and an outage met once per drain rather than once per folder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from allocation import Deal
from integrations.demo_box import DEMO_SETTINGS
from services import Services, folders
from services.folder_records import FOLDER_PENDING, FOLDER_PROVISIONED
from tests.builders import adviser
from tests.fake_ports import FakeBox, RecordingNotifier
from tests.fakes import InMemoryStore

NOW = dt.datetime(2026, 3, 11, 1, 0, tzinfo=dt.UTC)


class Deals:
    """HubSpot's deal fields: every deal has a name and a client email."""

    def read_deal(self, deal_id: str, properties: Sequence[str]) -> dict[str, str | None]:
        return {properties[0]: f"Household {deal_id}", properties[1]: f"c{deal_id}@example.com"}

    def contact_emails(self, deal_id: str) -> list[str]:
        return []

    def write_deal_property(self, deal_id: str, name: str, value: str) -> None:
        pass


def firm(box: FakeBox | None) -> Services:
    store = InMemoryStore(clock=lambda: NOW)
    store.replace_advisers([adviser("dana", "Dana", ("Series A",))])
    stored = store.get_settings()
    store.save_settings(replace(stored.value, box=DEMO_SETTINGS), stored.version, "seed")
    deals = Deals()
    return Services(store, RecordingNotifier(), clock=lambda: NOW, box=box, box_deals=deals,
                    box_links=deals)  # fmt: skip


def test_an_allocation_queues_its_folder_once_however_often_it_is_replayed() -> None:
    svc = firm(FakeBox())
    for _ in range(3):
        svc.booking.allocate(Deal("d-2", "Series A"))
    [queued] = svc.store.folders.list_folders()
    assert (queued.deal_id, queued.status, queued.adviser_id) == ("d-2", FOLDER_PENDING, "dana")


def test_without_box_nothing_is_queued() -> None:
    svc = firm(None)
    svc.booking.allocate(Deal("d-2", "Series A"))
    assert svc.store.folders.list_folders() == []
    assert not svc.folders.configured


def test_a_store_hiccup_while_queueing_never_fails_the_booking_and_the_sweep_queues_it() -> None:
    box = FakeBox()
    svc = firm(box)
    broken = svc.store.folders

    class Refusing:
        def __getattr__(self, name: str) -> object:
            if name == "add_folder":
                from services.errors import StoreUnavailable

                def refuse(*_: object) -> None:
                    raise StoreUnavailable("the store is down")

                return refuse
            return getattr(broken, name)

    object.__setattr__(svc.store, "folders", Refusing())
    outcome = svc.booking.allocate(Deal("d-2", "Series A"))
    assert outcome.record.books
    object.__setattr__(svc.store, "folders", broken)
    done = svc.folders.drain()
    assert (done.queued, done.done) == (1, 1)
    assert box.copies == 1


def test_an_outage_is_met_once_per_drain_and_the_rest_wait_for_the_next() -> None:
    box = FakeBox()
    svc = firm(box)
    for n in range(3):
        svc.booking.allocate(Deal(f"d-{n}", "Series A"))
    box.down = True
    done = svc.folders.drain()
    assert (done.failed, done.skipped) == (1, 2)
    attempts = sorted(f.attempts for f in svc.store.folders.list_folders())
    assert attempts == [0, 0, 1]
    box.down = False
    later = svc.folders.provisioner()
    later.clock = lambda: NOW + dt.timedelta(hours=2)
    assert later.drain().done == 3
    assert {f.status for f in svc.store.folders.list_folders()} == {FOLDER_PROVISIONED}
    assert box.copies == 3


def test_the_queue_helper_ignores_decisions_that_book_nobody() -> None:
    svc = firm(FakeBox())
    outcome = svc.booking.allocate(Deal("d-9", "Seed"))  # nobody offers Seed
    assert not outcome.record.books
    assert folders.queue(svc.store, outcome.record, NOW) is None
    assert svc.store.folders.list_folders() == []


def test_a_folder_shared_before_the_address_was_kept_still_loses_its_previous_adviser() -> None:
    """A record provisioned by an older console names only the adviser: a re-assignment looks
    their address up, so the sharing step can remove them after adding the new adviser."""
    box = FakeBox()
    svc = firm(box)
    svc.store.replace_advisers([adviser("dana", "Dana"), adviser("eli", "Eli")])
    svc.booking.allocate(Deal("d-2", "Series A"))
    svc.folders.drain()
    record = svc.store.folders.get_folder("d-2")
    assert record is not None
    assert record.status == FOLDER_PROVISIONED
    svc.store.folders.update_folder(replace(record, shared_adviser=""))  # as stored before
    first = str(record.adviser_id)
    other = "eli" if first == "dana" else "dana"
    booked = svc.store.get_allocation("d-2")
    assert booked is not None
    assert booked.week is not None
    svc.booking.reassign("d-2", other, booked.week, "client asked", "ops@firm.au", True)
    svc.folders.drain()
    shared = box.collaborators(str(record.folder_id))
    assert f"{other}@example.com" in shared
    assert f"{first}@example.com" not in shared


def test_an_adviser_without_an_email_is_a_fix_named_not_a_folder_shared_with_nobody() -> None:
    box = FakeBox()
    svc = firm(box)
    svc.store.replace_advisers([replace(adviser("dana", "Dana"), email="")])
    svc.booking.allocate(Deal("d-2", "Series A"))
    svc.folders.drain()
    record = svc.store.folders.get_folder("d-2")
    assert record is not None
    assert (record.status, record.needs_fix, record.step) == ("gave_up", True, "tagged")
    assert "Dana has no email address in HubSpot" in str(record.last_error)
