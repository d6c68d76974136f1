"""What every part of the Firestore store shares: a lazy client, counted reads, versions,
preconditions and batched commits.

Records are the codec's dicts (``services/codec.py``), so dates and datetimes are ISO strings;
range queries on them work because the codec writes every datetime in UTC with one format.
Lists sort on a ``sort_key`` field (fixed-width UTC time, then a process-wide sequence) so
entries written at the same instant keep the order they were written in.

Composite indexes production needs (the emulator needs none) are in ``firestore.indexes.json``
(deploy with ``gcloud firestore indexes composite create`` or the Firebase CLI): ``audit (entity,
sort_key desc)``, ``sync_runs (source, sort_key desc)``, ``allocations (status, sort_key
desc)``, ``allocations (adviser_id, sort_key desc)``, ``allocations (status, adviser_id,
sort_key desc)`` and ``box_folders (status, sort_key desc)``.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

from google.api_core import exceptions as gexc
from google.api_core.retry import Retry, if_exception_type
from google.auth.exceptions import GoogleAuthError
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.protobuf import timestamp_pb2

from integrations.store_rules import Unreadable
from services.errors import (
    ConfigurationError,
    Conflict,
    ConsoleError,
    StoreUnavailable,
    UpstreamRejected,
)
from services.records import ExcludedRecord

Json = dict[str, Any]
T = TypeVar("T")
Write = Callable[[firestore.WriteBatch], None]

ADVISERS = "advisers"
MEETINGS = "meetings"
PENDING = "pending"
LEAVE = "leave"
CLOSURES = "closures"
OVERRIDES = "overrides"
ADVISER_EDITS = "adviser_edits"
ALLOCATIONS = "allocations"
LOADS = "loads"
REJECTIONS = "rejections"
AUDIT = "audit"
SYNC_RUNS = "sync_runs"
SETTINGS = "settings"
TOKENS = "tokens"
OUTLOOK_DAYS = "outlook_days"
ALERTS_SENT = "alerts_sent"
BOX_FOLDERS = "box_folders"
META = "meta"
VERSION_DOC = "version"
NOTES_DOC = "override_notes"

# Fields the store adds beside the codec's dict; stripped before records are compared.
ORIGIN = "origin"
SORT_KEY = "sort_key"
MAX_BATCH = 500  # Firestore's limit on writes in one commit
GET_ALL_CHUNK = 300  # documents fetched in one round trip
MISSING_VERSION = "0"  # the version of a record that has never been saved

_UNAVAILABLE = (
    gexc.ServiceUnavailable,
    gexc.DeadlineExceeded,
    gexc.InternalServerError,
    gexc.TooManyRequests,
    gexc.RetryError,
)
_TRANSIENT = (
    gexc.ServiceUnavailable,
    gexc.DeadlineExceeded,
    gexc.InternalServerError,
    gexc.TooManyRequests,
)
_REFUSED = (gexc.PermissionDenied, gexc.Unauthenticated, gexc.InvalidArgument)
# What a commit answers when one of its preconditions no longer holds.
PRECONDITION_FAILED = (gexc.FailedPrecondition, gexc.AlreadyExists, gexc.NotFound)


@dataclass(frozen=True)
class CallBudget:
    """How long one Firestore call may take. The client library's defaults retry for up to
    five minutes, which turned an unreachable Firestore into five silent minutes and then a
    traceback; every call here states its deadline and its retry budget instead.

    ``total`` bounds the retries of one call (then ``StoreUnavailable``); ``attempt`` is the
    deadline of a single get or commit; a query streams many documents under one deadline,
    so it gets ``query``.
    """

    total: float = 15.0
    attempt: float = 5.0
    query: float = 60.0

    @classmethod
    def within(cls, seconds: float) -> CallBudget:
        """A budget whose every call gives up after about ``seconds``."""
        return cls(total=seconds, attempt=min(5.0, seconds), query=max(seconds, 10.0))

    def reads(self) -> Retry:
        return Retry(
            predicate=if_exception_type(*_TRANSIENT),
            initial=0.1,
            maximum=2.0,
            multiplier=2.0,
            timeout=self.total,
        )

    def commits(self) -> Retry:
        # A commit that timed out may have landed; retrying it could apply it twice, so only
        # failures that mean "never reached the server" are retried.
        return Retry(
            predicate=if_exception_type(gexc.ServiceUnavailable, gexc.TooManyRequests),
            initial=0.1,
            maximum=2.0,
            multiplier=2.0,
            timeout=self.total,
        )


def doc_key(record_id: str) -> str:
    """A record id as a document id: '/' would start a sub-path, so ids are percent-quoted."""
    if not record_id:
        raise ValueError("a stored record needs a non-empty id")
    return quote(record_id, safe="")


def _short(exc: Exception) -> str:
    """The first line of a gRPC error (the rest is a debug dump of the channel)."""
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def version_of(snapshot: Any) -> str:
    """The version an editor carries: the document's update time, to the nanosecond."""
    if not snapshot.exists:
        return MISSING_VERSION
    return str(snapshot.update_time.rfc3339())


