"""What people edit on the console's pages (closures, overrides, notes, settings), in Firestore.

An editable record's version is its document's update time. A save first reads the records it
touches and refuses a stale one by name (the same checks as every store, in ``store_rules``);
the commit then carries ``last_update_time`` preconditions, so an edit that lands between that
read and the commit is refused too, and nothing of the batch is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from google.cloud import firestore

from allocation import Closure, Override
from integrations import store_rules as rules
from integrations.firestore.client import (
    CLOSURES,
    MAX_BATCH,
    META,
    NOTES_DOC,
    OVERRIDES,
    PRECONDITION_FAILED,
    SETTINGS,
    FirestoreClient,
    Json,
    Write,
    version_of,
)
from integrations.firestore.history import audit_write
from services import codec
from services.errors import Conflict
from services.records import AuditEntry, ConsoleSettings, EditBatch, Versioned

T = TypeVar("T")
R = TypeVar("R")


def _id_of(record: Any) -> str:
    return str(record.id)


class FirestoreEdits:
    """``services.ports.Editable`` in Firestore."""

    def __init__(self, client: FirestoreClient, clock: Callable[[], dt.datetime]) -> None:
        self._fs = client
        self._clock = clock

    # --- closures and overrides --------------------------------------------------------------

    def list_closures(self) -> list[Versioned[Closure]]:
        snaps = self._fs.stream(self._fs.col(CLOSURES), CLOSURES)
        return self._fs.skipped.decode("closure", snaps, _versioned(codec.closure_from_dict), _sid)

    def save_closures(self, batch: EditBatch[Closure], actor: str) -> None:
        self._save_batch("closure", CLOSURES, batch, actor, codec.closure_to_dict)

    def list_overrides(self) -> list[Versioned[Override]]:
        snaps = self._fs.stream(self._fs.col(OVERRIDES), OVERRIDES)
        read = _versioned(codec.override_from_dict)
        return self._fs.skipped.decode("override", snaps, read, _sid)

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
        current = self._current(collection, rules.batch_ids(batch, _id_of))
        changes = rules.plan_batch(kind, batch, current, to_dict, _id_of)
        if not changes:
            return
        if 2 * len(changes) >= MAX_BATCH:
            raise ValueError(f"{len(changes)} {kind} changes are too many to save at once")
        at = self._clock()
        writes: list[Write] = []
        for change in changes:
            writes.append(self._edit_write(collection, change, current))
            entry = rules.audit_for(change, kind, collection, actor, at)
            writes.append(audit_write(self._fs, entry))
        try:
            self._fs.commit(writes, f"saving {collection}")
        except PRECONDITION_FAILED as exc:
            # Someone saved between our read and our commit: name the record they changed.
            fresh = self._current(collection, rules.batch_ids(batch, _id_of))
            rules.plan_batch(kind, batch, fresh, to_dict, _id_of)
            raise Conflict(rules.stale_message(kind, changes[0].record_id)) from exc

    def _current(self, collection: str, ids: list[str]) -> dict[str, tuple[Json, str]]:
        """The stored rows a batch touches: id → (codec dict, version)."""
        refs = {rid: self._fs.ref(collection, rid) for rid in ids}
        snaps = self._fs.get_all(refs.values())
        current: dict[str, tuple[Json, str]] = {}
        for rid, ref in refs.items():
            snap = snaps.get(ref.path)
            if snap is not None and snap.exists:
                current[rid] = (snap.to_dict() or {}, version_of(snap))
        return current

    def _edit_write(
        self,
        collection: str,
        change: rules.Change[Any],
        current: dict[str, tuple[Json, str]],
    ) -> Write:
        ref = self._fs.ref(collection, change.record_id)
        after = change.after or {}
        if change.action == "create":
            return lambda b: b.create(ref, after)
        unchanged_since_read = self._fs.precondition(current[change.record_id][1])
        if change.action == "update":
            return lambda b: b.update(ref, after, option=unchanged_since_read)
        return lambda b: b.delete(ref, option=unchanged_since_read)

    # --- notes beside overrides --------------------------------------------------------------

    @property
    def _notes_ref(self) -> firestore.DocumentReference:
        return self._fs.col(META).document(NOTES_DOC)

    def override_notes(self) -> dict[str, str]:
        snap = self._fs.get(self._notes_ref)
        return {str(k): str(v) for k, v in (snap.to_dict() or {}).items()}

    def set_override_note(self, override_id: str, note: str) -> None:
        # A merge keeps every other note; the override id is one literal key, dots and all.
        ref = self._notes_ref
        # No decision reads notes, so the data version stays.
        note_write: Write = lambda b: b.set(ref, {override_id: note}, merge=True)  # noqa: E731
        self._fs.commit([note_write], "saving a note", bump=False)

    # --- settings ----------------------------------------------------------------------------

    @property
    def _settings_ref(self) -> firestore.DocumentReference:
        return self._fs.col(SETTINGS).document(rules.SETTINGS_ID)

    def get_settings(self) -> Versioned[ConsoleSettings]:
        snap = self._fs.get(self._settings_ref)
        stored = snap.to_dict() if snap.exists else None
        settings = ConsoleSettings() if stored is None else codec.settings_from_dict(stored)
        return Versioned(settings, version_of(snap))

    def save_settings(self, settings: ConsoleSettings, version: str, actor: str) -> None:
        ref = self._settings_ref
        snap = self._fs.get(ref)
        if str(version) != version_of(snap):
            raise Conflict(rules.stale_settings_message())
        before = snap.to_dict() if snap.exists else codec.settings_to_dict(ConsoleSettings())
        after = codec.settings_to_dict(settings)
        write: Write
        if snap.exists:
            unchanged_since_read = self._fs.precondition(version)
            write = lambda b: b.update(ref, after, option=unchanged_since_read)  # noqa: E731
        else:
            write = lambda b: b.create(ref, after)  # noqa: E731
        entry = AuditEntry(
            self._clock(), actor, "settings.update", SETTINGS, rules.SETTINGS_ID, before, after
        )
        try:
            self._fs.commit([write, audit_write(self._fs, entry)], "saving settings")
        except PRECONDITION_FAILED as exc:
            raise Conflict(rules.stale_settings_message()) from exc


def _versioned(from_dict: Callable[[Json], R]) -> Callable[[Any], Versioned[R]]:
    return lambda snap: Versioned(from_dict(snap.to_dict() or {}), version_of(snap))


def _sid(snap: Any) -> object:
    return snap.id
