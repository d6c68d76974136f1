"""The capacity outlook's daily snapshots and the alerts sent, in Firestore; bookkeeping, so
no commit here moves the version."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from integrations.firestore.client import (
    ALERTS_SENT,
    OUTLOOK_DAYS,
    PRECONDITION_FAILED,
    FirestoreClient,
    doc_key,
)
from services import codec
from services.errors import StoreUnavailable
from services.records import OutlookDay

IDEMPOTENT_ATTEMPTS = 3


def _day_id(day: OutlookDay) -> str:
    # A segment's label is free text (from HubSpot names): hashed, so any label is an id.
    digest = hashlib.sha256(day.segment.encode()).hexdigest()[:16]
    return f"{day.day.isoformat()}_{digest}"


class FirestoreTrends:
    """``services.ports.Trends`` in Firestore."""

    def __init__(self, client: FirestoreClient) -> None:
        self._fs = client

    def save_outlook_days(self, days: Sequence[OutlookDay]) -> None:
        writes = [
            self._fs.setter(self._fs.ref(OUTLOOK_DAYS, _day_id(d)), codec.outlook_day_to_dict(d))
            for d in days
        ]
        if not writes:
            return
        for attempt in range(IDEMPOTENT_ATTEMPTS):
            # Sets by id: repeating a commit whose answer timed out (it may have landed) is
            # harmless, unlike the commits the client's own retry leaves alone.
            try:
                self._fs.commit(writes, "keeping the outlook's day", bump=False)
                return
            except StoreUnavailable:
                if attempt == IDEMPOTENT_ATTEMPTS - 1:
                    raise

    def list_outlook_days(self, since: dt.date) -> list[OutlookDay]:
        query = self._fs.where(self._fs.col(OUTLOOK_DAYS), "day", ">=", since.isoformat())
        found = [codec.outlook_day_from_dict(r) for r in self._fs.rows(query, OUTLOOK_DAYS)]
        return sorted(found, key=lambda d: (d.day, d.segment))

    def claim_alert(self, key: str) -> bool:
        """``create`` fails when the document exists: of several claimants, one wins."""
        ref = self._fs.ref(ALERTS_SENT, doc_key(key))
        try:
            self._fs.commit(
                [lambda b: b.create(ref, {"key": key})], "claiming an alert", bump=False
            )
        except PRECONDITION_FAILED:
            return False
        return True

    def release_alert(self, key: str) -> None:
        ref = self._fs.ref(ALERTS_SENT, doc_key(key))
        self._fs.commit([self._fs.deleter(ref)], "releasing an alert", bump=False)
