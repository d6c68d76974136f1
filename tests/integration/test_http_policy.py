"""The shared HTTP policy: retries, waits, errors and logs, against `responses` fakes."""

from __future__ import annotations

import email.utils
import logging
import random

import pytest
import requests
import responses

from integrations.http import MIN_ATTEMPT_SECONDS, make_session, parse_retry_after, send
from services import deadline
from services.errors import MalformedReply, Unauthorized, UpstreamRejected, UpstreamUnavailable

URL = "https://api.example.test/v1/things"


class Waits:
    """Stands in for time.sleep: records each wait instead of taking it."""

    def __init__(self) -> None:
        self.taken: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.taken.append(seconds)


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
def session() -> requests.Session:
    return make_session("Example")


class Jitter(random.Random):
    """Tenacity's full jitter draws ``uniform(0, ceiling)``; this one always lands at
    ``fraction`` of the ceiling, so a test can say exactly which wait it expects."""

    def __init__(self, fraction: float) -> None:
        super().__init__()
        self.fraction = fraction

    def random(self) -> float:
        return self.fraction


@pytest.fixture
def jitter(monkeypatch):
    def land_at(fraction: float) -> None:
        monkeypatch.setattr("tenacity.wait.random", Jitter(fraction))

    return land_at


@responses.activate
def test_a_good_reply_is_parsed_and_the_session_names_the_console(session, waits):
    responses.get(URL, json={"ok": True})

    assert send(session, "GET", URL, sleep=waits) == {"ok": True}
    assert responses.calls[0].request.headers["User-Agent"].startswith("adviser-capacity-console")
    assert waits.taken == []


@responses.activate
def test_429_with_retry_after_waits_that_long_then_succeeds(session, waits):
    responses.get(URL, status=429, headers={"Retry-After": "7"})
    responses.get(URL, json={"ok": 1})

    assert send(session, "GET", URL, sleep=waits) == {"ok": 1}
    assert waits.taken == [7.0]


@responses.activate
def test_retry_after_as_an_http_date_is_honoured_and_capped(session, waits):
    far = email.utils.formatdate(2_000_000_000, usegmt=True)
    responses.get(URL, status=503, headers={"Retry-After": far})
    responses.get(URL, json={})

    send(session, "GET", URL, sleep=waits, max_wait=12.0)

    assert waits.taken == [12.0]


@responses.activate
def test_a_burst_of_5xx_is_retried_with_growing_jittered_waits(session, waits, jitter):
    jitter(1.0)
    for status in (500, 502, 503, 504):
        responses.get(URL, status=status)
    responses.get(URL, json={"done": True})

    assert send(session, "GET", URL, sleep=waits) == {"done": True}
    assert waits.taken == [0.5, 1.0, 2.0, 4.0]
    assert len(responses.calls) == 5


@responses.activate
def test_jitter_keeps_each_wait_between_zero_and_its_ceiling(session, waits, jitter):
    jitter(0.25)
    responses.get(URL, status=500)
    responses.get(URL, status=500)
    responses.get(URL, json={})

    send(session, "GET", URL, sleep=waits)

    assert waits.taken == [0.125, 0.25]


@responses.activate
def test_attempts_are_bounded_then_unavailable_names_service_and_last_status(session, waits):
    responses.get(URL, status=503)

    with pytest.raises(UpstreamUnavailable, match=r"Example.*failed 3 times.*HTTP 503"):
        send(session, "GET", URL, attempts=3, sleep=waits)
    assert len(responses.calls) == 3
    assert len(waits.taken) == 2


@responses.activate
def test_timeouts_are_retried_and_reported_as_unavailable(session, waits):
    responses.get(URL, body=requests.ReadTimeout("read timed out"))

    with pytest.raises(UpstreamUnavailable, match="timed out"):
        send(session, "GET", URL, attempts=2, sleep=waits)
    assert len(responses.calls) == 2


@responses.activate
def test_a_connection_error_then_success_recovers(session, waits):
    responses.get(URL, body=requests.ConnectionError("refused"))
    responses.get(URL, json=[1, 2])

    assert send(session, "GET", URL, sleep=waits) == [1, 2]
    assert len(waits.taken) == 1


@responses.activate
def test_a_client_error_is_rejected_at_once_with_the_services_message(session, waits):
    responses.patch(URL, status=400, json={"message": "Property values were not valid"})

    with pytest.raises(UpstreamRejected, match="HTTP 400: Property values were not valid"):
        send(session, "PATCH", URL, json={"properties": {}}, sleep=waits)
    assert len(responses.calls) == 1
    assert waits.taken == []


