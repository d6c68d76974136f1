"""The core's inputs (advisers, meetings, leave, open deals) in Firestore.

Every commit that changes one also writes ``meta/version``, whose update time is the data
version; a bulk replace is committed in chunks of ``MAX_BATCH`` writes (a re-sync repairs a
cut). Leave and open deals carry an ``origin`` tag: what a person entered, or what our own
bookings put on an adviser's week, is never overwritten by a sync.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from allocation import Adviser, Leave, Meeting, MeetingTable, PendingDeal
from integrations import store_rules as rules
from integrations.firestore.allocations import booked_deals, load_moved
from integrations.firestore.client import (
    ADVISERS,
    LEAVE,
    MAX_BATCH,
    MEETINGS,
    ORIGIN,
    PENDING,
    FirestoreClient,
    Json,
    Write,
    chunks,
    strip,
)
from services import codec
from services.records import ChangeCounts

SYNCED = "synced"
MANUAL = "manual"


class FirestoreReference:
    """``services.ports.ReferenceData`` in Firestore."""

    def __init__(self, client: FirestoreClient) -> None:
        self._fs = client

    def list_advisers(self) -> list[Adviser]:
        snaps = self._fs.stream(self._fs.col(ADVISERS), ADVISERS)
        return self._fs.decoded("adviser", snaps, codec.adviser_from_dict)

    def replace_advisers(self, advisers: Sequence[Adviser]) -> ChangeCounts:
        stored = _by_id(self._fs.rows(self._fs.col(ADVISERS), ADVISERS))
        incoming = rules.by_id(advisers, lambda a: a.id, codec.adviser_to_dict)
        counts, removed = rules.count_changes(stored, stored, incoming)
        self._apply(ADVISERS, stored, incoming, removed)
        return counts

    def _meetings_query(self, start: dt.date, end: dt.date) -> Any:
        # Starts are UTC ISO strings, so a date's ISO string bounds that UTC day exactly.
        query = self._fs.where(self._fs.col(MEETINGS), "start", ">=", start.isoformat())
        return self._fs.where(query, "start", "<", end.isoformat())

    def list_meetings(self, start: dt.date, end: dt.date) -> list[Meeting]:
        rows = self._fs.rows(self._meetings_query(start, end), MEETINGS)
        return [codec.meeting_from_dict(r) for r in rows]

    def meeting_table(self, start: dt.date, end: dt.date) -> MeetingTable:
        rows = self._fs.rows(self._meetings_query(start, end), MEETINGS)
        return codec.meeting_table_from_dicts(rows)

    def replace_meetings(
        self, meetings: Sequence[Meeting], start: dt.date, end: dt.date
    ) -> ChangeCounts:
        in_scope = _by_id(self._fs.rows(self._meetings_query(start, end), MEETINGS))
        incoming = rules.by_id(meetings, lambda m: m.id, codec.meeting_to_dict)
        existing = {**self._stored(MEETINGS, set(incoming) - set(in_scope)), **in_scope}
        counts, removed = rules.count_changes(in_scope, existing, incoming)
        self._apply(MEETINGS, existing, incoming, removed)
        return counts

    def list_leave(self) -> list[Leave]:
        snaps = self._fs.stream(self._fs.col(LEAVE), LEAVE)
        return self._fs.decoded("leave", snaps, codec.leave_from_dict)

    def add_manual_leave(self, leave: Leave) -> None:
        """Leave entered in the console; no sync ever removes it."""
        row = {**codec.leave_to_dict(leave), ORIGIN: MANUAL}
        self._fs.commit([self._fs.setter(self._fs.ref(LEAVE, leave.id), row)], "saving leave")

    def replace_synced_leave(self, leave: Sequence[Leave], since: dt.date) -> ChangeCounts:
        ending_since = self._fs.where(self._fs.col(LEAVE), "end", ">=", since.isoformat())
        in_scope = _of_origin(self._fs.rows(ending_since, LEAVE), SYNCED)
        incoming = rules.by_id(leave, lambda lv: lv.id, codec.leave_to_dict)
        elsewhere = self._stored(LEAVE, set(incoming) - set(in_scope))
        # Leave someone entered by hand keeps its id; a synced copy never overwrites it.
        incoming = {k: r for k, r in incoming.items() if _origin(elsewhere.get(k)) == SYNCED}
        existing = {**_of_origin(elsewhere.values(), SYNCED), **in_scope}
        counts, removed = rules.count_changes(in_scope, existing, incoming)
        self._apply(LEAVE, existing, incoming, removed, {ORIGIN: SYNCED})
        return counts

    def list_pending(self) -> list[PendingDeal]:
        booked = booked_deals(self._fs)
        return self.list_open_deals() + booked

    def list_open_deals(self) -> list[PendingDeal]:
        snaps = self._fs.stream(self._fs.col(PENDING), PENDING)
        return self._fs.decoded("open deal", snaps, codec.pending_from_dict)

    def replace_open_deals(self, pending: Sequence[PendingDeal]) -> ChangeCounts:
        stored = self._fs.rows(self._fs.col(PENDING), PENDING)
        synced = _of_origin(stored, SYNCED)
        ours = {p.deal_id for p in booked_deals(self._fs)}
        incoming = rules.by_id(pending, lambda p: p.deal_id, codec.pending_to_dict)
        # A deal our booking put on an adviser's week stays as booked.
        incoming = {k: r for k, r in incoming.items() if k not in ours}
        counts, removed = rules.count_changes(synced, synced, incoming)
        self._apply(PENDING, synced, incoming, removed, {ORIGIN: SYNCED})
        return counts

    def drop_pending(self, deal_ids: Sequence[str]) -> int:
        wanted = set(deal_ids)
        present = list(self._stored(PENDING, wanted))
        if present:
            deletes = [self._fs.deleter(self._fs.ref(PENDING, d)) for d in present]
            self._fs.commit_in_chunks(deletes, "dropping pending deals")
        booked = booked_deals(self._fs)
        unbooks = [w for p in booked if p.deal_id in wanted for w in load_moved(self._fs, p, None)]
        if unbooks:
            for chunk in chunks(unbooks, MAX_BATCH - 1):
                self._fs.commit(chunk, "dropping booked deals now clarified", bump=False)
        return len(present) + len(unbooks)

    def _stored(self, collection: str, ids: Iterable[str]) -> dict[str, Json]:
        """Stored rows (origin tag and all) for these ids: one read when there are any."""
        refs = {rid: self._fs.ref(collection, rid) for rid in ids}
        snaps = self._fs.get_all(refs.values())
        found = {rid: snaps.get(ref.path) for rid, ref in refs.items()}
        return {rid: s.to_dict() or {} for rid, s in found.items() if s is not None and s.exists}

    def _apply(
        self,
        collection: str,
        existing: dict[str, Json],
        incoming: dict[str, Json],
        removed: list[str],
        extra: Json | None = None,
    ) -> None:
        writes: list[Write] = [
            self._fs.setter(self._fs.ref(collection, rid), {**row, **(extra or {})})
            for rid, row in incoming.items()
            if existing.get(rid) != row
        ]
        writes += [self._fs.deleter(self._fs.ref(collection, rid)) for rid in removed]
        if writes:
            self._fs.commit_in_chunks(writes, f"replacing {collection}")


def _by_id(rows: Iterable[Json]) -> dict[str, Json]:
    return {str(r["id"]): r for r in rows}


def _origin(row: Json | None) -> str:
    return SYNCED if row is None else str(row.get(ORIGIN, SYNCED))


def _of_origin(rows: Iterable[Json], origin: str) -> dict[str, Json]:
    """Rows tagged with ``origin`` (untagged rows count as synced), keyed by record id."""
    return {
        str(r.get("id", r.get("deal_id"))): strip(r, ORIGIN) for r in rows if _origin(r) == origin
    }
