"""A small HubSpot on 127.0.0.1 (real HTTP, real sockets) for black-box webhook tests and the bench.

It speaks the calls a webhook allocation and a client folder make, with HubSpot's shapes:

- ``GET /crm/v3/objects/deals/{id}?properties=a,b`` → ``{"id", "properties", "createdAt", …}``
  or 404 ``{"status": "error", "category": "OBJECT_NOT_FOUND", …}``;
- ``PATCH /crm/v3/objects/deals/{id}`` with ``{"properties": {...}}`` → the updated deal;
- ``POST /crm/v4/associations/deals/contacts/batch/read`` (``{"inputs": [{"id"}]}``) →
  ``{"status": "COMPLETE", "results": [{"from": {"id"}, "to": [{"toObjectId", …}]}]}`` and
  ``POST /crm/v3/objects/contacts/batch/read`` (``{"properties", "inputs"}``) →
  ``{"status": "COMPLETE", "results": [{"id", "properties"}]}``.

Every call must carry the bearer token (401 otherwise). Failures are scriptable per method
(429 with ``Retry-After``, 500, or a reply held back longer than the client's timeout), and
every request is logged for assertions. ``tests/integration/fake_hubspot.py`` is a different,
in-process fake (``responses``) for the HubSpot client's own tests.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "pat-na1-fake-webhook-token"
_DEAL_PATH = re.compile(r"^/crm/v3/objects/deals/([^/?]+)$")
_DEAL_CONTACTS = "/crm/v4/associations/deals/contacts/batch/read"
_CONTACTS_READ = "/crm/v3/objects/contacts/batch/read"


@dataclass(frozen=True)
class Logged:
    """One request as the fake saw it (after any scripted failure)."""

    method: str
    path: str
    deal_id: str | None
    status: int
    body: Any = None


@dataclass
class Failure:
    """A scripted misbehaviour for one method: ``times`` replies (None = until cleared)."""

    method: str
    status: int = 500  # 429, 5xx, or 200 for "slow but normal"
    retry_after: str | None = None
    delay: float = 0.0  # seconds to hold the reply (longer than the client timeout = timeout)
    times: int | None = 1


@dataclass
class _State:
    token: str
    deals: dict[str, dict[str, Any]] = field(default_factory=dict)
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → properties
    deal_contacts: dict[str, list[str]] = field(default_factory=dict)  # deal id → contact ids
    log: list[Logged] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    released: threading.Event = field(default_factory=threading.Event)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class FakeHubSpotServer:
    """Start with ``with FakeHubSpotServer() as hubspot:``; ``hubspot.base_url`` is the API base."""

    def __init__(self, token: str = TOKEN) -> None:
        self.state = _State(token=token)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self.state))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeHubSpotServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.state.released.set()  # let held-back replies finish so shutdown is quick
        self._server.shutdown()
        self._server.server_close()

    # --- arrangement ------------------------------------------------------------------------

    def add_deal(self, deal_id: str, **properties: Any) -> None:
        with self.state.lock:
            self.state.deals[str(deal_id)] = {"hs_object_id": str(deal_id), **properties}

    def add_contact(self, contact_id: str, deal_id: str, **properties: Any) -> None:
        """A contact associated with the deal (``email=…``, or none: a contact without one)."""
        with self.state.lock:
            self.state.contacts[str(contact_id)] = {"hs_object_id": str(contact_id), **properties}
            self.state.deal_contacts.setdefault(str(deal_id), []).append(str(contact_id))

    def fail(self, failure: Failure) -> None:
        with self.state.lock:
            self.state.failures.append(failure)

    def heal(self) -> None:
        """Drop every scripted failure: HubSpot is healthy again."""
        with self.state.lock:
            self.state.failures.clear()

    # --- assertions -------------------------------------------------------------------------

    def deal(self, deal_id: str) -> dict[str, Any]:
        with self.state.lock:
            return dict(self.state.deals[str(deal_id)])

    def requests(self, method: str | None = None, status: int | None = None) -> list[Logged]:
        with self.state.lock:
            return [
                r
                for r in self.state.log
                if (method is None or r.method == method) and (status is None or r.status == status)
            ]

    def clear_log(self) -> None:
        with self.state.lock:
            self.state.log.clear()


def _handler_for(state: _State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_: Any) -> None:  # keep test output quiet
            return

        def do_GET(self) -> None:
            self._serve("GET")

        def do_PATCH(self) -> None:
            self._serve("PATCH")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            match = _DEAL_PATH.match(parts.path)
            deal_id = match.group(1) if match else None
            status, body, headers = self._answer(method, parts.path, parts.query, raw, deal_id)
            with state.lock:
                state.log.append(Logged(method, parts.path, deal_id, status, _json_or_none(raw)))
            self._send(status, body, headers)

        def _answer(
            self, method: str, path: str, query: str, raw: bytes, deal_id: str | None
        ) -> tuple[int, Any, dict[str, str]]:
            if self.headers.get("Authorization") != f"Bearer {state.token}":
                return (
                    401,
                    _error("INVALID_AUTHENTICATION", "Authentication credentials not found"),
                    {},
                )
            failure = _take_failure(state, method)
            if failure is not None:
                state.released.wait(failure.delay)
                if failure.status == 429:
                    headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                    return 429, _rate_limited(), headers
                if failure.status >= 400:
                    return failure.status, _error("INTERNAL_ERROR", "internal error"), {}
                # any other status: a slow but otherwise normal reply
            if method == "POST" and path in (_DEAL_CONTACTS, _CONTACTS_READ):
                return _batch(state, path, _json_or_none(raw))
            if deal_id is None or method not in ("GET", "PATCH"):
                return 404, _error("OBJECT_NOT_FOUND", "Not found"), {}
            if method == "GET":
                return _read(state, deal_id, parse_qs(query).get("properties", [""])[0])
            return _patch(state, deal_id, raw)

        def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
            payload = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout): that is the point of a slow reply

    return Handler


def _take_failure(state: _State, method: str) -> Failure | None:
    with state.lock:
        for failure in state.failures:
            if failure.method == method:
                if failure.times is not None:
                    failure.times -= 1
                    if failure.times <= 0:
                        state.failures.remove(failure)
                return Failure(**vars(failure))
    return None


def _batch(state: _State, path: str, body: Any) -> tuple[int, Any, dict[str, str]]:
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or not all(isinstance(i, dict) and "id" in i for i in inputs):
        return 400, _error("VALIDATION_ERROR", "Invalid input JSON on line 1"), {}
    ids = [str(i["id"]) for i in inputs]
    results: list[dict[str, Any]]
    with state.lock:
        if path == _DEAL_CONTACTS:
            results = [
                {"from": {"id": d}, "to": [
                    {"toObjectId": int(c), "associationTypes": [
                        {"category": "HUBSPOT_DEFINED", "typeId": 3, "label": None}]}
                    for c in state.deal_contacts[d]
                ]}
                for d in ids if d in state.deal_contacts
            ]  # fmt: skip
        else:
            wanted = [str(p) for p in body.get("properties", [])]
            results = [
                {"id": c, "properties": {p: state.contacts[c].get(p) for p in wanted}
                 | {"hs_object_id": c}, "createdAt": _now(), "updatedAt": _now(),
                 "archived": False}
                for c in ids if c in state.contacts
            ]  # fmt: skip
    return 200, {"status": "COMPLETE", "results": results, "startedAt": _now(),
                 "completedAt": _now()}, {}  # fmt: skip


def _read(state: _State, deal_id: str, properties: str) -> tuple[int, Any, dict[str, str]]:
    with state.lock:
        deal = state.deals.get(deal_id)
    if deal is None:
        return (
            404,
            _error("OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric."),
            {},
        )
    wanted = [p for p in properties.split(",") if p]
    shown = {p: deal.get(p) for p in wanted} | {"hs_object_id": deal_id}
    return 200, _deal_body(deal_id, shown), {}


def _patch(state: _State, deal_id: str, raw: bytes) -> tuple[int, Any, dict[str, str]]:
    body = _json_or_none(raw)
    if not isinstance(body, dict) or not isinstance(body.get("properties"), dict):
        return 400, _error("VALIDATION_ERROR", "Invalid input JSON: properties is required"), {}
    with state.lock:
        deal = state.deals.get(deal_id)
        if deal is None:
            return 404, _error("OBJECT_NOT_FOUND", "Object not found"), {}
        deal.update({k: None if v is None else str(v) for k, v in body["properties"].items()})
        shown = dict(deal)
    return 200, _deal_body(deal_id, shown), {}


def _deal_body(deal_id: str, properties: dict[str, Any]) -> dict[str, Any]:
    stamp = _now()
    return {
        "id": deal_id,
        "properties": properties,
        "createdAt": stamp,
        "updatedAt": stamp,
        "archived": False,
    }


def _error(category: str, message: str) -> dict[str, Any]:
    return {"status": "error", "message": message, "correlationId": "fake", "category": category}


def _rate_limited() -> dict[str, Any]:
    return {
        "status": "error",
        "message": "You have reached your secondly limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": "fake",
        "policyName": "SECONDLY",
    }


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None
