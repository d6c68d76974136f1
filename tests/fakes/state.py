"""What every part of the in-memory store shares: its tables, one lock, and its counters.

Records are kept as the codec's dicts, as a real store keeps them, so no caller shares a
mutable value. The state is also the store's health (``services.ports.Health``).
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

from integrations.store_rules import Unreadable
from services.records import ExcludedRecord

Json = dict[str, Any]


class InMemoryState:
    """The fake store's tables behind one re-entrant lock (a part may call another's helper)."""

    def __init__(self) -> None:
        self.reads = 0
        self.lock = threading.RLock()
        self._versions = itertools.count(1)
        self._data_version = 0
        self.advisers: dict[str, Json] = {}
        self.meetings: dict[str, Json] = {}
        self.leave: dict[str, tuple[str, Json]] = {}  # id → (origin, row)
        self.pending: dict[str, tuple[str, Json]] = {}  # open deals synced: id → (origin, row)
        self.closures: dict[str, tuple[Json, str]] = {}
        self.overrides: dict[str, tuple[Json, str]] = {}
        self.adviser_edits: dict[str, tuple[Json, str]] = {}
        self.notes: dict[str, str] = {}
        self.settings: tuple[Json, str] | None = None
        self.allocations: dict[str, tuple[Json, int]] = {}  # deal id → (row, version)
        self.loads: dict[str, dict[str, str]] = {}  # adviser → {deal id: booked week}
        self.load_versions: dict[str, tuple[int, int]] = {}  # adviser → (version, sequence)
        self.load_seq = 0
        self.rejections: dict[str, Json] = {}
        self.audit: list[Json] = []
        self.runs: dict[str, Json] = {}
        self.tokens: dict[str, Json] = {}
        self.skipped = Unreadable()
        self.outlook_days: dict[tuple[str, str], Json] = {}  # (day, segment) → row
        self.alerts_sent: set[str] = set()
        self.folders: dict[str, tuple[Json, str]] = {}  # deal id → (row, version)

    def read(self, documents: int = 1) -> None:
        """Count reads as Firestore bills them: every document, and at least one per query."""
        self.reads += max(1, documents)

    def bump(self) -> None:
        self._data_version += 1

    def next_version(self) -> str:
        return str(next(self._versions))

    # --- health ----------------------------------------------------------------------------

    def data_version(self) -> str:
        with self.lock:
            self.read()
            return str(self._data_version)

    def is_empty(self) -> bool:
        with self.lock:
            self.read()
            return not self.advisers

    def ping(self) -> bool:
        return True

    def unreadable(self) -> list[ExcludedRecord]:
        return self.skipped.rows()
