"""The in-memory store's state and its history and token parts (see ``tests.fakes``)."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import threading
from collections.abc import Callable
from typing import Any

from integrations import store_rules as common
from services import codec
from services.errors import NotFound, SyncInProgress
from services.records import AuditEntry, SyncRun

Json = dict[str, Any]


class InMemoryBase:
    """The fake store's state, bookkeeping, history and tokens, behind one lock.

    History and tokens are bookkeeping: writing them never moves the data version."""

    def __init__(self, clock: Callable[[], dt.datetime] = common.utcnow) -> None:
        self.reads = 0
        self._clock = clock
        self._lock = threading.RLock()
        self._versions = itertools.count(1)
        self._data_version = 0
        self._advisers: dict[str, Json] = {}
        self._meetings: dict[str, Json] = {}
        self._leave: dict[str, tuple[str, Json]] = {}  # id → (origin, row)
        self._pending: dict[str, tuple[str, Json]] = {}  # open deals synced: id → (origin, row)
        self._closures: dict[str, tuple[Json, str]] = {}
        self._overrides: dict[str, tuple[Json, str]] = {}
        self._notes: dict[str, str] = {}
        self._settings: tuple[Json, str] | None = None
        self._allocations: dict[str, tuple[Json, int]] = {}  # deal id → (row, version)
        self._loads: dict[str, dict[str, str]] = {}  # adviser → {deal id: booked week}
        self._load_versions: dict[str, tuple[int, int]] = {}  # adviser → (version, sequence)
        self._load_seq = 0
        self._rejections: dict[str, Json] = {}
        self._audit: list[Json] = []
        self._runs: dict[str, Json] = {}
        self._tokens: dict[str, Json] = {}

    # --- bookkeeping -----------------------------------------------------------------------

    def _read(self, documents: int = 1) -> None:
        self.reads += max(1, documents)

    def _bump(self) -> None:
        self._data_version += 1

    def _next_version(self) -> str:
        return str(next(self._versions))

    def data_version(self) -> str:
        with self._lock:
            self._read()
            return str(self._data_version)

    def is_empty(self) -> bool:
        with self._lock:
            self._read()
            return not self._advisers

    def ping(self) -> bool:
        return True

    # --- history ---------------------------------------------------------------------------

    def append_audit(self, entry: AuditEntry) -> None:
        with self._lock:
            self._audit.append(codec.audit_to_dict(common.with_id(entry)))

    def list_audit(self, entity: str | None = None, limit: int = 50) -> list[AuditEntry]:
        with self._lock:
            self._read()
            rows = [r for r in reversed(self._audit) if entity is None or r["entity"] == entity]
        entries = [codec.audit_from_dict(r) for r in rows]
        entries.sort(key=lambda e: e.at, reverse=True)  # stable: same instant keeps newest first
        return entries[:limit]

    def start_sync(self, source: str, actor: str, now: dt.datetime) -> SyncRun:
        with self._lock:
            for row in list(self._runs.values()):
                run = codec.sync_run_from_dict(row)
                if run.source != source or run.status != "running":
                    continue
                if not common.abandoned(run.started_at, now):
                    raise SyncInProgress(common.sync_busy_message(run))
                self._runs[run.id] = codec.sync_run_to_dict(common.abandon(run, now))
            run = SyncRun(id=common.new_id(), source=source, started_at=now, actor=actor)
            self._runs[run.id] = codec.sync_run_to_dict(run)
            return run

    def finish_sync(self, run: SyncRun) -> None:
        with self._lock:
            if run.id not in self._runs:
                raise NotFound(f"sync run {run.id} was never started")
            self._runs[run.id] = codec.sync_run_to_dict(run)

    def list_sync_runs(self, source: str | None = None, limit: int = 50) -> list[SyncRun]:
        with self._lock:
            self._read()
            rows = list(reversed(self._runs.values()))
        runs = [codec.sync_run_from_dict(r) for r in rows]
        runs = [r for r in runs if source is None or r.source == source]
        runs.sort(key=lambda r: r.started_at, reverse=True)
        return runs[:limit]

    # --- tokens ----------------------------------------------------------------------------

    def load_token(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            self._read()
            token = self._tokens.get(name)
            return None if token is None else copy.deepcopy(token)

    def save_token(self, name: str, token: dict[str, Any]) -> None:
        with self._lock:
            self._tokens[name] = copy.deepcopy(token)

    def take_token(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            self._read()
            return self._tokens.pop(name, None)
