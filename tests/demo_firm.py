"""The demo firm (integrations.demo_data) on the in-memory store, as the console serves it."""

from __future__ import annotations

import datetime as dt
from functools import cache

from integrations.demo_data import seed_demo
from services import Services
from tests.fakes import InMemoryStore

DEMO_NOW = dt.datetime(2026, 11, 24, 23, 0, tzinfo=dt.UTC)  # 10:00 on 25 Nov in Sydney
DEMO_TODAY = dt.date(2026, 11, 25)


def _clock() -> dt.datetime:
    return DEMO_NOW


@cache
def demo_services() -> Services:
    """Built once per test process: the tests that use it only read."""
    store = InMemoryStore(clock=_clock)
    seed_demo(store, DEMO_TODAY, DEMO_NOW)
    return Services(store, clock=_clock)