@responses.activate
def test_401_is_rejected_as_unauthorized(session, waits):
    responses.get(URL, status=401)

    with pytest.raises(Unauthorized):
        send(session, "GET", URL, sleep=waits)


@responses.activate
def test_malformed_json_is_reported_as_malformed_reply(session, waits):
    responses.get(URL, body="<html>gateway</html>", content_type="text/html")

    with pytest.raises(MalformedReply, match="not JSON"):
        send(session, "GET", URL, sleep=waits)


@responses.activate
def test_logs_never_carry_query_secrets_tokens_or_bodies(session, waits, caplog):
    responses.post(URL, status=500)
    responses.post(URL, json={"answer": "private reply"})
    caplog.set_level(logging.INFO, logger="integrations.http")

    send(
        session,
        "POST",
        URL + "?key=sekret-key&token=sekret-token",
        json={"client": "private body"},
        headers={"Authorization": "Bearer sekret-bearer"},
        sleep=waits,
    )

    text = caplog.text
    assert "api.example.test/v1/things" in text
    assert "attempt 2/5" in text
    for secret in ("sekret", "private"):
        assert secret not in text


def test_retry_after_parsing_accepts_seconds_dates_and_rejects_junk():
    assert parse_retry_after("30", now=0) == 30.0
    assert parse_retry_after(email.utils.formatdate(100, usegmt=True), now=40) == 60.0
    assert parse_retry_after(email.utils.formatdate(10, usegmt=True), now=40) == 0.0
    assert parse_retry_after("soon", now=0) is None
    assert parse_retry_after(None, now=0) is None


@responses.activate
def test_retry_after_wins_over_backoff_and_every_wait_is_capped(session, waits, jitter):
    jitter(1.0)
    responses.get(URL, status=429, headers={"Retry-After": "3"})
    responses.get(URL, status=503, headers={"Retry-After": "9999"})
    for _ in range(18):
        responses.get(URL, status=500)
    responses.get(URL, json={})

    send(session, "GET", URL, attempts=21, sleep=waits)

    assert waits.taken[:2] == [3.0, 30.0]
    assert waits.taken[2:8] == [2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert waits.taken[-1] == 30.0


@responses.activate
def test_inside_a_deadline_each_attempt_gets_only_the_time_left(session, waits):
    responses.get(URL, json={})

    with deadline.within(2.0):
        send(session, "GET", URL, timeout=(3.05, 20.0), sleep=waits)

    connect, read = responses.calls[0].request.req_kwargs["timeout"]
    assert 1.5 < connect <= 2.0
    assert 1.5 < read <= 2.0


@responses.activate
def test_a_spent_deadline_makes_no_call(session, waits):
    responses.get(URL, json={})

    with (
        deadline.within(MIN_ATTEMPT_SECONDS / 2),
        pytest.raises(UpstreamUnavailable, match=r"out of time .* within this request's budget"),
    ):
        send(session, "GET", URL, sleep=waits)
    assert len(responses.calls) == 0


@responses.activate
def test_a_wait_longer_than_the_time_left_gives_up_at_once_naming_the_last_status(session, waits):
    responses.get(URL, status=429, headers={"Retry-After": "20"})

    with (
        deadline.within(5.0),
        pytest.raises(
            UpstreamUnavailable,
            match=r"out of time .* budget after 1 attempt\(s\), last status HTTP 429",
        ),
    ):
        send(session, "GET", URL, sleep=waits)
    assert len(responses.calls) == 1
    assert waits.taken == []


@responses.activate
def test_waits_that_fit_the_deadline_are_taken(session, waits):
    responses.get(URL, status=503, headers={"Retry-After": "1"})
    responses.get(URL, json={"ok": True})

    with deadline.within(5.0):
        assert send(session, "GET", URL, sleep=waits) == {"ok": True}
    assert waits.taken == [1.0]


@responses.activate
def test_chat_opts_out_of_the_deadline(session, waits):
    responses.post(URL, json={})

    with deadline.within(0.0):
        send(session, "POST", URL, timeout=(1.0, 4.0), sleep=waits, bounded=False)

    assert responses.calls[0].request.req_kwargs["timeout"] == (1.0, 4.0)
