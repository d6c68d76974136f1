"""Importing public holidays as closures, and the Employment Hero connect round trip."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from allocation import Closure
from integrations.public_holidays import public_holidays
from services import console_edits
from services.errors import BadRequest, Forbidden, ServiceError
from services.records import EditBatch
from tests.fakes import InMemoryStore

NOW = dt.datetime(2026, 3, 11, 1, 0, tzinfo=dt.UTC)


CALLBACKS = 8


class FakeClient:
    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.exchanged: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def authorization_url(self, state: str) -> tuple[str, str]:
        return f"https://oauth.example/authorize?state={state}", f"verifier-for-{state}"

    def exchange_code(self, code: str, code_verifier: str) -> None:
        if self.refuse:
            from services.errors import UpstreamRejected

            raise UpstreamRejected("invalid_grant")
        with self._lock:
            self.exchanged.append((code, code_verifier))

    def connected(self) -> bool:
        return bool(self.exchanged)


def started(store: InMemoryStore, client: FakeClient) -> str:
    url = console_edits.start_connect(client, store=store, actor="ed@firm", is_editor=True, now=NOW)
    return url.rsplit("state=", 1)[1]


def test_holidays_are_weekdays_only_and_skip_ones_already_stored() -> None:
    store = InMemoryStore()
    by_hand = Closure("mine", dt.date(2026, 1, 26), dt.date(2026, 1, 26), "australia day")
    store.save_closures(EditBatch(added=(by_hand,)), "ed@firm")

    found = console_edits.holiday_closures(store, public_holidays, "AU", "NSW", 2026)

    assert all(c.start.weekday() < 5 for c in found)
    assert dt.date(2026, 1, 26) not in {c.start for c in found}
    assert dt.date(2026, 4, 3) in {c.start for c in found}  # Good Friday
    assert {c.regions for c in found} == {frozenset({"NSW"})}


def test_imported_holidays_keep_their_stable_ids_so_a_second_preview_is_empty() -> None:
    store = InMemoryStore()
    found = console_edits.holiday_closures(store, public_holidays, "AU", "VIC", 2026)

    result = console_edits.import_holidays(found, store=store, actor="ed@firm", is_editor=True)

    assert result.counts.added == len(found)
    assert console_edits.holiday_closures(store, public_holidays, "AU", "VIC", 2026) == []


def test_an_unknown_subdivision_is_a_clear_bad_request() -> None:
    with pytest.raises(BadRequest, match="no subdivision 'ZZ'"):
        console_edits.holiday_closures(InMemoryStore(), public_holidays, "AU", "ZZ", 2026)


def test_a_viewer_cannot_import_holidays() -> None:
    store = InMemoryStore()
    found = console_edits.holiday_closures(store, public_holidays, "AU", "", 2026)

    with pytest.raises(Forbidden):
        console_edits.import_holidays(found, store=store, actor="vi@firm", is_editor=False)
    assert store.list_closures() == []


def test_the_redirect_exchanges_the_code_with_the_verifier_kept_for_its_state() -> None:
    store, client = InMemoryStore(), FakeClient()
    state = started(store, client)

    console_edits.finish_connect(
        client, "code-1", state, store=store, actor="ed@firm", is_editor=True, now=NOW
    )

    assert client.exchanged == [("code-1", f"verifier-for-{state}")]
    assert store.list_audit("integrations", 1)[0].action == "integration.connect"


def test_a_state_is_used_once_and_expires() -> None:
    store, client = InMemoryStore(), FakeClient()
    used, late = started(store, client), started(store, client)

    def finish(state: str, now: dt.datetime = NOW) -> None:
        console_edits.finish_connect(
            client, "c", state, store=store, actor="ed@firm", is_editor=True, now=now
        )

    finish(used)
    with pytest.raises(BadRequest, match="already used"):
        finish(used)
    with pytest.raises(BadRequest, match="took too long"):
        finish(late, NOW + dt.timedelta(hours=1))
    with pytest.raises(BadRequest, match="not started here"):
        finish("forged")


def test_a_refused_exchange_is_reported_and_the_state_cannot_be_replayed() -> None:
    store, client = InMemoryStore(), FakeClient(refuse=True)
    state = started(store, client)

    with pytest.raises(ServiceError, match="did not accept"):
        console_edits.finish_connect(
            client, "c", state, store=store, actor="ed@firm", is_editor=True, now=NOW
        )
    client.refuse = False
    with pytest.raises(BadRequest, match="already used"):
        console_edits.finish_connect(
            client, "c", state, store=store, actor="ed@firm", is_editor=True, now=NOW
        )
    assert client.exchanged == []


class ReadsTogether(InMemoryStore):
    """Every token read waits until all the callbacks have read: the interleaving in which a
    read-then-forget callback lets each of them exchange the code. No sleeps."""

    def __init__(self, callbacks: int) -> None:
        super().__init__()
        self.together = threading.Barrier(callbacks)

    def load_token(self, name: str) -> dict[str, Any] | None:
        token = super().load_token(name)
        if name.startswith(console_edits.PKCE_PREFIX):
            self.together.wait(timeout=10)
        return token


def test_eight_simultaneous_callbacks_with_one_state_exchange_the_code_once() -> None:
    store, client = ReadsTogether(CALLBACKS), FakeClient()
    state = started(store, client)
    start = threading.Barrier(CALLBACKS)

    def callback(_: int) -> str:
        start.wait(timeout=10)
        try:
            console_edits.finish_connect(
                client, "code-1", state, store=store, actor="ed@firm", is_editor=True, now=NOW
            )
        except BadRequest as refused:
            return str(refused)
        return "connected"

    with ThreadPoolExecutor(max_workers=CALLBACKS) as pool:
        outcomes = list(pool.map(callback, range(CALLBACKS)))

    assert client.exchanged == [("code-1", f"verifier-for-{state}")]
    assert outcomes.count("connected") == 1
    assert all("already used" in o for o in outcomes if o != "connected")
    assert len(store.list_audit("integrations")) == 1


def test_a_callback_from_another_editor_is_refused_and_cancels_the_sign_in() -> None:
    store, client = InMemoryStore(), FakeClient()
    state = started(store, client)  # ed@firm pressed Connect

    with pytest.raises(Forbidden, match="started by ed@firm, not by al@firm"):
        console_edits.finish_connect(
            client, "code-1", state, store=store, actor="al@firm", is_editor=True, now=NOW
        )
    assert client.exchanged == []
    with pytest.raises(BadRequest, match="already used; press Connect again"):
        console_edits.finish_connect(
            client, "code-1", state, store=store, actor="ed@firm", is_editor=True, now=NOW
        )
    assert client.exchanged == []
    assert store.list_audit("integrations") == []


def test_a_viewer_cannot_finish_or_cancel_an_editors_sign_in() -> None:
    store, client = InMemoryStore(), FakeClient()
    state = started(store, client)

    with pytest.raises(Forbidden):
        console_edits.finish_connect(
            client, "code-1", state, store=store, actor="vi@firm", is_editor=False, now=NOW
        )
    console_edits.finish_connect(
        client, "code-1", state, store=store, actor="ed@firm", is_editor=True, now=NOW
    )
    assert client.exchanged == [("code-1", f"verifier-for-{state}")]
