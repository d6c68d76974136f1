"""Demo stand-ins for HubSpot and Employment Hero, so every sync works with no accounts.

They answer with the same deterministic demo firm the embedded store is seeded with
(``integrations.demo_data``), as seen on the clock's today: syncing in demo mode refreshes
the demo data rather than failing for want of a token.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence

from allocation import Adviser, Closure, Leave, Meeting
from integrations.demo_data import (
    SEED,
    ZONE,
    demo_advisers,
    demo_leave,
    demo_meetings,
    holiday_closures,
)
from services.ports import ReferenceData
from services.records import LeaveRequest, OpenDeal

Clock = Callable[[], dt.datetime]


def _firm(today: dt.date) -> tuple[list[Adviser], list[Meeting], list[Leave]]:
    # The same draws in the same order as seed_demo, so a sync reproduces the seeded firm.
    rng = random.Random(SEED)
    advisers = demo_advisers(today)
    meetings = demo_meetings(rng, advisers, today)
    return advisers, meetings, demo_leave(rng, advisers, today)


class DemoCrm:
    def __init__(self, clock: Clock, store: ReferenceData) -> None:
        self._clock = clock
        self._store = store
        self.warnings: list[str] = []

    def _today(self) -> dt.date:
        return self._clock().astimezone(ZONE).date()

    def fetch_advisers(self) -> list[Adviser]:
        return _firm(self._today())[0]

    def fetch_meetings(self, start: dt.date, end: dt.date) -> list[Meeting]:
        meetings = _firm(self._today())[1]
        return [m for m in meetings if start <= m.start.astimezone(dt.UTC).date() < end]

    def fetch_open_deals(self) -> list[OpenDeal]:
        # The demo's open deals were drawn with its booking history; "HubSpot" still has them.
        return [
            OpenDeal(p.deal_id, p.adviser_id, None, p.week, p.week)
            for p in self._store.list_open_deals()
        ]

    def read_deal(self, deal_id: str, properties: Sequence[str]) -> dict[str, str | None]:
        return {}  # the demo "HubSpot" keeps no deals of its own

    def contact_emails(self, deal_id: str) -> list[str]:
        return []

    def write_adviser(self, deal_id: str, adviser_id: str, property_name: str) -> None:
        """The demo "HubSpot" takes every write-back, so the outbox drains in demo mode."""


class DemoLeaveSource:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.warnings: list[str] = []

    def fetch_leave(self, since: dt.date, until: dt.date) -> list[LeaveRequest]:
        advisers, _, leave = _firm(self._clock().astimezone(ZONE).date())
        email = {a.id: a.email for a in advisers}
        return [
            LeaveRequest(lv.id, email[lv.adviser_id], lv.start, lv.end, lv.day_fraction)
            for lv in leave
            if lv.end >= since and lv.start <= until
        ]


def demo_holidays(year: int) -> list[Closure]:
    """The demo's holiday closures (the ids the seed used, so nothing is duplicated)."""
    return holiday_closures(dt.date(year, 1, 1), dt.date(year, 12, 31))
