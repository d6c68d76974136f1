"""Production never runs on an implicit store or on demo data, and a store that cannot be used
is an answer (503, a plain message), never a hang or a traceback. Real webhook processes on
127.0.0.1 against the loopback HubSpot; real SQLite files; an unreachable Firestore."""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

import bootstrap
from devtools.hubspot_server import TOKEN, FakeHubSpotServer
from devtools.webhook_server import WebhookProcess, advisers, workflow_body
from integrations.sqlite import SqliteStore
from services.errors import ConfigurationError, StoreUnavailable
from settings import Settings

# Generous bounds that still catch the old behaviour (5 minutes for Firestore, 30 s for a
# locked SQLite file): a client that gives up first fails the test.
FIRESTORE_PATIENCE = 25.0


@pytest.fixture(scope="module")
def hubspot() -> Iterator[FakeHubSpotServer]:
    with FakeHubSpotServer() as server:
        yield server


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once the socket is closed


# --- demo data never meets a real HubSpot ------------------------------------------------


def test_with_hubspot_configured_and_no_store_the_webhook_refuses_and_writes_nothing(
    hubspot: FakeHubSpotServer, tmp_path: Path
) -> None:
    hubspot.clear_log()
    env = {"HUBSPOT_TOKEN": TOKEN, "HUBSPOT_API_BASE": hubspot.base_url, "HOME": str(tmp_path)}
    webhook = WebhookProcess(env, cwd=tmp_path)  # the default store would land in tmp_path
    try:
        health = webhook.wait_until_answering()
        assert health.status_code == 503
        assert "CONSOLE_STORE must be set explicitly" in health.json()["error"]
        reply = webhook.post(workflow_body("4101", "Series A"))
        assert reply.status_code == 503
        assert "CONSOLE_STORE" in reply.json()["error"]
    finally:
        webhook.stop()
    assert hubspot.requests("PATCH") == []
    assert not (tmp_path / ".data").exists()  # no throwaway demo database either


def test_a_store_holding_the_demo_firm_is_refused_once_hubspot_is_configured(
    hubspot: FakeHubSpotServer, tmp_path: Path
) -> None:
    store_url = f"sqlite:///{tmp_path / 'demo.db'}"
    demo = bootstrap.build_services(Settings.of(CONSOLE_STORE=store_url))
    assert demo.demo  # a developer ran the demo on this file first
    assert demo.browsing.advisers()
    hubspot.clear_log()
    env = {"CONSOLE_STORE": store_url, "HUBSPOT_TOKEN": TOKEN, "HUBSPOT_API_BASE": hubspot.base_url}
    webhook = WebhookProcess(env)
    try:
        assert webhook.wait_until_answering().status_code == 503
        deal = workflow_body("4102", demo.browsing.packages()[0])
        reply = webhook.post(deal)
        assert reply.status_code == 503
        assert "holds the demo firm" in reply.json()["error"]
    finally:
        webhook.stop()
    assert hubspot.requests("PATCH") == []
    assert demo.store.get_allocation("4102") is None


@pytest.mark.parametrize(
    "production", [{"HUBSPOT_TOKEN": "x"}, {"K_SERVICE": "console"}, {"CLOUD_RUN_JOB": "sync"}]
)
def test_production_never_seeds_demo_data_even_into_an_explicit_embedded_store(
    tmp_path: Path, production: dict[str, str]
) -> None:
    settings = Settings.load(
        environ={"CONSOLE_STORE": f"sqlite:///{tmp_path / 'firm.db'}", **production}, secrets={}
    )
    svc = bootstrap.build_services(settings)
    assert svc.demo is False
    assert svc.store.is_empty()


def test_production_without_an_explicit_store_names_the_setting() -> None:
    settings = Settings.load(environ={"K_SERVICE": "webhook"}, secrets={})
    with pytest.raises(ConfigurationError, match="CONSOLE_STORE must be set explicitly"):
        bootstrap.build_services(settings)


# --- a store that cannot be used ----------------------------------------------------------


def test_a_write_locked_sqlite_file_is_reported_within_the_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    store = SqliteStore(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        with pytest.raises(StoreUnavailable, match=r"locked\.db.*locked"):
            store.replace_advisers(advisers(1))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.list_advisers() == []  # nothing half-written


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"this is not a database at all, just some text" * 100, "not a database"),
        (None, "is not an adviser console store"),
    ],
)
def test_a_corrupt_or_foreign_sqlite_file_is_refused_naming_it(
    tmp_path: Path, content: bytes | None, words: str
) -> None:
    path = tmp_path / "other.db"
    if content is None:  # another program's database with a table of the same name
        other = sqlite3.connect(path)
        other.execute("CREATE TABLE advisers (name TEXT, phone TEXT)")
        other.commit()
        other.close()
    else:
        path.write_bytes(content)
    with pytest.raises(StoreUnavailable, match=words) as raised:
        SqliteStore(path)
    assert str(path) in str(raised.value)


