"""The Firestore store keeps the store contract on the emulator, plus what only Firestore has:
versions that are document update times, preconditions that catch an edit landing between a
save's read and its commit, separate clients racing, and one project per test."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from google.cloud import firestore

from allocation import Closure
from devtools.firestore_emulator import Emulator, free_port
from integrations.firestore import FirestoreStore
from integrations.firestore.client import CLOSURES, version_of
from services.errors import AlreadyRecorded, ConfigurationError, Conflict, SyncInProgress
from services.records import EditBatch
from tests.builders import adviser, d
from tests.contract.store_contract import StoreContract
from tests.contract.support import allocation, at, load_version, record

pytestmark = pytest.mark.emulator


@pytest.fixture
def store(firestore_project: str) -> FirestoreStore:
    return FirestoreStore(firestore_project)


class TestFirestoreStore(StoreContract):
    """The shared contract, run against the emulator (``store`` comes from this module)."""

    @pytest.fixture
    def plant(
        self, firestore_project: str
    ) -> Iterator[Callable[[FirestoreStore, str, str, dict[str, Any]], None]]:
        client = firestore.Client(project=firestore_project)

        def write(store: FirestoreStore, collection: str, rid: str, row: dict[str, Any]) -> None:
            client.collection(collection).document(rid).set({**row, "origin": "synced"})

        yield write
        client.close()


def easter(end: str = "2026-04-06") -> Closure:
    return Closure("easter", d("2026-04-03"), d(end), "Easter")


@pytest.fixture
def other_client(firestore_project: str) -> Iterator[firestore.Client]:
    """A second client on the same database, as a second console instance would have."""
    client = firestore.Client(project=firestore_project)
    yield client
    client.close()


class TestFirestoreSpecifics:
    def test_a_closure_version_is_its_document_update_time(
        self, store: FirestoreStore, other_client: firestore.Client
    ) -> None:
        store.save_closures(EditBatch(added=(easter(),)), actor="ann")
        [listed] = store.list_closures()
        document = other_client.collection(CLOSURES).document("easter").get()
        assert listed.version == version_of(document)

    def test_an_edit_landing_between_a_save_and_its_commit_is_refused_by_name(
        self, store: FirestoreStore, other_client: firestore.Client
    ) -> None:
        store.save_closures(EditBatch(added=(easter(),)), actor="ann")
        [seen] = store.list_closures()
        ref = other_client.collection(CLOSURES).document("easter")
        # The rival writes after our store has checked versions but before it commits.
        original_current = store.edits._current

        def read_then_rival_writes(collection: str, ids: list[str]) -> dict:
            current = original_current(collection, ids)
            ref.update({"description": "changed elsewhere"})
            store.edits._current = original_current  # type: ignore[method-assign]
            return current

        store.edits._current = read_then_rival_writes  # type: ignore[method-assign]
        late = EditBatch(updated=((easter("2026-04-07"), seen.version),))
        with pytest.raises(Conflict, match="closure easter was changed by someone else"):
            store.save_closures(late, actor="bob")
        [kept] = store.list_closures()
        assert kept.value.end == d("2026-04-06")
        assert [e.actor for e in store.list_audit("closures")] == ["ann"]

    def test_two_store_instances_booking_the_same_deal_record_it_once(
        self, firestore_project: str
    ) -> None:
        stores = [FirestoreStore(firestore_project) for _ in range(8)]
        stores[0].replace_advisers([adviser("dana")])
        version = load_version(stores[0], "dana")
        barrier = threading.Barrier(len(stores))

        def book(s: FirestoreStore) -> str:
            barrier.wait()
            try:
                s.record_allocation(allocation("deal-1"), version)
            except AlreadyRecorded:
                return "replayed"
            return "recorded"

        with ThreadPoolExecutor(len(stores)) as pool:
            outcomes = sorted(pool.map(book, stores))
        assert outcomes == ["recorded"] + ["replayed"] * (len(stores) - 1)
        assert [p.deal_id for p in stores[0].list_pending()] == ["deal-1"]

    def test_a_booking_on_an_adviser_another_instance_has_since_booked_is_refused(
        self, firestore_project: str
    ) -> None:
        webhook, console = FirestoreStore(firestore_project), FirestoreStore(firestore_project)
        webhook.replace_advisers([adviser("dana")])
        record(console, allocation("deal-1"))
        decided_on = load_version(webhook, "dana")
        record(console, allocation("deal-3"))  # the console books Dana once more meanwhile
        with pytest.raises(Conflict, match="deal deal-2"):
            webhook.record_allocation(allocation("deal-2"), decided_on)
        assert webhook.get_allocation("deal-2") is None
        assert sorted(p.deal_id for p in webhook.list_pending()) == ["deal-1", "deal-3"]

    def test_only_one_of_two_racing_syncs_starts(self, firestore_project: str) -> None:
        stores = [FirestoreStore(firestore_project) for _ in range(6)]
        barrier = threading.Barrier(len(stores))

        def begin(s: FirestoreStore) -> str:
            barrier.wait()
            try:
                s.start_sync("hubspot_deals", "system", at(0))
            except SyncInProgress:
                return "refused"
            return "started"

        with ThreadPoolExecutor(len(stores)) as pool:
            outcomes = sorted(pool.map(begin, stores))
        assert outcomes == ["refused"] * (len(stores) - 1) + ["started"]
        assert [r.status for r in stores[0].list_sync_runs("hubspot_deals")] == ["running"]

    def test_a_warm_freshness_check_is_one_document_read(self, store: FirestoreStore) -> None:
        store.replace_advisers([adviser("dana")])
        before = store.reads
        store.data_version()
        assert store.reads - before == 1

    def test_a_large_adviser_sync_is_written_in_several_batches(
        self, store: FirestoreStore
    ) -> None:
        many = [adviser(f"a{n:04d}") for n in range(1203)]
        counts = store.replace_advisers(many)
        assert counts.added == 1203
        assert len(store.list_advisers()) == 1203

    def test_ids_with_slashes_are_stored_and_listed_as_given(self, store: FirestoreStore) -> None:
        odd = Closure("nsw/2026", d("2026-01-26"), d("2026-01-26"), "Australia Day")
        store.save_closures(EditBatch(added=(odd,)), actor="ann")
        assert [v.value for v in store.list_closures()] == [odd]


class TestEmulatorIsolation:
    def test_a_reset_project_is_empty_again(
        self, firestore_emulator: Emulator, firestore_project: str
    ) -> None:
        filled = FirestoreStore(firestore_project)
        filled.replace_advisers([adviser("dana")])
        firestore_emulator.reset(firestore_project)
        assert FirestoreStore(firestore_project).is_empty()

    def test_each_test_gets_a_project_of_its_own(self, firestore_project: str) -> None:
        assert FirestoreStore(firestore_project).is_empty()
        assert firestore_project.startswith("test-")


def test_constructing_a_store_touches_no_network() -> None:
    # No emulator, no credentials: building the store must still succeed (the client is lazy).
    store = FirestoreStore("no-such-project")
    assert store.reads == 0
    assert store.project_id == "no-such-project"


def test_ping_is_false_when_firestore_cannot_be_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", f"127.0.0.1:{free_port()}")  # nobody listens
    assert FirestoreStore("unreachable").ping() is False


def test_a_store_without_a_project_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="needs a project id"):
        FirestoreStore("")
