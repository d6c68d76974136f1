"""A real ``functions-framework`` process serving ``webhook.py`` on 127.0.0.1, for the black-box
tests and the benchmark: start it, wait for health, send signed deliveries, read its log lines,
stop its whole process group.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from allocation import Adviser
from devtools.hubspot_server import FakeHubSpotServer
from integrations.hubspot_signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign_v3
from services import Services

ROOT = Path(__file__).resolve().parents[1]
SECRET = "test-client-secret-not-real"
READY_WITHIN_SECONDS = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def advisers(count: int, packages: tuple[str, ...] = ("Series A", "Series B")) -> list[Adviser]:
    """A small firm: everyone takes both packages and every household type."""
    return [
        Adviser(
            id=str(7000 + i),
            name=f"Adviser {i:02d}",
            email=f"adviser{i}@example.com",
            service_packages=frozenset(packages),
        )
        for i in range(count)
    ]


def workflow_body(deal_id: str, package: str = "Series A", **fields: Any) -> bytes:
    body = {
        "object": {"objectType": "DEAL", "objectId": deal_id},
        "fields": {"service_package": package, "hs_deal_record_id": deal_id, **fields},
    }
    return json.dumps(body).encode()


def creation_events(*deal_ids: str) -> bytes:
    events = [
        {"eventId": i, "subscriptionType": "deal.creation", "objectId": int(d), "occurredAt": 1}
        for i, d in enumerate(deal_ids)
    ]
    return json.dumps(events).encode()


_deal_ids = itertools.count(100_000)


@dataclass
class Firm:
    webhook: WebhookProcess
    services: Services  # an in-process view of the same store, for arranging and checking
    hubspot: FakeHubSpotServer

    def unknown_deal(self) -> str:
        """An id HubSpot has never heard of."""
        return str(next(_deal_ids))

    def new_deal(self, **properties: Any) -> str:
        deal_id = str(next(_deal_ids))
        self.hubspot.add_deal(deal_id, **properties)
        return deal_id

    def record(self, deal_id: str) -> Any:
        return self.services.store.get_allocation(deal_id)

    def hubspot_calls(self, deal_id: str, method: str | None = None) -> int:
        return sum(1 for r in self.hubspot.requests(method) if r.deal_id == deal_id)


class WebhookProcess:
    """``functions-framework --source webhook.py --target hubspot_webhook`` as a subprocess."""

    def __init__(
        self, env: Mapping[str, str], secret: str = SECRET, cwd: Path | None = None
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.secret = secret
        self.session = requests.Session()
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in stop())
            prefix="webhook-", suffix=".log", delete=False
        )
        command = [
            shutil.which("functions-framework") or "functions-framework",
            f"--source={ROOT / 'webhook.py'}",
            "--target=hubspot_webhook",
            f"--port={self.port}",
            "--host=127.0.0.1",
        ]
        self.process = subprocess.Popen(
            command,
            cwd=cwd or ROOT,
            env={
                "PATH": os.environ.get("PATH", ""),
                "HOME": os.environ.get("HOME", "/tmp"),
                "PYTHONPATH": str(ROOT),
                "WEBHOOK_PUBLIC_URL": self.url,
                "HUBSPOT_CLIENT_SECRET": secret,
                **env,
            },
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: gunicorn's worker stops with it
        )

    def wait_until_healthy(self, within: float = READY_WITHIN_SECONDS) -> dict[str, Any]:
        deadline = time.monotonic() + within
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"webhook exited early:\n{self.output()}")
            try:
                reply = self.session.get(self.url, timeout=10)
                if reply.status_code == 200:
                    health: dict[str, Any] = reply.json()
                    return health
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"webhook not healthy within {within}s:\n{self.output()}")
            time.sleep(0.1)  # polling for readiness, not waiting for a result

    def wait_until_answering(
        self, within: float = READY_WITHIN_SECONDS, request_timeout: float = 10
    ) -> requests.Response:
        """The first answer to a health check, whatever its status (503 included)."""
        deadline = time.monotonic() + within
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"webhook exited early:\n{self.output()}")
            try:
                return self.session.get(self.url, timeout=request_timeout)
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"webhook not answering within {within}s:\n{self.output()}")
            time.sleep(0.1)  # polling for readiness, not waiting for a result

    def headers(self, body: bytes, *, at_ms: int | None = None) -> dict[str, str]:
        stamp = str(at_ms if at_ms is not None else int(time.time() * 1000))
        return {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: stamp,
            SIGNATURE_HEADER: sign_v3(self.secret, "POST", self.url, body, stamp),
        }

    def post(
        self, body: bytes, *, resend_on_503: int = 0, timeout: float = 60
    ) -> requests.Response:
        """A signed delivery; like HubSpot, optionally re-sent after a 503."""
        while True:
            headers = self.headers(body)
            reply = self.session.post(self.url, data=body, headers=headers, timeout=timeout)
            if reply.status_code != 503 or resend_on_503 <= 0:
                return reply
            resend_on_503 -= 1

    def log_lines(self) -> list[dict[str, Any]]:
        """The webhook's JSON request lines (other output skipped)."""
        lines = []
        for text in self.output().splitlines():
            if text.startswith("{"):
                try:
                    lines.append(json.loads(text))
                except ValueError:
                    continue
        return lines

    def output(self) -> str:
        return Path(self._log.name).read_text(errors="replace")

    def kill(self) -> None:
        """kill -9: the process dies mid-request, as in an OOM or a forced deploy."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=15)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        self.session.close()
        self._log.close()
        Path(self._log.name).unlink(missing_ok=True)


def healthy_webhook(env: dict[str, str]) -> Iterator[WebhookProcess]:
    """A real webhook process on ``env``, once it answers its health check; stopped after
    (for a test fixture's ``yield from``)."""
    process = WebhookProcess(env)
    try:
        process.wait_until_healthy()
        yield process
    finally:
        process.stop()
