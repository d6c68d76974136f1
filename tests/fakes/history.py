"""The in-memory audit log and sync runs: bookkeeping, so the data version stays."""

from __future__ import annotations

import datetime as dt

from integrations import store_rules as rules
from services import codec
from services.errors import NotFound, SyncInProgress
from services.records import AuditEntry, SyncRun
from tests.fakes.state import InMemoryState


class InMemoryHistory:
    """``services.ports.History`` in memory."""

    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    def append_audit(self, entry: AuditEntry) -> None:
        with self._state.lock:
            keep_audit(self._state, rules.with_id(entry))

    def list_audit(self, entity: str | None = None, limit: int = 50) -> list[AuditEntry]:
        with self._state.lock:
            self._state.read()
            rows = [
                r for r in reversed(self._state.audit) if entity is None or r["entity"] == entity
            ]
        entries = [codec.audit_from_dict(r) for r in rows]
        entries.sort(key=lambda e: e.at, reverse=True)  # stable: same instant keeps newest first
        return entries[:limit]

    def start_sync(self, source: str, actor: str, now: dt.datetime) -> SyncRun:
        runs = self._state.runs
        with self._state.lock:
            for row in list(runs.values()):
                run = codec.sync_run_from_dict(row)
                if run.source != source or run.status != "running":
                    continue
                if not rules.abandoned(run.started_at, now):
                    raise SyncInProgress(rules.sync_busy_message(run))
                runs[run.id] = codec.sync_run_to_dict(rules.abandon(run, now))
            run = SyncRun(id=rules.new_id(), source=source, started_at=now, actor=actor)
            runs[run.id] = codec.sync_run_to_dict(run)
            return run

    def finish_sync(self, run: SyncRun) -> None:
        with self._state.lock:
            if run.id not in self._state.runs:
                raise NotFound(f"sync run {run.id} was never started")
            self._state.runs[run.id] = codec.sync_run_to_dict(run)

    def list_sync_runs(self, source: str | None = None, limit: int = 50) -> list[SyncRun]:
        with self._state.lock:
            self._state.read()
            rows = list(reversed(self._state.runs.values()))
        runs = [codec.sync_run_from_dict(r) for r in rows]
        runs = [r for r in runs if source is None or r.source == source]
        runs.sort(key=lambda r: r.started_at, reverse=True)
        return runs[:limit]


def keep_audit(state: InMemoryState, entry: AuditEntry) -> None:
    """Audit a change while holding the lock that makes it (whole or not at all)."""
    state.audit.append(codec.audit_to_dict(entry))
