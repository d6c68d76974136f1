"""HubSpot "deal created" webhook: ``functions-framework --source webhook.py --target
hubspot_webhook``. Size limit, signature, parsing, then one use case (``services.intake``).
Services are built on the first request and shared by the server's threads; every request
writes one structured log entry (``structured_logging``), without secrets. A store that cannot
be reached or read answers 503 (HubSpot retries) within the store's call budget, never 500.
See docs/webhook.md."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import bootstrap
import structured_logging
from integrations.errors import SignatureRejected
from integrations.hubspot_signature import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signed_uri,
    verify_v3,
)
from services import Services, rejections
from services import intake as use
from services.deal_intake import DealFields, parse_delivery
from services.errors import BadRequest, ConfigurationError, StoreUnavailable
from services.ports import Crm
from settings import Settings

VERSION = "0.1.0"
# Of the request's budget (WEBHOOK_BUDGET), what the Chat card may take after the write-back.
CHAT_RESERVE = 2.0
MAX_BODY_BYTES = 64 * 1024  # a full 100-event subscription batch is about 30 KB
# The whole body must arrive within this, or the sender gets a 408 and its server thread is
# free again: a client that announces a body and stalls cannot hold threads (docs/webhook.md).
BODY_READ_SECONDS = 2.0
JSON, ALLOW = {"Content-Type": "application/json"}, {"Allow": "GET, POST"}
# What HubSpot must hear for each verdict of the use case: a 4xx is never retried (the
# delivery was kept for ops instead); a 5xx is, for days, so only "try again later" gets one.
STATUS = {"handled": 200, "refused": 400, "later": 503, "busy": 503}
HEADERS = {"busy": {"Retry-After": "1"}}
log = logging.getLogger("console.webhook")


@dataclass(frozen=True)
class Wiring:
    settings: Settings
    services: Services
    crm: Crm | None  # the webhook's HubSpot client: short timeouts, few attempts
    fields: DealFields


_settings: Settings | None = None
_wiring: Wiring | None = None
_lock = threading.Lock()


def _loaded_settings() -> Settings:
    """Settings alone, enough to check a signature before anything touches the store. The
    first call also sets up logging, which needs the secret values it must never print."""
    global _settings
    with _lock:
        if _settings is None:
            try:
                loaded = Settings.load()
            except ConfigurationError:
                structured_logging.configure()
                raise
            structured_logging.configure(loaded.secret_values())
            _settings = loaded
        return _settings


def _wired() -> Wiring:
    global _wiring
    settings = _loaded_settings()
    with _lock:
        if _wiring is None:
            fields = bootstrap.hubspot_names(settings)  # the sync's own names, too
            crm = bootstrap.build_crm(settings, for_webhook=True)
            services = bootstrap.build_services(settings, for_webhook=True)
            _wiring = Wiring(settings, services, crm, fields)
        return _wiring


def hubspot_webhook(request: Any) -> tuple[str, int, dict[str, str]]:
    started, entry = time.perf_counter(), {"method": request.method}
    with structured_logging.tracing(_trace(request)):
        try:
            status, body, headers = _route(request, entry)
        except ConfigurationError as exc:  # names the key, never its value
            status, body, headers = 503, {"error": f"webhook is not configured: {exc}"}, {}
        except StoreUnavailable as exc:  # an outage: nothing was written, HubSpot retries
            status, body, headers = 503, {"error": str(exc)}, {"Retry-After": "30"}
        except Exception:  # a bug, never bad input: logged, and HubSpot retries 5xx
            log.exception("webhook failed")
            status, body = 500, {"error": "internal error; the delivery can be retried"}
            headers = {}
        entry |= {"status": status, "latency_ms": round((time.perf_counter() - started) * 1000, 1)}
        if isinstance(body, dict) and "error" in body:
            entry["error"] = body["error"]
        log.log(
            _level(status),
            "%s %s -> %d",
            request.method,
            getattr(request, "path", "/"),
            status,
            extra={"fields": entry},
        )
    return json.dumps(body), status, JSON | headers


def _level(status: int) -> int:
    """Bugs are errors; refusals and "try again later" (503) are warnings."""
    if status >= 500 and status != 503:
        return logging.ERROR
    return logging.WARNING if status >= 400 else logging.INFO


def _trace(request: Any) -> tuple[str, str] | None:
    try:
        project = _loaded_settings().log_project
    except ConfigurationError:
        return None
    return structured_logging.trace_of(request.headers, project)


def _route(request: Any, entry: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
    if request.method == "GET":
        return _health(_wired())
    if request.method != "POST":
        return 405, {"error": f"{request.method} is not allowed; use POST"}, ALLOW
    try:
        body = _read_body(request)
    except BodyRefused as refused:
        return refused.status, {"error": str(refused)}, {}
    try:
        _verify(request, body, _loaded_settings())
    except SignatureRejected as exc:
        return 401, {"error": str(exc)}, {}
    wiring = _wired()
    services = wiring.services
    try:
        delivery = parse_delivery(body, wiring.fields, today=services.today())
    except BadRequest as exc:  # kept for ops: HubSpot never resends a 4xx
        rejections.keep(services.store, services.notifier,
                        rejections.of_body(body, str(exc), services.now()))  # fmt: skip
        return 400, {"error": str(exc)}, {}
    reply = use.answer(
        delivery, context=services.context, crm=wiring.crm, fields=wiring.fields,
        budget=wiring.settings.webhook_budget - CHAT_RESERVE, raw=body,
    )  # fmt: skip
    entry |= reply.log_fields()
    return STATUS[reply.verdict], reply.body, HEADERS.get(reply.verdict, {})


class BodyRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _read_body(request: Any) -> bytes:
    """The raw body: refused unread when it announces more than the limit, and refused when it
    does not arrive whole within ``BODY_READ_SECONDS``."""
    length = request.content_length
    if (length or 0) > MAX_BODY_BYTES:
        raise BodyRefused(413, f"body is larger than {MAX_BODY_BYTES} bytes")
    deadline = _ReadDeadline(request.environ, BODY_READ_SECONDS)
    try:
        body: bytes = request.stream.read(MAX_BODY_BYTES + 1)
    except Exception:
        if not deadline.expired:
            raise
        body = b""  # a chunked body cut off by the deadline
    finally:
        deadline.cancel()
    if len(body) > MAX_BODY_BYTES:
        raise BodyRefused(413, f"body is larger than {MAX_BODY_BYTES} bytes")
    if deadline.expired and (length is None or len(body) < length):
        raise BodyRefused(408, f"the body did not arrive within {BODY_READ_SECONDS:g} seconds")
    return body


class _ReadDeadline:
    """Stops reading the request's socket after ``seconds``: a blocked read then ends at once.

    A socket timeout would bound each ``recv`` only, and a client sending one byte just
    before each timeout could still hold the thread for as long as it liked. Shutting the
    socket's reading side bounds the whole body; the answer can still be written.
    """

    def __init__(self, environ: dict[str, Any], seconds: float) -> None:
        # gunicorn (functions-framework on Linux) and werkzeug's development server both
        # name the connection's socket in the WSGI environ.
        found = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
        self.expired = False
        self._timer: threading.Timer | None = None
        if isinstance(found, socket.socket):
            self._timer = threading.Timer(seconds, self._expire, (found,))
            self._timer.daemon = True
            self._timer.start()

    def _expire(self, connection: socket.socket) -> None:
        self.expired = True
        with contextlib.suppress(OSError):  # already closed: nothing left to stop
            connection.shutdown(socket.SHUT_RD)

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def _verify(request: Any, body: bytes, settings: Settings) -> None:
    # HubSpot signs the public URL it called; behind Cloud Run the request URL we see differs,
    # so the public URL is verified, and only for a request sent to the webhook's own path.
    public = settings.get("WEBHOOK_PUBLIC_URL")
    if public:
        environ = request.environ
        target = environ.get("RAW_URI") or environ.get("REQUEST_URI") or request.full_path
        uri = signed_uri(public, target)
    else:
        uri = request.base_url
        query = request.query_string.decode("latin-1")
        if query:
            uri = f"{uri}?{query}"
    headers = request.headers
    secret = settings.get("HUBSPOT_CLIENT_SECRET") or ""
    sent_at, signature = headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER)
    verify_v3(secret, "POST", uri, body, sent_at, signature, int(time.time() * 1000))


def _health(wiring: Wiring) -> tuple[int, Any, dict[str, str]]:
    try:
        reachable = bool(wiring.services.store.ping())
    except Exception:  # health must answer, whatever the store raised
        reachable = False
    settings = wiring.settings
    body = {
        "status": "ok" if reachable else "unavailable",
        "version": VERSION,
        "store": {"kind": settings.store_kind, "reachable": reachable},
        "hubspot_configured": settings.hubspot_configured,
        "signature_configured": settings.configured("HUBSPOT_CLIENT_SECRET"),
    }
    return (200 if reachable else 503), body, {}