def written_version(result: Any) -> str:
    """The version a commit gave the document it wrote (its new update time)."""
    return str(result.update_time.rfc3339())


def timestamp(version: str) -> timestamp_pb2.Timestamp | None:
    """The update time a version names, or None when it cannot be one (then it is stale)."""
    stamp = timestamp_pb2.Timestamp()
    try:
        stamp.FromJsonString(version)
    except ValueError:
        return None
    return stamp


def packed(row: Json, *fields: str) -> Json:
    """Free-form JSON fields as text: Firestore refuses an array directly inside an array
    (a decision's ``blocked_weeks`` pairs), and nobody queries inside these fields."""
    return {k: json.dumps(v) if k in fields else v for k, v in row.items()}


def unpacked(row: Json, *fields: str) -> Json:
    return {k: json.loads(v) if k in fields and isinstance(v, str) else v for k, v in row.items()}


def strip(row: Json, *fields: str) -> Json:
    return {k: v for k, v in row.items() if k not in fields}


_sequence_lock = threading.Lock()
_last_sequence = 0


def _next_sequence() -> int:
    # Nanoseconds since the epoch, forced strictly increasing within the process.
    global _last_sequence
    with _sequence_lock:
        _last_sequence = max(_last_sequence + 1, time.time_ns())
        return _last_sequence


def fixed_time(at: dt.datetime) -> str:
    """A UTC time as a fixed-width string that sorts like the time it names."""
    if at.utcoffset() is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def sort_key(at: dt.datetime) -> str:
    return f"{fixed_time(at)}|{_next_sequence():020d}"


def chunks(writes: Sequence[Write], size: int) -> Iterator[Sequence[Write]]:
    for first in range(0, len(writes), size):
        yield writes[first : first + size]


