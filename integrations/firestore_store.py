"""The production store on Google Cloud Firestore (``CONSOLE_STORE=firestore://<project>``).

It keeps the promises of ``services.ports`` (checked by the shared store contract). Every
commit that changes a decision's input also writes ``meta/version``, whose update time is the
``data_version``: a warm cache checks freshness with one document read. Booking needs no
read-write transaction: one atomic commit creates ``allocations/{deal_id}`` (refused if it
exists) and writes ``meta/version`` with a ``last_update_time`` precondition equal to the
version the decision was based on, so two decisions made on the same data cannot both land;
the loser is told to decide again. A decision that books no load checks the same precondition
with an update that changes nothing, which leaves the update time (the version) where it was.
(The emulator's pessimistic locks also make contended read-write transactions wait seconds.)
The client library honours ``FIRESTORE_EMULATOR_HOST`` on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from google.cloud import firestore

from allocation import Adviser, Leave, Meeting, MeetingTable, PendingDeal
from integrations import store_rules as common
from integrations.firestore_docs import (
    ADVISERS,
    LEAVE,
    MAX_BATCH,
    MEETINGS,
    ORIGIN,
    PENDING,
    TOKENS,
    CallBudget,
    Json,
    Write,
    chunks,
    packed,
    strip,
    unpacked,
    version_of,
)
from integrations.firestore_edits import PRECONDITION_FAILED
from integrations.firestore_history import FirestoreHistory
from services import codec
from services.records import ChangeCounts

SYNCED = "synced"
MANUAL = "manual"


class FirestoreStore(FirestoreHistory):
    """A ``services.ports.Store`` in one Firestore database; builds its client on first use."""

    def __init__(
        self,
        project_id: str,
        client: firestore.Client | None = None,
        *,
        clock: Callable[[], dt.datetime] = common.utcnow,
        patience: float | None = None,
    ) -> None:
        """``patience``: seconds any one call may take, retries included (default 15)."""
        budget = CallBudget.within(patience) if patience is not None else None
        super().__init__(project_id, client, budget)
        self._clock = clock

    # --- freshness and health ----------------------------------------------------------------

    def data_version(self) -> str:
        return version_of(self.get(self.version_ref))

    def is_empty(self) -> bool:
        return not self.stream(self.col(ADVISERS).limit(1), ADVISERS)

    def ping(self) -> bool:
        return self.reachable()

    # --- reference data ----------------------------------------------------------------------

    def list_advisers(self) -> list[Adviser]:
        return [codec.adviser_from_dict(r) for r in self.rows(self.col(ADVISERS), ADVISERS)]

    def replace_advisers(self, advisers: Sequence[Adviser]) -> ChangeCounts:
        stored = _by_id(self.rows(self.col(ADVISERS), ADVISERS))
        incoming = common.by_id(advisers, lambda a: a.id, codec.adviser_to_dict)
        counts, removed = common.count_changes(stored, stored, incoming)
        self._apply(ADVISERS, stored, incoming, removed)
        return counts

    def _meetings_query(self, start: dt.date, end: dt.date) -> Any:
        # Starts are UTC ISO strings, so a date's ISO string bounds that UTC day exactly.
        query = self.where(self.col(MEETINGS), "start", ">=", start.isoformat())
        return self.where(query, "start", "<", end.isoformat())

    def list_meetings(self, start: dt.date, end: dt.date) -> list[Meeting]:
        rows = self.rows(self._meetings_query(start, end), MEETINGS)
        return [codec.meeting_from_dict(r) for r in rows]

    def meeting_table(self, start: dt.date, end: dt.date) -> MeetingTable:
        rows = self.rows(self._meetings_query(start, end), MEETINGS)
        return codec.meeting_table_from_dicts(rows)

    def replace_meetings(
        self, meetings: Sequence[Meeting], start: dt.date, end: dt.date
    ) -> ChangeCounts:
        in_scope = _by_id(self.rows(self._meetings_query(start, end), MEETINGS))
        incoming = common.by_id(meetings, lambda m: m.id, codec.meeting_to_dict)
        existing = {**self._stored(MEETINGS, set(incoming) - set(in_scope)), **in_scope}
        counts, removed = common.count_changes(in_scope, existing, incoming)
        self._apply(MEETINGS, existing, incoming, removed)
        return counts

    def list_leave(self) -> list[Leave]:
        return [codec.leave_from_dict(r) for r in self.rows(self.col(LEAVE), LEAVE)]

    def add_manual_leave(self, leave: Leave) -> None:
        """Leave entered in the console; no sync ever removes it."""
        row = {**codec.leave_to_dict(leave), ORIGIN: MANUAL}
        self.commit([self.setter(self.ref(LEAVE, leave.id), row)], "saving leave")

    def replace_synced_leave(self, leave: Sequence[Leave], since: dt.date) -> ChangeCounts:
        ending_since = self.where(self.col(LEAVE), "end", ">=", since.isoformat())
        in_scope = _of_origin(self.rows(ending_since, LEAVE), SYNCED)
        incoming = common.by_id(leave, lambda lv: lv.id, codec.leave_to_dict)
        elsewhere = self._stored(LEAVE, set(incoming) - set(in_scope))
        # Leave someone entered by hand keeps its id; a synced copy never overwrites it.
        incoming = {k: r for k, r in incoming.items() if _origin(elsewhere.get(k)) == SYNCED}
        existing = {**_of_origin(elsewhere.values(), SYNCED), **in_scope}
        counts, removed = common.count_changes(in_scope, existing, incoming)
        self._apply(LEAVE, existing, incoming, removed, {ORIGIN: SYNCED})
        return counts

    def list_pending(self) -> list[PendingDeal]:
        booked = [p for load in self.booked_loads().loads for p in load.pending]
        return self.list_open_deals() + booked

    def list_open_deals(self) -> list[PendingDeal]:
        return [codec.pending_from_dict(r) for r in self.rows(self.col(PENDING), PENDING)]

    def replace_open_deals(self, pending: Sequence[PendingDeal]) -> ChangeCounts:
        stored = self.rows(self.col(PENDING), PENDING)
        synced = _of_origin(stored, SYNCED)
        ours = self.booked_deal_ids()
        incoming = common.by_id(pending, lambda p: p.deal_id, codec.pending_to_dict)
        # A deal our booking put on an adviser's week stays as booked.
        incoming = {k: r for k, r in incoming.items() if k not in ours}
        counts, removed = common.count_changes(synced, synced, incoming)
        self._apply(PENDING, synced, incoming, removed, {ORIGIN: SYNCED})
        return counts

    def drop_pending(self, deal_ids: Sequence[str]) -> int:
        wanted = set(deal_ids)
        present = list(self._stored(PENDING, wanted))
        if present:
            deletes = [self.deleter(self.ref(PENDING, d)) for d in present]
            self.commit_in_chunks(deletes, "dropping pending deals")
        booked = [p for load in self.booked_loads().loads for p in load.pending]
        unbooks = [w for p in booked if p.deal_id in wanted for w in self._load_moved(p, None)]
        if unbooks:
            for chunk in chunks(unbooks, MAX_BATCH - 1):
                self.commit(chunk, "dropping booked deals now clarified", bump=False)
        return len(present) + len(unbooks)

    def _stored(self, collection: str, ids: Iterable[str]) -> dict[str, Json]:
        """Stored rows (origin tag and all) for these ids: one read when there are any."""
        refs = {rid: self.ref(collection, rid) for rid in ids}
        snaps = self.get_all(refs.values())
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
            self.setter(self.ref(collection, rid), {**row, **(extra or {})})
            for rid, row in incoming.items()
            if existing.get(rid) != row
        ]
        writes += [self.deleter(self.ref(collection, rid)) for rid in removed]
        if writes:
            self.commit_in_chunks(writes, f"replacing {collection}")

    # --- tokens ------------------------------------------------------------------------------

    def load_token(self, name: str) -> dict[str, Any] | None:
        snap = self.get(self.ref(TOKENS, name))
        return dict(unpacked(snap.to_dict() or {}, "token")["token"]) if snap.exists else None

    def save_token(self, name: str, token: dict[str, Any]) -> None:
        self.commit(
            [self.setter(self.ref(TOKENS, name), packed({"token": token}, "token"))],
            "saving a token",
            bump=False,  # a token is no decision's input
        )

    def take_token(self, name: str) -> dict[str, Any] | None:
        """Read, then delete only if unchanged since that read: of several takers, the first
        delete wins and the others' preconditions fail (no read-write transaction, whose
        locks make contended callers wait)."""
        ref = self.ref(TOKENS, name)
        snap = self.get(ref)
        if not snap.exists:
            return None
        unchanged_since_read = self.precondition(version_of(snap))
        try:
            self.commit(
                [lambda b: b.delete(ref, option=unchanged_since_read)], "taking a token", bump=False
            )
        except PRECONDITION_FAILED:
            return None  # someone else took it (or replaced it) first
        return dict(unpacked(snap.to_dict() or {}, "token")["token"])


def _by_id(rows: Iterable[Json]) -> dict[str, Json]:
    return {str(r["id"]): r for r in rows}


def _origin(row: Json | None) -> str:
    return SYNCED if row is None else str(row.get(ORIGIN, SYNCED))


def _of_origin(rows: Iterable[Json], origin: str) -> dict[str, Json]:
    """Rows tagged with ``origin`` (untagged rows count as synced), keyed by record id."""
    return {
        str(r.get("id", r.get("deal_id"))): strip(r, ORIGIN) for r in rows if _origin(r) == origin
    }
