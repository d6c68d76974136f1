"""A small firm on the in-memory store, and AppTest runs of page scripts wired to it.

Today is Wednesday 11 March 2026 (Sydney), as in the rules' worked example: the current week
is 9 March, and the first week a new client may start is 23 March.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from allocation import Deal, allocate
from console import state
from console.auth import EDITOR, VIEWER, User
from integrations.public_holidays import public_holidays
from services import Services
from services.booking import record_as_decided
from services.records import (
    ALLOCATED,
    UNALLOCATED,
    WRITEBACK_PENDING,
    EditBatch,
    record_of,
)
from settings import Settings
from tests.app.markdown_view import shown
from tests.builders import adviser, clarify, closure, d, leave, override
from tests.fake_ports import FakeCrm
from tests.fakes import InMemoryStore

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 3, 11, 1, 0, tzinfo=dt.UTC)  # 12:00 in Sydney
TODAY = d("2026-03-11")
EDITOR_USER = User("ed@firm.example", "Ed Editor", EDITOR)
VIEWER_USER = User("vi@firm.example", "Vi Viewer", VIEWER)


def clock() -> dt.datetime:
    return NOW


@dataclass
class Firm:
    store: InMemoryStore
    crm: FakeCrm
    services: Services


def small_firm() -> Firm:
    """Dana (Series A/B, NSW), Eli (Series A, couples only, VIC), Fay (Seed, not taking
    clients, NSW), Gus (Series A, singles only, QLD, capacity cut to 0 until May)."""
    store = InMemoryStore(clock=clock)
    store.replace_advisers(
        [
            adviser("dana", "Dana", ("Series A", "Series B"), pod_type="Standard Pod",
                    region="NSW"),
            adviser("eli", "Eli", ("Series A",), ("Couple",), pod_type="Solo Adviser",
                    region="VIC"),
            adviser("fay", "Fay", ("Seed",), taking_on_clients=False, pod_type="Team Pod",
                    region="NSW"),
            adviser("gus", "Gus", ("Series A",), ("Single",), pod_type="Standard Pod",
                    region="QLD"),
        ]
    )  # fmt: skip
    meetings = [clarify("dana", day) for day in ("2026-03-10", "2026-03-17", "2026-03-18")]
    meetings += [clarify("dana", "2026-03-24"), clarify("eli", "2026-03-12")]
    store.replace_meetings(meetings, d("2026-01-01"), d("2027-06-01"))
    store.add_manual_leave(leave("eli", "2026-03-23", "2026-04-03"))
    shutdown = closure("2026-03-30", "2026-04-02")
    store.save_closures(EditBatch(added=(shutdown,)), "seed")
    store.save_overrides(EditBatch(added=(override("gus", "2026-03-01", 0, "2026-05-01"),)), "seed")
    crm = FakeCrm()
    services = Services(store, crm=crm, clock=clock, holiday_calendar=public_holidays)
    _record_history(store, services)
    return Firm(store, crm, services)


def _record_history(store: InMemoryStore, services: Services) -> None:
    snapshot = services.browsing.snapshot()
    deals = [
        (Deal("D-100", "Series A", "Couple"), ALLOCATED, NOW - dt.timedelta(days=40)),
        (Deal("D-101", "Series B"), WRITEBACK_PENDING, NOW - dt.timedelta(days=2)),
        (Deal("D-102", "IPO"), UNALLOCATED, NOW - dt.timedelta(days=1)),
    ]
    for deal, status, at in deals:
        decision = allocate(deal, snapshot, TODAY)
        record = record_of(
            deal,
            decision,
            status=status,
            decided_at=at,
            source="webhook",
            last_error="HubSpot unavailable (503)" if status == WRITEBACK_PENDING else None,
        )
        record_as_decided(store, record)


def page(script: str, firm: Firm, user: User | None = EDITOR_USER, **params: str) -> AppTest:
    """An AppTest of one page script with the firm's services and ``user`` injected."""
    at = AppTest.from_file(str(ROOT / script), default_timeout=30)
    at.session_state[state.SERVICES] = firm.services
    at.session_state[state.SETTINGS] = Settings.of()
    if user is not None:
        at.session_state[state.USER] = user
    for name, value in params.items():
        at.query_params[name] = value
    return at


def opened(script: str, firm: Firm, **kw: Any) -> AppTest:
    """``page(...)`` run once, failing on any exception the script raised."""
    at = page(script, firm, **kw).run()
    assert not at.exception, at.exception
    return at


def submit_editor(at: AppTest, name: str, changes: dict[str, Any]) -> AppTest:
    """Put a data editor's change state where Streamlit keeps it, then press its Save."""
    empty: dict[str, Any] = {"edited_rows": {}, "added_rows": [], "deleted_rows": []}
    at.session_state[f"{name}.editor.0"] = empty | changes
    at.button(key=f"FormSubmitter:{name}.form-Save changes").click().run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest, kind: str) -> str:
    """Every ``kind`` element's text (``"error"``, ``"success"``, …) as a reader sees it,
    joined for matching."""
    return " | ".join(shown(str(e.value)) for e in getattr(at, kind))


def read_only_tables(at: AppTest) -> list[Any]:
    """Read-only tables (editors are listed by ``at.dataframe`` too)."""
    return [t.value for t in at.dataframe if t.editing_mode == "read_only"]
