"""What every feature of ``Services`` shares: the store, the clock, Chat, HubSpot, the settings,
and the one cache of what decisions read.

Cache policy (the only caches there are; "why is my data stale?" has these answers):

1. ``SnapshotCache`` (``services/snapshots.py``), one per process: the firm as a decision reads
   it (``Prepared``), keyed on the store's reference version, the booked-loads watermark and
   the day. Every use asks the store for the reference version (one document) and the loads
   changed since the watermark (one query): an edit or a sync (reference version) or a new
   day reloads it; a booking anywhere folds in only that adviser's load. So it is never stale
   by more than the store is.
2. ``Snapshot.memo`` (``allocation/snapshot.py``), on each snapshot: its records as arrays and
   its ledgers per current week. A snapshot never changes, so neither does its memo; a new
   snapshot (after any change) starts its own, and ``with_pending`` carries the untouched
   rows over.
3. ``Context.derived``: views computed from a snapshot (the heatmap's adviser-week frame),
   kept per ``Prepared.key`` and day — the key moves whenever anything a decision reads moves.

Nothing else caches the firm's data: pages ask ``Services`` every run (the console's
``st.cache_resource`` holds only the ``Services`` object itself).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from allocation import Rules, Snapshot
from services import policy
from services.errors import ConfigurationError
from services.hubspot_names import HubSpotNames
from services.ports import AppSettings, Crm, FolderHost, Notifier, Store
from services.records import ConsoleSettings, Versioned
from services.snapshots import Prepared, SnapshotCache

Clock = Callable[[], dt.datetime]
T = TypeVar("T")


def utc_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Context:
    """The ports and helpers every feature object takes (and nothing of the others)."""

    store: Store
    clock: Clock = utc_clock
    notifier: Notifier | None = None
    crm: Crm | None = None
    settings: AppSettings | None = None
    cache: SnapshotCache = field(default_factory=SnapshotCache)
    # Box, when configured (``services.folders``): allocations queue their client folder.
    box: FolderHost | None = None
    _derived: dict[str, tuple[tuple[str, dt.date], Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> dt.datetime:
        return self.clock().astimezone(dt.UTC)

    def today(self) -> dt.date:
        """The clock's date in the firm's timezone (from the stored rules)."""
        return self.clock().astimezone(self.rules().zone).date()

    def rules(self) -> Rules:
        # The last snapshot's rules decide what "today" is; a settings edit reaches them on the
        # next load (edits move the reference version), so no extra read is spent here.
        latest = self.cache.latest()
        if latest is not None:
            return latest.snapshot.rules
        return policy.stored_settings(self.store).value.rules

    def hubspot_names(self) -> HubSpotNames:
        """The HubSpot property names the firm's account uses (``HUBSPOT_DEAL_PROPERTIES``)."""
        raw = self.settings.get("HUBSPOT_DEAL_PROPERTIES") if self.settings is not None else None
        try:
            return HubSpotNames.parse(raw)
        except ValueError as exc:
            raise ConfigurationError(f"HUBSPOT_DEAL_PROPERTIES: {exc}") from None

    def prepared(self) -> Prepared:
        return self.cache.get(self.store, self.today())

    def snapshot(self) -> Snapshot:
        return self.prepared().snapshot

    def console_settings(self) -> Versioned[ConsoleSettings]:
        """The stored settings, inside their bounds (``services.policy``)."""
        return policy.stored_settings(self.store)

    def derived(self, name: str, make: Callable[[Prepared], T]) -> T:
        """``make(prepared)``, computed once per state of the firm (cache 3 above)."""
        prepared = self.prepared()
        key = (prepared.key, prepared.today)
        with self._lock:
            held = self._derived.get(name)
        if held is not None and held[0] == key:
            value: T = held[1]
            return value
        value = make(prepared)
        with self._lock:
            self._derived[name] = (key, value)
        return value
