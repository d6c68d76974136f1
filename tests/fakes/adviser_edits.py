"""What the firm sets per adviser on the Advisers page, in memory (the closures' batch code)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from services import codec
from services.records import AdviserEdit, EditBatch, Versioned
from tests.fakes.edits import InMemoryEdits
from tests.fakes.state import InMemoryState


class InMemoryAdviserEdits:
    """``services.ports.AdviserEdits`` in memory."""

    def __init__(self, state: InMemoryState, clock: Callable[[], dt.datetime]) -> None:
        self._state = state
        self._batches = InMemoryEdits(state, clock)

    def list_adviser_edits(self) -> list[Versioned[AdviserEdit]]:
        with self._state.lock:
            self._state.read(len(self._state.adviser_edits))
            rows = list(self._state.adviser_edits.items())

        def read(held: tuple[str, tuple[dict[str, object], str]]) -> Versioned[AdviserEdit]:
            return Versioned(codec.adviser_edit_from_dict(held[1][0]), held[1][1])

        return self._state.skipped.decode("adviser edit", rows, read, lambda h: h[0])

    def save_adviser_edits(self, batch: EditBatch[AdviserEdit], actor: str) -> None:
        table = self._state.adviser_edits
        to_dict = codec.adviser_edit_to_dict
        self._batches._save_batch("adviser", "adviser_edits", table, batch, actor, to_dict)
