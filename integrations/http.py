"""The one HTTP policy every outside call follows: sessions, timeouts, retries, errors, logs.

- one ``requests.Session`` per service (connection reuse, a user agent naming the console);
- explicit (connect, read) timeouts on every call;
- tenacity retries on 429, 5xx, connection errors and timeouts: full-jitter exponential
  backoff (``wait_random_exponential``), except that a ``Retry-After`` (seconds or an HTTP
  date) is honoured, capped; ``stop_after_attempt`` bounds the attempts;
- inside a ``services.deadline.within`` block (the webhook), each attempt's timeout is cut to
  the time left, and a retry whose wait would leave less than ``MIN_ATTEMPT_SECONDS`` is not
  made (``stop_before_delay``), so no wait outlasts the deadline; ``bounded=False`` opts out
  (Chat's short, single post);
- then one of ``services.errors``: ``UpstreamUnavailable`` (kept failing, or out of time),
  ``UpstreamRejected`` / ``Unauthorized`` (a 4xx retrying cannot fix), ``MalformedReply``;
- logs carry method, host, path, status and attempt only: never headers (tokens), query
  strings (webhook keys), bodies, or an exception's text (requests puts the URL in it).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
    wait_random_exponential,
)
from tenacity.stop import stop_base
from tenacity.wait import wait_base

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
# An attempt with less time than this left would only time out: it is not started.
MIN_ATTEMPT_SECONDS = 0.25

Sleep = Callable[[float], None]


def identify(session: requests.Session, service: str) -> None:
    """The headers every session of ours sends: a user agent naming the console and service."""
    session.headers["User-Agent"] = f"{USER_AGENT} ({service})"
    session.headers["Accept"] = "application/json"


class ServiceSession(requests.Session):
    """A session that knows which service it talks to, so errors and logs can name it."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service
        identify(self, service)


def make_session(service: str) -> ServiceSession:
    return ServiceSession(service)


class _RetryableStatus(Exception):
    """Raised inside an attempt for a 429 / 5xx so tenacity retries it."""

    def __init__(self, response: requests.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


_RETRYABLE = (_RetryableStatus, requests.ConnectionError, requests.Timeout)


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


class wait_retry_after(wait_base):  # noqa: N801 - named like tenacity's own strategies
    """The wait a 429 / 5xx's ``Retry-After`` asks for, capped (a hostile or confused header
    must not park a sync for hours); without one, whatever ``otherwise`` says."""

    def __init__(self, otherwise: wait_base, cap: float) -> None:
        self.otherwise = otherwise
        self.cap = cap

    def __call__(self, retry_state: RetryCallState) -> float:
        failure = retry_state.outcome.exception() if retry_state.outcome else None
        asked = None
        if isinstance(failure, _RetryableStatus):
            asked = parse_retry_after(failure.response.headers.get("Retry-After"), time.time())
        return self.otherwise(retry_state) if asked is None else min(asked, self.cap)


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


def _failure(exc: BaseException | None) -> str:
    """An attempt's failure in words that carry no URL (requests' messages do)."""
    if isinstance(exc, _RetryableStatus):
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return "could not connect"
    return type(exc).__name__


def _last(exc: BaseException | None) -> str:
    what = "status" if isinstance(exc, _RetryableStatus) else "error:"
    return f"last {what} {_failure(exc)}"


def _within(timeout: tuple[float, float], left: float | None) -> tuple[float, float]:
    """The (connect, read) timeout, cut down to the time the deadline leaves."""
    if left is None:
        return timeout
    return (min(timeout[0], left), min(timeout[1], left))


def _stop(attempts: int, left: float | None) -> stop_base:
    """Stop after ``attempts``, or before a wait that would leave too little of the deadline."""
    stop = stop_after_attempt(max(1, attempts))
    if left is None:
        return stop
    return stop | stop_before_delay(left - MIN_ATTEMPT_SECONDS)


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
    max_wait: float = MAX_WAIT,
    bounded: bool = True,
    accept: frozenset[int] = frozenset(),
) -> Any:
    """One call under the policy. Returns the parsed JSON (``None`` for an empty reply), or
    the ``requests.Response`` when ``expect_json`` is false. A 4xx status in ``accept`` is
    handed back (as the response) rather than raised: the caller reads its error body (Box's
    409 names the folder that already has the name)."""
    service = _service_of(session, url)
    where = redact_url(url)
    out_of_time = f"{service}: out of time for {method} {where} within this request's budget"
    left = deadline.remaining() if bounded else None
    if left is not None and left < MIN_ATTEMPT_SECONDS:
        raise UpstreamUnavailable(out_of_time)

    def attempt() -> requests.Response:
        now_left = deadline.remaining() if bounded else None
        response = session.request(
            method,
            url,
            params=params,
            json=json,
            data=data,
            headers=dict(headers or {}),
            timeout=_within(timeout, now_left),
        )
        if response.status_code in RETRY_STATUSES:
            raise _RetryableStatus(response)
        return response

    def failed(state: RetryCallState) -> None:
        failure = _failure(state.outcome.exception() if state.outcome else None)
        n = state.attempt_number
        log.warning("%s %s %s: %s (attempt %d/%d)", service, method, where, failure, n, attempts)

    def retrying_in(state: RetryCallState) -> None:
        n, pause = state.attempt_number + 1, state.upcoming_sleep
        log.info("%s %s %s: attempt %d/%d in %.2f s", service, method, where, n, attempts, pause)

    retrying = Retrying(
        stop=_stop(attempts, left),
        wait=wait_retry_after(
            wait_random_exponential(multiplier=BASE_WAIT, max=max_wait), cap=max_wait
        ),
        retry=retry_if_exception_type(_RETRYABLE),
        after=failed,
        before_sleep=retrying_in,
        sleep=sleep,
    )
    try:
        response = retrying(attempt)
    except RetryError as gave_up:
        tried, last = gave_up.last_attempt.attempt_number, gave_up.last_attempt.exception()
        if tried < attempts:
            raise UpstreamUnavailable(
                f"{out_of_time} after {tried} attempt(s), {_last(last)}"
            ) from None
        raise UpstreamUnavailable(
            f"{service} is unavailable: {method} {where} failed {tried} times ({_last(last)})"
        ) from None
    status, n = response.status_code, retrying.statistics["attempt_number"]
    log.info("%s %s %s -> %d (attempt %d/%d)", service, method, where, status, n, attempts)
    if status in accept:
        return response
    _check(service, method, url, response)
    if not expect_json:
        return response
    return _parse(service, method, url, response)
