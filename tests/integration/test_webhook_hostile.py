"""The webhook against hostile callers (issue 9's probe run): a real functions-framework process
on 127.0.0.1 with a temporary SQLite store, reached through raw sockets where a well-behaved
HTTP client would tidy the request up (stalled bodies, dot segments in the path)."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator

import pytest

import bootstrap
from devtools.hubspot_server import TOKEN, FakeHubSpotServer
from devtools.webhook_server import Firm, WebhookProcess, advisers, workflow_body
from services.records import ALLOCATED
from settings import Settings

STALLED_SENDERS = 32  # more than the server has threads (functions-framework: 4 per CPU)
# Much longer than the stalled senders take to be cut off, and far shorter than they stall:
# they never send another byte, so an answer within this came while they were all still open.
ANSWER_WITHIN_SECONDS = 30


@pytest.fixture(scope="module")
def firm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Firm]:
    with FakeHubSpotServer() as hubspot:
        env = {
            "CONSOLE_STORE": f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'x.db'}",
            "CONSOLE_DEMO": "0",
            "HUBSPOT_TOKEN": TOKEN,
            "HUBSPOT_API_BASE": hubspot.base_url,
            "WEBHOOK_HUBSPOT_TIMEOUT": "1",
        }
        services = bootstrap.build_services(Settings.of(**env))
        services.store.replace_advisers(advisers(4))
        webhook = WebhookProcess(env)
        try:
            webhook.wait_until_healthy()
            yield Firm(webhook, services, hubspot)
        finally:
            webhook.stop()


def stalled_sender(webhook: WebhookProcess) -> socket.socket:
    """A connection that announces a 60,000-byte body, sends one byte of it, and stops."""
    sock = socket.create_connection(("127.0.0.1", webhook.port), timeout=ANSWER_WITHIN_SECONDS)
    sock.sendall(
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 60000\r\n\r\n{"
    )
    return sock


def status_code(sock: socket.socket) -> int | None:
    """The status of the answer on a raw connection, or None when it closed unanswered."""
    received = b""
    while b"\r\n" not in received:
        chunk = sock.recv(4096)
        if not chunk:
            break
        received += chunk
    status_line = received.split(b"\r\n", 1)[0].split()
    return int(status_line[1]) if len(status_line) > 1 else None


def post_raw(webhook: WebhookProcess, target: str, body: bytes) -> tuple[int, str]:
    """A POST to ``target`` exactly as written (``requests`` would resolve dot segments)."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", webhook.port, timeout=ANSWER_WITHIN_SECONDS
    )
    try:
        connection.request("POST", target, body=body, headers=webhook.headers(body))
        reply = connection.getresponse()
        return reply.status, reply.read().decode()
    finally:
        connection.close()


def test_stalled_bodies_do_not_keep_a_signed_delivery_waiting(firm: Firm) -> None:
    stalled = [stalled_sender(firm.webhook) for _ in range(STALLED_SENDERS)]
    try:
        deal_id = firm.new_deal()
        # On a new connection, as HubSpot would send it: one kept alive from an earlier
        # request would be served as soon as it is readable, not queued behind the others.
        status, text = post_raw(firm.webhook, "/", workflow_body(deal_id))
        assert status == 200, text
        assert firm.record(deal_id).status == ALLOCATED
        # Each stalled sender was told why and let go, rather than holding a thread forever.
        answers = [status_code(sock) for sock in stalled]
    finally:
        for sock in stalled:
            sock.close()
    assert answers == [408] * STALLED_SENDERS


@pytest.mark.parametrize("target", ["/x", "/%2e%2e/other", "/x?portal=1", "//"])
def test_a_genuine_signature_is_refused_at_any_other_path(firm: Firm, target: str) -> None:
    deal_id = firm.new_deal()
    body = workflow_body(deal_id)

    status, text = post_raw(firm.webhook, target, body)

    assert status == 401, text
    assert "answers only at /" in text
    assert firm.record(deal_id) is None
    assert firm.hubspot_calls(deal_id) == 0
    # The same signed delivery at the webhook's own path is genuine and is allocated.
    assert post_raw(firm.webhook, "/", body)[0] == 200
    assert firm.record(deal_id).status == ALLOCATED
