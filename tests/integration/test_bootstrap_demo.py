from __future__ import annotations

import datetime as dt
from pathlib import Path

import bootstrap
from allocation import Deal
from services.notifiers import LoggingNotifier
from settings import Settings

NOW = dt.datetime(2026, 3, 10, 23, 0, tzinfo=dt.UTC)


def test_a_fresh_embedded_store_opens_on_demo_data_with_no_accounts(tmp_path: Path) -> None:
    settings = Settings.of(CONSOLE_STORE=f"sqlite:///{tmp_path / 'console.db'}")
    svc = bootstrap.build_services(settings, clock=lambda: NOW)
    assert svc.demo is True
    assert svc.crm is None
    assert svc.leave_source is None
    assert isinstance(svc.notifier, LoggingNotifier)
    assert len(svc.browsing.advisers()) == 25
    reads = svc.store.reads
    svc.browsing.snapshot()
    assert svc.store.reads - reads == 2  # warm: the reference version, and no booking news
    assert svc.booking.allocate(Deal("new-1", "Series A", "Single")).status == "allocated"


def test_demo_off_leaves_the_store_empty(tmp_path: Path) -> None:
    settings = Settings.of(CONSOLE_STORE=f"sqlite:///{tmp_path / 'c.db'}", CONSOLE_DEMO="0")
    svc = bootstrap.build_services(settings, clock=lambda: NOW)
    assert svc.demo is False
    assert svc.store.is_empty()