def test_the_webhook_answers_503_naming_a_corrupt_store_file(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"garbage" * 1000)
    webhook = WebhookProcess({"CONSOLE_STORE": f"sqlite:///{path}", "CONSOLE_DEMO": "0"})
    try:
        health = webhook.wait_until_answering()
        assert health.status_code == 503
        assert str(path) in health.json()["error"]
        reply = webhook.post(workflow_body("4103", "Series A"))
        assert reply.status_code == 503
        assert reply.headers["Retry-After"]
        assert "Traceback" not in webhook.output()
    finally:
        webhook.stop()
    assert path.read_bytes() == b"garbage" * 1000  # nothing written


def test_an_unreachable_firestore_gives_the_webhook_a_503_not_a_five_minute_hang() -> None:
    env = {
        "CONSOLE_STORE": "firestore://unreachable-project",
        "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{closed_port()}",
    }
    webhook = WebhookProcess(env)
    try:
        health = webhook.wait_until_answering(request_timeout=FIRESTORE_PATIENCE)
        assert health.status_code == 503
        reply = webhook.session.post(
            webhook.url,
            data=(body := workflow_body("4104", "Series A")),
            headers=webhook.headers(body),
            timeout=FIRESTORE_PATIENCE,
        )
        assert reply.status_code == 503
        assert "Firestore (unreachable-project) cannot be reached" in reply.json()["error"]
    finally:
        webhook.stop()


def test_health_answers_at_once_with_a_reachable_store(tmp_path: Path) -> None:
    store_url = f"sqlite:///{tmp_path / 'ok.db'}"
    webhook = WebhookProcess({"CONSOLE_STORE": store_url, "CONSOLE_DEMO": "0"})
    try:
        assert webhook.wait_until_healthy()["store"]["reachable"] is True
    finally:
        webhook.stop()


@pytest.fixture(autouse=True)
def _no_emulator_from_other_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    # These tests build stores in-process; a leftover emulator variable must not redirect them.
    if "FIRESTORE_EMULATOR_HOST" in os.environ:
        monkeypatch.delenv("FIRESTORE_EMULATOR_HOST")


# --- no secret in any log line --------------------------------------------------------------

SENTINELS = {
    "HUBSPOT_TOKEN": "sentinel-hubspot-token-1f9a",
    "HUBSPOT_CLIENT_SECRET": "sentinel-client-secret-77c2",
    "EH_CLIENT_SECRET": "sentinel-eh-secret-3b1d",
}
CHAT_KEY = "sentinel-chat-key-a0e4"


def test_no_secret_reaches_the_webhook_logs_even_when_everything_fails(
    hubspot: FakeHubSpotServer, tmp_path: Path
) -> None:
    store_url = f"sqlite:///{tmp_path / 'firm.db'}"
    seed = bootstrap.build_services(Settings.of(CONSOLE_STORE=store_url, CONSOLE_DEMO="0"))
    seed.store.replace_advisers(advisers(2))
    chat = f"http://127.0.0.1:{closed_port()}/v1/spaces/S/messages?key={CHAT_KEY}&token={CHAT_KEY}"
    env = {
        **SENTINELS,
        "CONSOLE_STORE": store_url,
        "HUBSPOT_API_BASE": hubspot.base_url,
        "GOOGLE_CHAT_WEBHOOK_URL": chat,
        "WEBHOOK_HUBSPOT_TIMEOUT": "1",
        "EH_CLIENT_ID": "eh-client",
        "EH_REDIRECT_URI": "http://127.0.0.1/settings",
    }
    webhook = WebhookProcess(env, secret=SENTINELS["HUBSPOT_CLIENT_SECRET"])
    try:
        webhook.wait_until_healthy()
        # HubSpot refuses the token (401) and Chat cannot be reached: both get logged.
        for body in (workflow_body("4201", "Series A"), b"{not json", workflow_body("4201")):
            webhook.post(body)
        webhook.session.post(webhook.url, data=b"{}", headers={"X-HubSpot-Signature-v3": "x"})
        output = webhook.output()
    finally:
        webhook.stop()
    assert '"severity"' in output  # the logs were written, and are structured
    for secret in [*SENTINELS.values(), CHAT_KEY]:
        assert secret not in output