class FirestoreClient:
    """A lazily built client, every round trip counted in ``reads``, errors translated; and the
    store's health (``services.ports.Health``), which is about the database as a whole."""

    def __init__(
        self,
        project_id: str,
        client: firestore.Client | None = None,
        budget: CallBudget | None = None,
    ) -> None:
        if not project_id and client is None:
            raise ConfigurationError("CONSOLE_STORE: firestore://<project-id> needs a project id")
        self.project_id = project_id
        self.budget = budget or CallBudget()
        self.reads = 0
        self.skipped = Unreadable()
        self._client = client
        self._lock = threading.Lock()

    @property
    def db(self) -> firestore.Client:
        # Built on first use, so constructing a store never touches the network or credentials.
        with self._lock:
            if self._client is None:
                self._client = self._connect()
            return self._client

    def _connect(self) -> firestore.Client:
        try:
            return firestore.Client(project=self.project_id)
        except GoogleAuthError as exc:
            raise ConfigurationError(
                f"Firestore project {self.project_id}: no Google credentials found "
                "(set GOOGLE_APPLICATION_CREDENTIALS, or FIRESTORE_EMULATOR_HOST for the emulator)"
            ) from exc

    def col(self, name: str) -> firestore.CollectionReference:
        return self.db.collection(name)

    def ref(self, collection: str, record_id: str) -> firestore.DocumentReference:
        return self.db.collection(collection).document(doc_key(record_id))

    @property
    def version_ref(self) -> firestore.DocumentReference:
        return self.db.collection(META).document(VERSION_DOC)

    def count_read(self, documents: int = 1) -> None:
        """Firestore bills every document read, and at least one per query."""
        with self._lock:
            self.reads += max(1, documents)

    @contextmanager
    def calling(self, what: str) -> Iterator[None]:
        try:
            yield
        except _UNAVAILABLE as exc:
            raise StoreUnavailable(
                f"Firestore ({self.project_id}) cannot be reached while {what}: {_short(exc)}"
            ) from exc
        except _REFUSED as exc:
            raise UpstreamRejected(f"Firestore ({self.project_id}) {what}: {exc}") from exc

    def get(self, ref: firestore.DocumentReference, **options: Any) -> Any:
        self.count_read()
        options = {"retry": self.budget.reads(), "timeout": self.budget.attempt, **options}
        with self.calling(f"reading {ref.path}"):
            return ref.get(**options)

    def precondition(self, version: str) -> Any:
        """A write option refusing the write unless the document is still at ``version``."""
        stamp = timestamp(version)
        if stamp is None:
            raise Conflict(f"version {version!r} is not one this store gave out")
        return self.db.write_option(last_update_time=stamp)

    def reachable(self) -> bool:
        """One quick read of the version document; any failure means not reachable."""
        try:
            self.get(self.version_ref, retry=None, timeout=min(5.0, self.budget.attempt))
        except (ConsoleError, gexc.GoogleAPIError, GoogleAuthError):
            return False
        return True

    def get_all(self, refs: Iterable[firestore.DocumentReference]) -> dict[str, Any]:
        """Document snapshots by document path (missing ones too), ``GET_ALL_CHUNK`` to a
        round trip, so each stays well inside its deadline however many a sync asks for."""
        refs = list(refs)
        found: dict[str, Any] = {}
        budget = self.budget
        for first in range(0, len(refs), GET_ALL_CHUNK):
            part = refs[first : first + GET_ALL_CHUNK]
            self.count_read(len(part))
            with self.calling("reading documents"):
                snaps = self.db.get_all(part, retry=budget.reads(), timeout=budget.attempt)
                found.update({snap.reference.path: snap for snap in snaps})
        return found

    def stream(self, query: Any, what: str) -> list[Any]:
        with self.calling(f"listing {what}"):
            found = list(query.stream(retry=self.budget.reads(), timeout=self.budget.query))
        self.count_read(len(found))
        return found

    def rows(self, query: Any, what: str) -> list[Json]:
        return [snap.to_dict() or {} for snap in self.stream(query, what)]

    def where(self, query: Any, field: str, op: str, value: Any) -> Any:
        return query.where(filter=FieldFilter(field, op, value))

    def bump(self, batch: firestore.WriteBatch) -> None:
        """Move the data version, so cached snapshots know to reload and older decisions are
        refused; commits that change no decision's input skip it (``commit(bump=False)``)."""
        batch.set(self.version_ref, {"n": firestore.Increment(1)}, merge=True)

    def commit(self, writes: Sequence[Write], what: str, bump: bool = True) -> list[Any]:
        """Apply writes atomically, with a version bump unless the writes move the version
        themselves; precondition failures surface as the library's errors. Returns the write
        results, in the order of ``writes``."""
        batch = self.db.batch()
        for write in writes:
            write(batch)
        if bump:
            self.bump(batch)
        with self.calling(what):
            return list(batch.commit(retry=self.budget.commits(), timeout=self.budget.attempt))

    def commit_in_chunks(self, writes: Sequence[Write], what: str) -> None:
        """A bulk replace: atomic per chunk of ``MAX_BATCH`` writes (a re-sync repairs a cut)."""
        for chunk in chunks(writes, MAX_BATCH - 1):
            self.commit(chunk, what)

    def setter(self, ref: firestore.DocumentReference, row: Json) -> Write:
        return lambda batch: batch.set(ref, row)

    def deleter(self, ref: firestore.DocumentReference) -> Write:
        return lambda batch: batch.delete(ref)

    # --- health ------------------------------------------------------------------------------

    def data_version(self) -> str:
        """The update time of ``meta/version``, which every commit changing a decision's input
        also writes: a warm cache checks freshness with one document read."""
        return version_of(self.get(self.version_ref))

    def is_empty(self) -> bool:
        return not self.stream(self.col(ADVISERS).limit(1), ADVISERS)

    def ping(self) -> bool:
        return self.reachable()

    def unreadable(self) -> list[ExcludedRecord]:
        return self.skipped.rows()

    def decoded(self, kind: str, snaps: Iterable[Any], from_dict: Callable[[Json], T]) -> list[T]:
        """The documents that read as records; the others are skipped and reported."""
        return self.skipped.decode(kind, snaps, lambda s: from_dict(s.to_dict() or {}), _doc_id)


def _doc_id(snap: Any) -> object:
    return snap.id
