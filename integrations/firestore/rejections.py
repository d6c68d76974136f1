"""Deliveries refused for their content, kept in Firestore for ops (newest first on
``sort_key``); bookkeeping, so no commit here moves the version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from google.cloud import firestore

from integrations import store_rules as rules
from integrations.firestore.client import (
    PRECONDITION_FAILED,
    REJECTIONS,
    SORT_KEY,
    FirestoreClient,
    Json,
    Write,
    sort_key,
    version_of,
)
from integrations.firestore.history import audit_write
from services import codec
from services.errors import Conflict, NotFound
from services.records import RejectedDelivery


class FirestoreRejections:
    """``services.ports.Rejections`` in Firestore."""

    def __init__(self, client: FirestoreClient, clock: Callable[[], dt.datetime]) -> None:
        self._fs = client
        self._clock = clock

    def record_rejection(self, rejection: RejectedDelivery) -> bool:
        ref = self._fs.ref(REJECTIONS, rejection.id)
        for _ in range(3):  # a rival writing the same rejection at once: read again, count it
            snap = self._fs.get(ref)
            write: Write
            if not snap.exists:
                write, opened = _created(ref, _rejection_row(rejection)), True
            else:
                kept = codec.rejection_from_dict(snap.to_dict() or {})
                again = _rejection_row(rules.rejected_again(kept, rejection))
                write = _updated(ref, again, self._fs.precondition(version_of(snap)))
                opened = kept.status != "open"
            try:
                self._fs.commit([write], "keeping a rejected delivery", bump=False)
            except PRECONDITION_FAILED:
                continue
            return opened
        raise Conflict(f"rejected delivery {rejection.id} kept changing; try again")

    def list_rejections(
        self, status: str | None = "open", limit: int = 200
    ) -> list[RejectedDelivery]:
        query: Any = self._fs.col(REJECTIONS)
        if status is not None:
            query = self._fs.where(query, "status", "==", status)
        query = query.order_by(SORT_KEY, direction=firestore.Query.DESCENDING).limit(limit)
        return [codec.rejection_from_dict(r) for r in self._fs.rows(query, REJECTIONS)]

    def resolve_rejection(self, rejection_id: str, resolution: str, actor: str) -> None:
        ref = self._fs.ref(REJECTIONS, rejection_id)
        snap = self._fs.get(ref)
        if not snap.exists:
            raise NotFound(f"no rejected delivery {rejection_id}")
        before = codec.rejection_from_dict(snap.to_dict() or {})
        after = rules.resolved(before, resolution)
        unchanged = self._fs.precondition(version_of(snap))
        entry = rules.rejection_audit(before, after, actor, self._clock())
        writes = [_updated(ref, _rejection_row(after), unchanged), audit_write(self._fs, entry)]
        try:
            self._fs.commit(writes, "resolving a rejected delivery", bump=False)
        except PRECONDITION_FAILED as exc:
            raise Conflict(f"rejected delivery {rejection_id} changed meanwhile") from exc


def _rejection_row(rejection: RejectedDelivery) -> Json:
    return {**codec.rejection_to_dict(rejection), SORT_KEY: sort_key(rejection.received_at)}


def _created(ref: firestore.DocumentReference, row: Json) -> Write:
    return lambda b: b.create(ref, row)


def _updated(ref: firestore.DocumentReference, row: Json, option: Any) -> Write:
    return lambda b: b.update(ref, row, option=option)
