"""The capacity outlook's daily snapshots and the alerts sent, in memory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from services import codec
from services.records import OutlookDay
from tests.fakes.state import InMemoryState


class InMemoryTrends:
    """``services.ports.Trends`` in memory."""

    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    def save_outlook_days(self, days: Sequence[OutlookDay]) -> None:
        with self._state.lock:
            for day in days:
                key = (day.day.isoformat(), day.segment)
                self._state.outlook_days[key] = codec.outlook_day_to_dict(day)

    def list_outlook_days(self, since: dt.date) -> list[OutlookDay]:
        with self._state.lock:
            rows = sorted(
                (k, r) for k, r in self._state.outlook_days.items() if k[0] >= since.isoformat()
            )
            self._state.read(len(rows))
        return [codec.outlook_day_from_dict(r) for _, r in rows]

    def claim_alert(self, key: str) -> bool:
        with self._state.lock:
            if key in self._state.alerts_sent:
                return False
            self._state.alerts_sent.add(key)
            return True

    def release_alert(self, key: str) -> None:
        with self._state.lock:
            self._state.alerts_sent.discard(key)
