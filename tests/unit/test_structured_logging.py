"""One JSON entry per record, in Cloud Logging's format, with no secret in it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

import structured_logging
import webhook

SECRET = "pat-na1-sentinel-secret-value"


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    out = io.StringIO()
    structured_logging.configure([SECRET], stream=out)
    yield out
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, structured_logging._OurHandler):
            root.removeHandler(handler)


def entries(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_an_error_and_its_traceback_are_one_entry_marked_for_error_reporting(
    logs: io.StringIO,
) -> None:
    try:
        raise RuntimeError("the store fell over")
    except RuntimeError:
        logging.getLogger("console.test").exception("booking failed")
    [entry] = entries(logs)
    assert entry["severity"] == "ERROR"
    assert entry["logger"] == "console.test"
    assert entry["message"].startswith("booking failed\nTraceback (most recent call last):")
    assert "RuntimeError: the store fell over" in entry["message"]
    assert entry["@type"].endswith("ReportedErrorEvent")


def test_integration_loggers_reach_the_same_handler(logs: io.StringIO) -> None:
    logging.getLogger("integrations.http").info("HubSpot GET /crm/v3 -> 200 (attempt 1/3)")
    [entry] = entries(logs)
    assert entry["severity"] == "INFO"
    assert entry["logger"] == "integrations.http"


def test_secrets_are_blanked_wherever_they_appear(logs: io.StringIO) -> None:
    url = f"https://chat.googleapis.com/v1/spaces/x/messages?key={SECRET}"
    logging.getLogger("integrations.google_chat").warning("could not post to %s", url)
    text = logs.getvalue()
    assert SECRET not in text
    assert "key=[redacted]" in text


def test_entries_inside_a_traced_request_carry_its_trace(logs: io.StringIO) -> None:
    headers = {"X-Cloud-Trace-Context": "105445aa7843bc8bf206b12000100000/1;o=1"}
    trace = structured_logging.trace_of(headers, "firm-prod")
    with structured_logging.tracing(trace):
        logging.getLogger("console.webhook").info("inside")
    logging.getLogger("console.webhook").info("outside")
    inside, outside = entries(logs)
    assert inside[structured_logging.TRACE_FIELD] == (
        "projects/firm-prod/traces/105445aa7843bc8bf206b12000100000"
    )
    assert inside[structured_logging.SPAN_FIELD] == "0000000000000001"
    assert structured_logging.TRACE_FIELD not in outside


def test_w3c_traceparent_is_understood_too() -> None:
    headers = {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
    assert structured_logging.trace_of(headers, "p") == (
        "projects/p/traces/4bf92f3577b34da6a3ce929d0e0e4736",
        "00f067aa0ba902b7",
    )
    assert structured_logging.trace_of(headers, None) is None


class _Request:
    method = "POST"
    path = "/"
    headers: ClassVar[dict[str, str]] = {
        "X-Cloud-Trace-Context": "0123456789abcdef0123456789abcdef/7;o=1"
    }


def test_a_webhook_bug_is_one_error_entry_with_its_traceback_and_the_request_fields(
    logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(request: Any, entry: dict[str, Any]) -> Any:
        raise KeyError("a bug")

    monkeypatch.setattr(webhook, "_route", broken)
    monkeypatch.setattr(webhook, "_settings", webhook.Settings.of(CONSOLE_STORE="firestore://p"))
    body, status, _ = webhook.hubspot_webhook(_Request())
    assert status == 500
    assert "internal error" in json.loads(body)["error"]
    error, request_line = entries(logs)
    assert error["severity"] == "ERROR"
    assert "KeyError: 'a bug'" in error["message"]
    assert request_line["severity"] == "ERROR"
    assert request_line["status"] == 500
    assert error[structured_logging.TRACE_FIELD] == request_line[structured_logging.TRACE_FIELD]
