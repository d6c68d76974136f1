"""Loading the core's input from a store, and keeping it while nothing has changed.

A snapshot load makes a fixed number of store calls (settings, advisers, meetings in the
ledger's window, leave, closures, overrides, pending deals, the data version), however long
the firm's history grows: meetings are read only from a little before the ledger's first week
to a little after the horizon's end.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from allocation import Rules, Snapshot, week_of
from services.ports import Store

# Meetings are listed by their UTC date but bucketed by local date; a local Monday morning in
# Sydney is still Sunday in UTC, so read a few days either side of the window.
MEETING_MARGIN = dt.timedelta(days=7)


def meeting_window(rules: Rules, today: dt.date) -> tuple[dt.date, dt.date]:
    """[start, end) of the UTC dates whose meetings can touch today's ledger."""
    current = week_of(today)
    first = current - dt.timedelta(weeks=rules.history_weeks)
    last = current + dt.timedelta(weeks=rules.horizon_weeks)
    return first - MEETING_MARGIN, last + MEETING_MARGIN


def load_rules(store: Store) -> Rules:
    return store.get_settings().value.rules


def load_snapshot(store: Store, rules: Rules | None, today: dt.date) -> tuple[Snapshot, str]:
    """The snapshot for ``today`` and the data version it was built from.

    The version is read first: if a write lands while we read, the version we hand back is
    older than the data, so a booking based on it is refused as stale and re-decided — never
    the other way round.
    """
    version = store.data_version()
    rules = rules if rules is not None else load_rules(store)
    start, end = meeting_window(rules, today)
    snapshot = Snapshot(
        advisers=tuple(store.list_advisers()),
        meetings=tuple(store.list_meetings(start, end)),
        leave=tuple(store.list_leave()),
        closures=tuple(v.value for v in store.list_closures()),
        overrides=tuple(v.value for v in store.list_overrides()),
        pending=tuple(store.list_pending()),
        rules=rules,
    )
    return snapshot, version


@dataclass(frozen=True)
class _Cached:
    snapshot: Snapshot
    version: str
    today: dt.date


class SnapshotCache:
    """The last snapshot loaded, reloaded only when the store's data version (or the day) moved.

    A warm ``get`` costs one store call (``data_version``). Rules are part of the stored
    settings, whose edits bump the data version too, so they are reloaded with the rest.
    Safe to share between threads (the webhook serves requests concurrently).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: _Cached | None = None

    def get(self, store: Store, today: dt.date) -> tuple[Snapshot, str]:
        version = store.data_version()
        with self._lock:
            cached = self._cached
        if cached is not None and cached.version == version and cached.today == today:
            return cached.snapshot, cached.version
        return self.reload(store, today)

    def reload(self, store: Store, today: dt.date) -> tuple[Snapshot, str]:
        snapshot, version = load_snapshot(store, None, today)
        with self._lock:
            self._cached = _Cached(snapshot, version, today)
        return snapshot, version

    def latest(self) -> Snapshot | None:
        """The snapshot last loaded, whatever its version (no store call)."""
        with self._lock:
            return self._cached.snapshot if self._cached else None

    def clear(self) -> None:
        with self._lock:
            self._cached = None
