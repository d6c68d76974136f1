"""The one HTTP policy every outside call follows: sessions, timeouts, retries, errors, logs.

- one ``requests.Session`` per service (connection reuse, a user agent naming the console);
- explicit (connect, read) timeouts on every call;
- tenacity retries with full-jitter exponential backoff on 429, 5xx, connection errors and
  timeouts, honouring ``Retry-After`` (seconds or an HTTP date, capped), bounded attempts;
- inside a ``services.deadline.within`` block (the webhook), no attempt outlasts the deadline
  and no retry starts after it (``bounded=False`` opts out: Chat's short, single post);
- then one of ``integrations.errors``: ``UpstreamUnavailable`` (kept failing),
  ``UpstreamRejected`` / ``Unauthorized`` (a 4xx retrying cannot fix), ``MalformedReply``;
- logs carry method, host, path, status and attempt only: never headers (tokens), query
  strings (webhook keys) or bodies.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import random
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from tenacity import RetryCallState, RetryError, Retrying, retry_if_exception_type
from tenacity import stop_after_attempt as _stop_after_attempt

from services import deadline
from services.errors import MalformedReply, Unauthorized, UpstreamRejected, UpstreamUnavailable

log = logging.getLogger(__name__)

USER_AGENT = "adviser-capacity-console/0.1"
DEFAULT_TIMEOUT = (3.05, 20.0)  # (connect, read) seconds
DEFAULT_ATTEMPTS = 5
BASE_WAIT = 0.5  # seconds; the first backoff is drawn from [0, BASE_WAIT]
MAX_WAIT = 30.0  # no single wait (backoff or Retry-After) is longer than this
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REASON_LIMIT = 200  # characters of an error reply's message kept in an exception

Sleep = Callable[[float], None]


class ServiceSession(requests.Session):
    """A session that knows which service it talks to, so errors and logs can name it."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service
        self.headers["User-Agent"] = f"{USER_AGENT} ({service})"
        self.headers["Accept"] = "application/json"


def make_session(service: str) -> ServiceSession:
    return ServiceSession(service)


class _RetryableStatus(Exception):
    """Raised inside an attempt for a 429 / 5xx so tenacity retries it."""

    def __init__(self, response: requests.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


class _OutOfTime(Exception):
    """The request's deadline leaves no time for another attempt."""


_RETRYABLE = (_RetryableStatus, requests.ConnectionError, requests.Timeout)
# An attempt with less time than this left would only time out: it is not started.
MIN_ATTEMPT_SECONDS = 0.25


def _within(timeout: tuple[float, float], left: float | None) -> tuple[float, float]:
    """The (connect, read) timeout, cut down to the time the deadline leaves."""
    if left is None:
        return timeout
    return (min(timeout[0], left), min(timeout[1], left))


def redact_url(url: str) -> str:
    """Host and path only: query strings carry webhook keys and tokens."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - now)


def backoff_wait(
    attempt: int,
    retry_after: float | None,
    *,
    base: float = BASE_WAIT,
    cap: float = MAX_WAIT,
    rand: Callable[[], float] = random.random,
) -> float:
    """The wait before the next attempt (``attempt`` counts from 1 for the first failure).

    The server's ``Retry-After`` wins when given (capped, so a hostile or confused header
    cannot park a sync for hours); otherwise full jitter: uniform in [0, base·2^(n-1)],
    capped, which spreads a burst of clients apart instead of retrying in lockstep.
    """
    if retry_after is not None:
        return min(max(retry_after, 0.0), cap)
    ceiling: float = min(cap, base * 2.0 ** (attempt - 1))
    return rand() * ceiling


def _service_of(session: requests.Session, url: str) -> str:
    return getattr(session, "service", None) or urlsplit(url).netloc


def _reason(response: requests.Response) -> str:
    """The service's own short error message, if it sent one (never the request)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        for key in ("message", "error_description", "error"):
            text = body.get(key)
            if isinstance(text, str) and text:
                return f": {text[:REASON_LIMIT]}"
    return ""


