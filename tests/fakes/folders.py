"""Each deal's client folder (the Box provisioning outbox), in memory; bookkeeping, so the
data version stays."""

from __future__ import annotations

import dataclasses

from services import codec
from services.errors import AlreadyRecorded, Conflict, NotFound
from services.folder_records import FolderRecord
from tests.fakes.state import InMemoryState, Json


class InMemoryFolders:
    """``services.ports.Folders`` in memory."""

    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    def get_folder(self, deal_id: str) -> FolderRecord | None:
        with self._state.lock:
            self._state.read()
            held = self._state.folders.get(deal_id)
            return None if held is None else _record(held)

    def list_folders(self, status: str | None = None, limit: int = 500) -> list[FolderRecord]:
        with self._state.lock:
            records = [_record(held) for held in self._state.folders.values()]
        chosen = [r for r in records if status is None or r.status == status]
        chosen.sort(key=lambda r: r.deal_id)
        chosen.sort(key=lambda r: r.queued_at, reverse=True)
        with self._state.lock:
            self._state.read(len(chosen[:limit]))
        return chosen[:limit]

    def add_folder(self, record: FolderRecord) -> FolderRecord:
        with self._state.lock:
            held = self._state.folders.get(record.deal_id)
            if held is not None:
                raise AlreadyRecorded(_record(held))
            version = self._state.next_version()
            self._state.folders[record.deal_id] = (codec.folder_to_dict(record), version)
        return dataclasses.replace(record, version=version)

    def update_folder(self, record: FolderRecord) -> FolderRecord:
        with self._state.lock:
            held = self._state.folders.get(record.deal_id)
            if held is None:
                raise NotFound(f"deal {record.deal_id} has no client folder queued")
            if held[1] != str(record.version):
                raise Conflict(f"deal {record.deal_id}'s client folder changed meanwhile")
            version = self._state.next_version()
            self._state.folders[record.deal_id] = (codec.folder_to_dict(record), version)
        return dataclasses.replace(record, version=version)


def _record(held: tuple[Json, str]) -> FolderRecord:
    return dataclasses.replace(codec.folder_from_dict(held[0]), version=held[1])
