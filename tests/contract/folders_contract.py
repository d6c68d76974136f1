"""Client folders (the Box provisioning outbox) over every store: a deal is queued once, every
change is a compare-and-set, lists come newest first, and nothing here moves the data version."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from services.errors import AlreadyRecorded, Conflict, NotFound
from services.folder_records import COPIED, FOLDER_GAVE_UP, FOLDER_PENDING, FolderRecord
from services.ports import Store
from tests.contract.support import at


def queued(deal_id: str, minutes: int = 0) -> FolderRecord:
    return FolderRecord(deal_id=deal_id, queued_at=at(minutes), adviser_id="dana")


class FoldersContract:
    def test_a_queued_folder_reads_back_as_queued(self, store: Store) -> None:
        stored = store.folders.add_folder(queued("deal-1"))
        found = store.folders.get_folder("deal-1")
        assert found == stored
        assert found is not None
        assert found.version == stored.version != ""
        assert store.folders.get_folder("deal-2") is None

    def test_a_deal_is_queued_once_and_a_replay_gets_the_stored_record(self, store: Store) -> None:
        first = store.folders.add_folder(queued("deal-1"))
        moved = store.folders.update_folder(dataclasses.replace(first, step=COPIED, folder_id="55"))
        with pytest.raises(AlreadyRecorded) as refused:
            store.folders.add_folder(queued("deal-1", minutes=5))
        assert refused.value.record == moved
        assert len(store.folders.list_folders()) == 1

    def test_two_queuers_at_once_leave_one_record(self, store: Store) -> None:
        outcomes: list[str] = []

        def queue() -> None:
            try:
                store.folders.add_folder(queued("deal-1"))
                outcomes.append("added")
            except AlreadyRecorded:
                outcomes.append("replay")

        threads = [threading.Thread(target=queue) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["added", "replay", "replay", "replay"]

    def test_a_change_from_a_stale_copy_is_refused(self, store: Store) -> None:
        read = store.folders.add_folder(queued("deal-1"))
        store.folders.update_folder(dataclasses.replace(read, step=COPIED, folder_id="55"))
        with pytest.raises(Conflict):
            store.folders.update_folder(dataclasses.replace(read, attempts=3))
        found = store.folders.get_folder("deal-1")
        assert found is not None
        assert (found.step, found.folder_id) == (COPIED, "55")

    def test_changing_a_folder_never_queued_is_not_found(self, store: Store) -> None:
        with pytest.raises(NotFound):
            store.folders.update_folder(dataclasses.replace(queued("deal-9"), version="1"))

    def test_lists_are_newest_first_and_filter_by_status(self, store: Store) -> None:
        for n, deal in enumerate(("deal-a", "deal-b", "deal-c")):
            store.folders.add_folder(queued(deal, minutes=n))
        b = store.folders.get_folder("deal-b")
        assert b is not None
        store.folders.update_folder(dataclasses.replace(b, status=FOLDER_GAVE_UP))
        assert [f.deal_id for f in store.folders.list_folders()] == ["deal-c", "deal-b", "deal-a"]
        pending = store.folders.list_folders(status=FOLDER_PENDING)
        assert [f.deal_id for f in pending] == ["deal-c", "deal-a"]
        assert [f.deal_id for f in store.folders.list_folders(limit=1)] == ["deal-c"]

    def test_folder_bookkeeping_leaves_the_data_version(self, store: Store) -> None:
        before = store.data_version()
        read = store.folders.add_folder(queued("deal-1"))
        store.folders.update_folder(dataclasses.replace(read, attempts=1, last_error="Box down"))
        assert store.data_version() == before
