"""What the firm sets per adviser on the Advisers page, in Firestore: one document per adviser
in ``adviser_edits``, its update time the version, saved with preconditions and audited like
closures (the same batch code)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from integrations.firestore.client import ADVISER_EDITS, FirestoreClient, version_of
from integrations.firestore.edits import FirestoreEdits
from services import codec
from services.records import AdviserEdit, EditBatch, Versioned


class FirestoreAdviserEdits:
    """``services.ports.AdviserEdits`` in Firestore."""

    def __init__(self, client: FirestoreClient, clock: Callable[[], dt.datetime]) -> None:
        self._fs = client
        self._batches = FirestoreEdits(client, clock)  # closures' batch saving, reused

    def list_adviser_edits(self) -> list[Versioned[AdviserEdit]]:
        snaps = self._fs.stream(self._fs.col(ADVISER_EDITS), ADVISER_EDITS)
        return self._fs.skipped.decode("adviser edit", snaps, _read, _sid)

    def save_adviser_edits(self, batch: EditBatch[AdviserEdit], actor: str) -> None:
        save = self._batches._save_batch
        save("adviser", ADVISER_EDITS, batch, actor, codec.adviser_edit_to_dict)


def _read(snap: Any) -> Versioned[AdviserEdit]:
    return Versioned(codec.adviser_edit_from_dict(snap.to_dict() or {}), version_of(snap))


def _sid(snap: Any) -> object:
    return snap.id
