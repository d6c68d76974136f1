"""One logging set-up for the webhook, the command line and the console process.

Every record becomes one JSON line on standard output in Cloud Logging's structured format:
``severity``, ``message``, ``logger``, ``time``, the source location, and for an error its
whole traceback inside the same entry (not one entry per traceback line), marked so Error
Reporting picks it up. When a request carried a trace header, its entries carry
``logging.googleapis.com/trace`` so Cloud Logging groups them under the request.

A request's own fields (the webhook's ids, costs, status) ride in ``extra={"fields": {...}}``
and land at the top level of the entry. Secrets never leave: the formatter knows every secret
setting's value and blanks it wherever it appears (an exception message quoting a URL with a
key in it, say).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import sys
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any

TRACE_FIELD = "logging.googleapis.com/trace"
SPAN_FIELD = "logging.googleapis.com/spanId"
ERROR_EVENT = "type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent"
REDACTED = "[redacted]"
# Values shorter than this are not treated as secrets: blanking "1" everywhere helps nobody.
MIN_SECRET_LENGTH = 6

_SEVERITY = {
    logging.DEBUG: "DEBUG",
    logging.INFO: "INFO",
    logging.WARNING: "WARNING",
    logging.ERROR: "ERROR",
    logging.CRITICAL: "CRITICAL",
}
_trace: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "trace", default=None
)
_CLOUD_TRACE = re.compile(r"^([0-9a-fA-F]{32})(?:/([0-9]+))?")
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


def severity(level: int) -> str:
    return _SEVERITY.get(level, "DEFAULT" if level < logging.DEBUG else "CRITICAL")


class JsonFormatter(logging.Formatter):
    """A record as one line of Cloud Logging JSON, with every known secret blanked."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        kept = {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}
        # Longest first, so a secret containing another is blanked whole.
        self._secrets = sorted(kept, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.stack_info:
            message += "\n" + record.stack_info
        entry: dict[str, Any] = {
            "severity": severity(record.levelno),
            "message": message,
            "logger": record.name,
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "logging.googleapis.com/sourceLocation": {
                "file": record.pathname,
                "line": str(record.lineno),
                "function": record.funcName,
            },
        }
        if record.exc_info:
            entry["@type"] = ERROR_EVENT
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry |= {k: v for k, v in fields.items() if k not in entry}
        trace = _trace.get()
        if trace is not None:
            entry[TRACE_FIELD], span = trace
            if span:
                entry[SPAN_FIELD] = span
        return self.redact(json.dumps(entry, default=str, ensure_ascii=False))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
            escaped = json.dumps(secret, ensure_ascii=False)[1:-1]
            if escaped != secret:
                text = text.replace(escaped, REDACTED)
        return text


class _OurHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler this module installed, so configuring twice replaces it."""


def configure(secrets: Iterable[str] = (), stream: IO[str] | None = None) -> None:
    """Send every logger's records (ours, ``integrations.*``, libraries') through one JSON
    handler on the root logger at INFO. Safe to call again (tests, Streamlit reruns)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(handler)
    handler = _OurHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter(secrets))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # Loggers that earlier code cut off from the root (propagate=False) rejoin it.
    for name in ("console", "integrations"):
        logging.getLogger(name).propagate = True


def trace_of(headers: Any, project: str | None) -> tuple[str, str] | None:
    """The Cloud Logging trace (and span) named by a request's trace headers, if any:
    Google's ``X-Cloud-Trace-Context: TRACE/SPAN;o=1`` or W3C ``traceparent``."""
    if not project:
        return None
    cloud = _CLOUD_TRACE.match((headers.get("X-Cloud-Trace-Context") or "").strip())
    if cloud:
        # Google's header gives the span in decimal; log entries want 16 hex digits.
        span = format(int(cloud.group(2)) % 2**64, "016x") if cloud.group(2) else ""
        return f"projects/{project}/traces/{cloud.group(1).lower()}", span
    parent = _TRACEPARENT.match((headers.get("traceparent") or "").strip().lower())
    if parent:
        return f"projects/{project}/traces/{parent.group(1)}", parent.group(2)
    return None


@contextmanager
def tracing(trace: tuple[str, str] | None) -> Iterator[None]:
    """Entries logged inside carry ``trace`` (one request's worth of work)."""
    token = _trace.set(trace)
    try:
        yield
    finally:
        _trace.reset(token)