def _check(service: str, method: str, url: str, response: requests.Response) -> None:
    status = response.status_code
    if status in RETRY_STATUSES:
        raise _RetryableStatus(response)
    if 400 <= status < 500:
        where = f"{service} refused {method} {redact_url(url)} (HTTP {status}{_reason(response)})"
        raise Unauthorized(where) if status == 401 else UpstreamRejected(where)
    if status >= 300:
        raise UpstreamRejected(f"{service} answered {method} {redact_url(url)} with HTTP {status}")


def _parse(service: str, method: str, url: str, response: requests.Response) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError as exc:
        raise MalformedReply(
            f"{service} answered {method} {redact_url(url)} with something that is not JSON"
        ) from exc


def _describe_failure(exc: BaseException | None) -> str:
    if isinstance(exc, _RetryableStatus):
        return f"last status HTTP {exc.response.status_code}"
    if isinstance(exc, requests.Timeout):
        return "last error: timed out"
    if isinstance(exc, requests.ConnectionError):
        return "last error: could not connect"
    return f"last error: {type(exc).__name__}"


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    attempts: int = DEFAULT_ATTEMPTS,
    params: Mapping[str, Any] | None = None,
    json: Any = None,
    data: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    expect_json: bool = True,
    sleep: Sleep = time.sleep,
    rand: Callable[[], float] = random.random,
    max_wait: float = MAX_WAIT,
    bounded: bool = True,
) -> Any:
    """One call under the policy. Returns the parsed JSON (``None`` for an empty reply), or
    the ``requests.Response`` when ``expect_json`` is false."""
    service = _service_of(session, url)
    where = redact_url(url)

    tried: list[BaseException | None] = []

    def attempt_once() -> requests.Response:
        left = deadline.remaining() if bounded else None
        if left is not None and left < MIN_ATTEMPT_SECONDS:
            raise _OutOfTime()
        tried.append(None)
        number = len(tried)
        try:
            response = session.request(
                method,
                url,
                params=params,
                json=json,
                data=data,
                headers=dict(headers or {}),
                timeout=_within(timeout, left),
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            log.warning(
                "%s %s %s: %s (attempt %d/%d)",
                service,
                method,
                where,
                type(exc).__name__,
                number,
                attempts,
            )
            tried[-1] = exc
            raise
        log.info(
            "%s %s %s -> %d (attempt %d/%d)",
            service,
            method,
            where,
            response.status_code,
            number,
            attempts,
        )
        try:
            _check(service, method, url, response)
        except _RetryableStatus as exc:
            tried[-1] = exc
            raise
        return response

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = None
        if isinstance(exc, _RetryableStatus):
            retry_after = parse_retry_after(exc.response.headers.get("Retry-After"), time.time())
        pause = backoff_wait(state.attempt_number, retry_after, cap=max_wait, rand=rand)
        left = deadline.remaining() if bounded else None
        return pause if left is None else min(pause, left)

    retrying = Retrying(
        stop=_stop_after_attempt(max(1, attempts)),
        wait=wait,
        retry=retry_if_exception_type(_RETRYABLE),
        sleep=sleep,
        reraise=False,
    )
    try:
        response = retrying(attempt_once)
    except _OutOfTime:
        last = f" after {len(tried)} attempt(s), {_describe_failure(tried[-1])}" if tried else ""
        raise UpstreamUnavailable(
            f"{service}: out of time for {method} {where} within this request's budget{last}"
        ) from None
    except RetryError:
        raise UpstreamUnavailable(
            f"{service} is unavailable: {method} {where} failed {len(tried)} times "
            f"({_describe_failure(tried[-1] if tried else None)})"
        ) from None
    if not expect_json:
        return response
    return _parse(service, method, url, response)
