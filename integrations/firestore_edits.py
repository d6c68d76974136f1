"""Edits made on the console's pages (closures, overrides, notes, settings), kept in Firestore.

An editable record's version is its document's update time. A save first reads the records it
touches and refuses a stale one by name (the same checks as every store, in
``store_rules``); the commit then carries ``last_update_time`` preconditions, so an edit that
lands between that read and the commit is refused too, and nothing of the batch is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from google.api_core import exceptions as gexc
from google.cloud import firestore

from allocation import Closure, Override
from integrations import store_rules as common
from integrations.firestore_docs import (
    AUDIT,
    CLOSURES,
    MAX_BATCH,
    META,
    NOTES_DOC,
    OVERRIDES,
    SETTINGS,
    SORT_KEY,
    FirestoreBase,
    Json,
    Write,
    packed,
    sort_key,
    timestamp,
    version_of,
)
from services import codec
from services.errors import Conflict
from services.records import AuditEntry, ConsoleSettings, EditBatch, Versioned

T = TypeVar("T")
# What a commit answers when one of its preconditions no longer holds.
# An audit entry's before/after may hold any JSON (see ``packed``).
AUDIT_FREE_FORM = ("before", "after")
PRECONDITION_FAILED = (gexc.FailedPrecondition, gexc.AlreadyExists, gexc.NotFound)


def _id_of(record: Any) -> str:
    return str(record.id)


class FirestoreEdits(FirestoreBase):
    _clock: Callable[[], dt.datetime]

    # --- closures and overrides --------------------------------------------------------------

    def list_closures(self) -> list[Versioned[Closure]]:
        snaps = self.stream(self.col(CLOSURES), CLOSURES)
        return [Versioned(codec.closure_from_dict(s.to_dict()), version_of(s)) for s in snaps]

    def save_closures(self, batch: EditBatch[Closure], actor: str) -> None:
        self._save_batch("closure", CLOSURES, batch, actor, codec.closure_to_dict)

    def list_overrides(self) -> list[Versioned[Override]]:
        snaps = self.stream(self.col(OVERRIDES), OVERRIDES)
        return [Versioned(codec.override_from_dict(s.to_dict()), version_of(s)) for s in snaps]

    def save_overrides(self, batch: EditBatch[Override], actor: str) -> None:
        self._save_batch("override", OVERRIDES, batch, actor, codec.override_to_dict)

    def _save_batch(
        self,
        kind: str,
        collection: str,
        batch: EditBatch[T],
        actor: str,
        to_dict: Callable[[T], Json],
    ) -> None:
        if batch.empty:
            return
        current = self._current(collection, common.batch_ids(batch, _id_of))
        changes = common.plan_batch(kind, batch, current, to_dict, _id_of)
        if not changes:
            return
        if 2 * len(changes) >= MAX_BATCH:
            raise ValueError(f"{len(changes)} {kind} changes are too many to save at once")
        at = self._clock()
        writes: list[Write] = []
        for change in changes:
            writes.append(self._edit_write(collection, change, current))
            writes.append(self.audit_write(common.audit_for(change, kind, collection, actor, at)))
        try:
            self.commit(writes, f"saving {collection}")
        except PRECONDITION_FAILED as exc:
            # Someone saved between our read and our commit: name the record they changed.
            fresh = self._current(collection, common.batch_ids(batch, _id_of))
            common.plan_batch(kind, batch, fresh, to_dict, _id_of)
            raise Conflict(common.stale_message(kind, changes[0].record_id)) from exc

    def _current(self, collection: str, ids: list[str]) -> dict[str, tuple[Json, str]]:
        """The stored rows a batch touches: id → (codec dict, version)."""
        refs = {rid: self.ref(collection, rid) for rid in ids}
        snaps = self.get_all(refs.values())
        current: dict[str, tuple[Json, str]] = {}
        for rid, ref in refs.items():
            snap = snaps.get(ref.path)
            if snap is not None and snap.exists:
                current[rid] = (snap.to_dict() or {}, version_of(snap))
        return current

    def _edit_write(
        self,
        collection: str,
        change: common.Change[Any],
        current: dict[str, tuple[Json, str]],
    ) -> Write:
        ref = self.ref(collection, change.record_id)
        after = change.after or {}
        if change.action == "create":
            return lambda b: b.create(ref, after)
        unchanged_since_read = self.precondition(current[change.record_id][1])
        if change.action == "update":
            return lambda b: b.update(ref, after, option=unchanged_since_read)
        return lambda b: b.delete(ref, option=unchanged_since_read)

    def precondition(self, version: str) -> Any:
        stamp = timestamp(version)
        if stamp is None:
            raise Conflict(f"version {version!r} is not one this store gave out")
        return self.db.write_option(last_update_time=stamp)

    def audit_write(self, entry: AuditEntry) -> Write:
        entry = common.with_id(entry)
        row = {**packed(codec.audit_to_dict(entry), *AUDIT_FREE_FORM), SORT_KEY: sort_key(entry.at)}
        ref = self.ref(AUDIT, entry.id)
        return lambda b: b.create(ref, row)

    # --- notes beside overrides --------------------------------------------------------------

    @property
    def _notes_ref(self) -> firestore.DocumentReference:
        return self.col(META).document(NOTES_DOC)

    def override_notes(self) -> dict[str, str]:
        snap = self.get(self._notes_ref)
        return {str(k): str(v) for k, v in (snap.to_dict() or {}).items()}

    def set_override_note(self, override_id: str, note: str) -> None:
        # A merge keeps every other note; the override id is one literal key, dots and all.
        ref = self._notes_ref
        # No decision reads notes, so the data version stays.
        note_write: Write = lambda b: b.set(ref, {override_id: note}, merge=True)  # noqa: E731
        self.commit([note_write], "saving a note", bump=False)

    # --- settings ----------------------------------------------------------------------------

    @property
    def _settings_ref(self) -> firestore.DocumentReference:
        return self.col(SETTINGS).document(common.SETTINGS_ID)

    def get_settings(self) -> Versioned[ConsoleSettings]:
        snap = self.get(self._settings_ref)
        stored = snap.to_dict() if snap.exists else None
        settings = ConsoleSettings() if stored is None else codec.settings_from_dict(stored)
        return Versioned(settings, version_of(snap))

    def save_settings(self, settings: ConsoleSettings, version: str, actor: str) -> None:
        ref = self._settings_ref
        snap = self.get(ref)
        if str(version) != version_of(snap):
            raise Conflict(common.stale_settings_message())
        before = snap.to_dict() if snap.exists else codec.settings_to_dict(ConsoleSettings())
        after = codec.settings_to_dict(settings)
        write: Write
        if snap.exists:
            unchanged_since_read = self.precondition(version)
            write = lambda b: b.update(ref, after, option=unchanged_since_read)  # noqa: E731
        else:
            write = lambda b: b.create(ref, after)  # noqa: E731
        entry = AuditEntry(
            self._clock(), actor, "settings.update", SETTINGS, common.SETTINGS_ID, before, after
        )
        try:
            self.commit([write, self.audit_write(entry)], "saving settings")
        except PRECONDITION_FAILED as exc:
            raise Conflict(common.stale_settings_message()) from exc
