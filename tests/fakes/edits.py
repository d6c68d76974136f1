"""What people edit on the console's pages (closures, overrides, notes, settings), in memory.

A check and its write happen under the state's one lock, as a real store's transaction would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from allocation import Closure, Override
from integrations import store_rules as rules
from services import codec
from services.errors import Conflict
from services.records import AuditEntry, ConsoleSettings, EditBatch, Versioned
from tests.fakes.history import keep_audit
from tests.fakes.state import InMemoryState, Json

T = TypeVar("T")
R = TypeVar("R")


class InMemoryEdits:
    """``services.ports.Editable`` in memory."""

    def __init__(self, state: InMemoryState, clock: Callable[[], dt.datetime]) -> None:
        self._state = state
        self._clock = clock

    def list_closures(self) -> list[Versioned[Closure]]:
        with self._state.lock:
            self._state.read()
            rows = list(self._state.closures.items())
            read = _versioned(codec.closure_from_dict)
            return self._state.skipped.decode("closure", rows, read, lambda h: h[0])

    def save_closures(self, batch: EditBatch[Closure], actor: str) -> None:
        table = self._state.closures
        self._save_batch("closure", "closures", table, batch, actor, codec.closure_to_dict)

    def list_overrides(self) -> list[Versioned[Override]]:
        with self._state.lock:
            self._state.read()
            rows = list(self._state.overrides.items())
            read = _versioned(codec.override_from_dict)
            return self._state.skipped.decode("override", rows, read, lambda h: h[0])

    def save_overrides(self, batch: EditBatch[Override], actor: str) -> None:
        table = self._state.overrides
        self._save_batch("override", "overrides", table, batch, actor, codec.override_to_dict)

    def _save_batch(
        self,
        kind: str,
        entity: str,
        table: dict[str, tuple[Json, str]],
        batch: EditBatch[T],
        actor: str,
        to_dict: Callable[[T], Json],
    ) -> None:
        with self._state.lock:
            changes = rules.plan_batch(kind, batch, table, to_dict, lambda v: v.id)  # type: ignore[attr-defined]
            if not changes:
                return
            at = self._clock()
            for change in changes:
                if change.after is None:
                    del table[change.record_id]
                else:
                    table[change.record_id] = (change.after, self._state.next_version())
                keep_audit(self._state, rules.audit_for(change, kind, entity, actor, at))
            self._state.bump()

    def override_notes(self) -> dict[str, str]:
        with self._state.lock:
            self._state.read()
            return dict(self._state.notes)

    def set_override_note(self, override_id: str, note: str) -> None:
        with self._state.lock:
            self._state.notes[override_id] = note  # no decision reads notes: the version stays

    def get_settings(self) -> Versioned[ConsoleSettings]:
        with self._state.lock:
            self._state.read()
            if self._state.settings is None:
                return Versioned(ConsoleSettings(), "0")
            row, version = self._state.settings
            return Versioned(codec.settings_from_dict(row), version)

    def save_settings(self, settings: ConsoleSettings, version: str, actor: str) -> None:
        state = self._state
        with state.lock:
            before, current = state.settings or (codec.settings_to_dict(ConsoleSettings()), "0")
            if str(version) != current:
                raise Conflict(rules.stale_settings_message())
            after = codec.settings_to_dict(settings)
            state.settings = (after, state.next_version())
            entry = AuditEntry(
                self._clock(),
                actor,
                "settings.update",
                "settings",
                rules.SETTINGS_ID,
                before,
                after,
                rules.new_id(),
            )
            keep_audit(state, entry)
            state.bump()


def _versioned(
    from_dict: Callable[[Json], R],
) -> Callable[[tuple[str, tuple[Json, str]]], Versioned[R]]:
    return lambda held: Versioned(from_dict(held[1][0]), held[1][1])
