"""Deliveries refused for their content, kept in memory for ops."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from integrations import store_rules as rules
from services import codec
from services.errors import NotFound
from services.records import RejectedDelivery
from tests.fakes.history import keep_audit
from tests.fakes.state import InMemoryState


class InMemoryRejections:
    """``services.ports.Rejections`` in memory."""

    def __init__(self, state: InMemoryState, clock: Callable[[], dt.datetime]) -> None:
        self._state = state
        self._clock = clock

    def record_rejection(self, rejection: RejectedDelivery) -> bool:
        kept_rows = self._state.rejections
        with self._state.lock:
            held = kept_rows.get(rejection.id)
            if held is None:
                kept_rows[rejection.id] = codec.rejection_to_dict(rejection)
                return True
            kept = codec.rejection_from_dict(held)
            again = rules.rejected_again(kept, rejection)
            kept_rows[rejection.id] = codec.rejection_to_dict(again)
            return kept.status != "open"

    def list_rejections(
        self, status: str | None = "open", limit: int = 200
    ) -> list[RejectedDelivery]:
        with self._state.lock:
            rows = [codec.rejection_from_dict(r) for r in self._state.rejections.values()]
        chosen = [r for r in rows if status is None or r.status == status]
        chosen.sort(key=lambda r: r.received_at, reverse=True)
        with self._state.lock:
            self._state.read(len(chosen[:limit]))
        return chosen[:limit]

    def resolve_rejection(self, rejection_id: str, resolution: str, actor: str) -> None:
        with self._state.lock:
            held = self._state.rejections.get(rejection_id)
            if held is None:
                raise NotFound(f"no rejected delivery {rejection_id}")
            before = codec.rejection_from_dict(held)
            after = rules.resolved(before, resolution)
            self._state.rejections[rejection_id] = codec.rejection_to_dict(after)
            keep_audit(self._state, rules.rejection_audit(before, after, actor, self._clock()))
