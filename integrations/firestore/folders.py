"""Each deal's client folder (the Box provisioning outbox) in Firestore: one document per deal
in ``box_folders``, changed by compare-and-set commits on its update time; bookkeeping, so no
commit here moves the data version."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from google.cloud import firestore

from integrations.firestore.client import (
    BOX_FOLDERS,
    PRECONDITION_FAILED,
    SORT_KEY,
    FirestoreClient,
    Json,
    sort_key,
    strip,
    version_of,
    written_version,
)
from services import codec
from services.errors import AlreadyRecorded, Conflict, NotFound
from services.folder_records import FolderRecord


class FirestoreFolders:
    """``services.ports.Folders`` in Firestore."""

    def __init__(self, client: FirestoreClient) -> None:
        self._fs = client

    def get_folder(self, deal_id: str) -> FolderRecord | None:
        snap = self._fs.get(self._fs.ref(BOX_FOLDERS, deal_id))
        return _record(snap) if snap.exists else None

    def list_folders(self, status: str | None = None, limit: int = 500) -> list[FolderRecord]:
        query: Any = self._fs.col(BOX_FOLDERS)
        if status is not None:
            query = self._fs.where(query, "status", "==", status)
        query = query.order_by(SORT_KEY, direction=firestore.Query.DESCENDING).limit(limit)
        return [_record(s) for s in self._fs.stream(query, BOX_FOLDERS)]

    def add_folder(self, record: FolderRecord) -> FolderRecord:
        ref = self._fs.ref(BOX_FOLDERS, record.deal_id)
        row = _row(record)
        try:
            results = self._fs.commit(
                [lambda b: b.create(ref, row)], f"queueing deal {record.deal_id}'s folder",
                bump=False,
            )  # fmt: skip
        except PRECONDITION_FAILED as exc:
            existing = self.get_folder(record.deal_id)
            if existing is None:  # created and gone again meanwhile: nothing is left to say
                raise Conflict(f"deal {record.deal_id}'s client folder changed meanwhile") from exc
            raise AlreadyRecorded(existing) from exc
        return replace(record, version=written_version(results[0]))

    def update_folder(self, record: FolderRecord) -> FolderRecord:
        ref = self._fs.ref(BOX_FOLDERS, record.deal_id)
        snap = self._fs.get(ref)
        if not snap.exists:
            raise NotFound(f"deal {record.deal_id} has no client folder queued")
        if str(record.version) != version_of(snap):
            raise Conflict(f"deal {record.deal_id}'s client folder changed meanwhile")
        unchanged = self._fs.precondition(version_of(snap))
        row = _row(record)
        try:
            results = self._fs.commit(
                [lambda b: b.update(ref, row, option=unchanged)],
                f"updating deal {record.deal_id}'s folder",
                bump=False,
            )
        except PRECONDITION_FAILED as exc:
            raise Conflict(f"deal {record.deal_id}'s client folder changed meanwhile") from exc
        return replace(record, version=written_version(results[0]))


def _row(record: FolderRecord) -> Json:
    # Newest queued first; the deal id breaks ties between folders queued at one instant.
    return {**codec.folder_to_dict(record), SORT_KEY: f"{sort_key(record.queued_at)}"}


def _record(snap: Any) -> FolderRecord:
    row = strip(snap.to_dict() or {}, SORT_KEY)
    return replace(codec.folder_from_dict(row), version=version_of(snap))
