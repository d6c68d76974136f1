"""Loading the core's input from a store, and keeping it up to date by reading only changes.

A full load makes a fixed number of store calls (the reference version, settings, advisers,
meetings in the ledger's window, leave, closures, overrides, open deals, booked loads),
however long the firm's history grows: meetings are read only from a little before the
ledger's first week to a little after the horizon's end.

After that, ``SnapshotCache.get`` costs one document (the reference version) plus the load
documents of advisers whose bookings changed since the last call (at least one query): a
booking, this process's or another's, never makes anyone reload the firm. An edit or a sync
(which moves the reference version) or a new day does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from allocation import PendingDeal, Rules, Snapshot, week_of
from services import policy, screening
from services.adviser_merge import merged
from services.ports import Store
from services.records import AdviserLoad, ConsoleSettings, ExcludedRecord

# Meetings are listed by their UTC date but bucketed by local date; a local Monday morning in
# Sydney is still Sunday in UTC, so read a few days either side of the window.
MEETING_MARGIN = dt.timedelta(days=7)


def meeting_window(rules: Rules, today: dt.date) -> tuple[dt.date, dt.date]:
    """[start, end) of the UTC dates whose meetings can touch today's ledger."""
    current = week_of(today)
    first = current - dt.timedelta(weeks=rules.history_weeks)
    last = current + dt.timedelta(weeks=rules.horizon_weeks)
    return first - MEETING_MARGIN, last + MEETING_MARGIN


@dataclass(frozen=True)
class Prepared:
    """A snapshot ready to decide on, with what a booking made from it must name: the version
    of the chosen adviser's booked load (``load_version``)."""

    snapshot: Snapshot
    settings: ConsoleSettings
    reference_version: str
    watermark: str  # booked loads are known up to here
    loads: Mapping[str, AdviserLoad]
    today: dt.date
    # Stored records left out of decisions, with the reason (``services.screening``).
    excluded: tuple[ExcludedRecord, ...] = ()

    @property
    def key(self) -> str:
        """Changes whenever anything a decision reads changed: for caches of derived views."""
        return f"{self.reference_version}|{self.watermark}"

    def load_version(self, adviser_id: str) -> str:
        load = self.loads.get(adviser_id)
        return load.version if load is not None else "0"


def load_prepared(store: Store, today: dt.date) -> Prepared:
    """Everything a decision reads, from scratch.

    The reference version is read first and the booked loads before the open deals: a write
    landing meanwhile makes the version (or watermark) we keep older than the data, so it is
    read again next time — never missed.
    """
    version = store.data_version()
    settings = policy.stored_settings(store).value
    booked = store.booked_loads()
    start, end = meeting_window(settings.rules, today)
    loads = {load.adviser_id: load for load in booked.loads}
    ours = {p.deal_id for load in booked.loads for p in load.pending}
    pending = [p for p in store.list_open_deals() if p.deal_id not in ours]
    pending += [p for load in booked.loads for p in load.pending]
    edits = [v.value for v in store.list_adviser_edits()]
    advisers, screened_out = screening.screen_advisers(merged(store.list_advisers(), edits))
    snapshot = Snapshot(
        advisers=advisers,
        meetings=store.meeting_table(start, end),
        leave=tuple(store.list_leave()),
        closures=tuple(v.value for v in store.list_closures()),
        overrides=tuple(v.value for v in store.list_overrides()),
        pending=tuple(pending),
        rules=settings.rules,
    )
    # Read after every list above, so it is what those reads skipped.
    excluded = tuple(store.unreadable()) + screened_out
    return Prepared(snapshot, settings, version, booked.watermark, loads, today, excluded)


def load_snapshot(store: Store, rules: Rules | None, today: dt.date) -> tuple[Snapshot, str]:
    """The snapshot for ``today`` and the reference version it was built from (``rules``, when
    given, replace the stored ones)."""
    prepared = load_prepared(store, today)
    snapshot = prepared.snapshot
    if rules is not None:
        snapshot = dataclasses.replace(snapshot, rules=rules)
    return snapshot, prepared.reference_version


def with_loads(prepared: Prepared, changed: Iterable[AdviserLoad], watermark: str) -> Prepared:
    """``prepared`` with some advisers' booked loads replaced by newer ones."""
    changed = [c for c in changed if prepared.loads.get(c.adviser_id) != c]
    if not changed:
        return dataclasses.replace(prepared, watermark=watermark or prepared.watermark)
    loads = dict(prepared.loads)
    removed: set[str] = set()
    added: list[PendingDeal] = []
    for load in changed:
        old = loads.get(load.adviser_id)
        removed |= {p.deal_id for p in old.pending} if old is not None else set()
        removed |= {p.deal_id for p in load.pending}  # an open deal of ours is booked now
        added += load.pending
        loads[load.adviser_id] = load
    # Only the touched advisers' ledger rows are recomputed; the rest of the firm is reused.
    snapshot = prepared.snapshot.with_pending(added=added, removed=removed)
    return dataclasses.replace(prepared, snapshot=snapshot, watermark=watermark, loads=loads)


class SnapshotCache:
    """The last prepared snapshot, brought up to date by reading only what changed.

    Safe to share between threads (the webhook serves requests concurrently).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: Prepared | None = None

    def get(self, store: Store, today: dt.date) -> Prepared:
        version = store.data_version()
        with self._lock:
            cached = self._cached
        if cached is None or cached.reference_version != version or cached.today != today:
            return self.reload(store, today)
        changes = store.booked_loads(cached.watermark)
        fresh = with_loads(cached, changes.loads, changes.watermark)
        with self._lock:
            if self._cached is cached:  # another thread may have moved on meanwhile
                self._cached = fresh
        return fresh

    def reload(self, store: Store, today: dt.date) -> Prepared:
        prepared = load_prepared(store, today)
        with self._lock:
            self._cached = prepared
        return prepared

    def latest(self) -> Prepared | None:
        """The snapshot last prepared, whatever its version (no store call)."""
        with self._lock:
            return self._cached

    def clear(self) -> None:
        with self._lock:
            self._cached = None
