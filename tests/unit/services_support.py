"""Shared arrangement for the use-case tests: a small firm in the in-memory store."""

from __future__ import annotations

import datetime as dt

from allocation import Adviser
from services import Services
from tests.builders import adviser
from tests.fake_ports import FakeCrm, RecordingNotifier
from tests.fakes import InMemoryStore

TODAY = dt.date(2026, 3, 11)
NOW = dt.datetime(2026, 3, 10, 23, 0, tzinfo=dt.UTC)  # 10:00 on 11 March in Sydney


def firm(*advisers: Adviser) -> InMemoryStore:
    store = InMemoryStore(clock=lambda: NOW)
    store.replace_advisers(advisers or (adviser("dana"), adviser("eli")))
    return store


def services(
    store: InMemoryStore | None = None, crm: FakeCrm | None = None
) -> tuple[Services, RecordingNotifier]:
    notifier = RecordingNotifier()
    svc = Services(store or firm(), notifier=notifier, crm=crm, clock=lambda: NOW)
    return svc, notifier
