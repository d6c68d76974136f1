"""Employment Hero: PKCE connection, rotating refresh tokens under a lock, paged leave."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from integrations.employment_hero import EmploymentHeroClient
from integrations.http import DEFAULT_TIMEOUT
from integrations.oauth import OAuthApp
from services.errors import (
    ConfigurationError,
    MalformedReply,
    UpstreamRejected,
    UpstreamUnavailable,
)
from tests.integration.fake_employment_hero import (
    API,
    CLIENT_ID,
    CLIENT_SECRET,
    OAUTH,
    ORG,
    REDIRECT,
    FakeEmploymentHero,
    s256,
)

D = dt.date.fromisoformat
NOW = 1_767_225_600.0
APP = OAuthApp(
    "Employment Hero", CLIENT_ID, CLIENT_SECRET, f"{OAUTH}/authorize", f"{OAUTH}/token", REDIRECT
)


class Tokens:
    """The store's token port, in memory. With ``racers``, the first load of each racer waits
    until all of them have loaded, so every racer has seen the expired token before any of
    them can refresh it: a deterministic race, no sleeps."""

    def __init__(self, racers: int = 0) -> None:
        self.saved: dict[str, dict[str, Any]] = {}
        self.history: list[dict[str, Any]] = []
        self._barrier = threading.Barrier(racers) if racers else None
        self._held = 0
        self._lock = threading.Lock()

    def load_token(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            token = self.saved.get(name)
            hold = self._barrier is not None and self._held < self._barrier.parties
            self._held += 1
        if hold and self._barrier is not None:
            self._barrier.wait(timeout=10)
        return dict(token) if token else None

    def save_token(self, name: str, token: dict[str, Any]) -> None:
        with self._lock:
            self.saved[name] = dict(token)
            self.history.append(dict(token))


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """Token expiry is Authlib's, on the wall clock: the tests stand at NOW."""
    monkeypatch.setattr(time, "time", lambda: NOW)


@pytest.fixture
def eh():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeEmploymentHero(mock)


@pytest.fixture
def tokens() -> Tokens:
    return Tokens()


def make_client(tokens: Tokens, organisation: str | None = ORG, **kw: Any) -> EmploymentHeroClient:
    return EmploymentHeroClient(APP, tokens, organisation, api_base=API, sleep=lambda s: None, **kw)


def connected(eh: FakeEmploymentHero, tokens: Tokens, fresh: bool = True) -> Tokens:
    token = eh.connect()
    token["expires_at"] = NOW + 900 if fresh else NOW - 1
    tokens.saved["employment_hero"] = token
    return tokens


def test_connecting_uses_pkce_and_stores_the_tokens(eh, tokens):
    client = make_client(tokens)

    url, verifier = client.authorization_url("state-123")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    eh.codes["code-1"] = query["code_challenge"]
    client.exchange_code("code-1", verifier)

    assert url.startswith(f"{OAUTH}/authorize?")
    assert query["code_challenge"] == s256(verifier)
    assert query["code_challenge_method"] == "S256"
    assert query["state"] == "state-123"
    assert query["redirect_uri"] == REDIRECT
    assert query["response_type"] == "code"
    saved = tokens.saved["employment_hero"]
    assert saved["refresh_token"] == eh.refresh_token
    assert saved["expires_at"] == NOW + 900
    assert client.connected()


def test_a_code_exchanged_with_the_wrong_verifier_is_refused_clearly(eh, tokens):
    client = make_client(tokens)
    url, _ = client.authorization_url("s")
    eh.codes["code-1"] = parse_qs(urlsplit(url).query)["code_challenge"][0]

    with pytest.raises(UpstreamRejected, match="start the connection again"):
        client.exchange_code("code-1", "not-the-verifier")
    assert tokens.saved == {}


def test_leave_is_approved_requests_overlapping_the_window_from_every_page(eh, tokens):
    for n in range(250):
        eh.add_employee(f"e{n}", company_email=f"Person{n}@Firm.test")
    eh.add_employee("dana", company_email="", account_email="Dana.Lee@Firm.TEST")
    for n in range(120):
        eh.add_leave(f"l{n}", f"e{n}", "2026-03-02", "2026-03-06")
    eh.add_leave("dana-1", "dana", "2026-02-20", "2026-03-03")  # began before the window
    eh.add_leave("pending", "dana", "2026-03-10", "2026-03-10", status="Pending")
    eh.add_leave("declined", "dana", "2026-03-11", "2026-03-11", status="Declined")
    eh.add_leave("before", "dana", "2026-01-05", "2026-01-09")
    eh.add_leave("after", "dana", "2026-07-01", "2026-07-01")

    leave = {
        r.id: r
        for r in make_client(connected(eh, tokens)).fetch_leave(D("2026-03-01"), D("2026-06-30"))
    }

    assert len(leave) == 121
    assert leave["dana-1"].email == "dana.lee@firm.test"
    assert (leave["dana-1"].start, leave["dana-1"].end) == (D("2026-02-20"), D("2026-03-03"))
    assert leave["l7"].email == "person7@firm.test"


@pytest.mark.parametrize(
    ("start", "end", "fields", "fraction"),
    [
        ("2026-03-02", "2026-03-02", {"total_hours": 3.8}, 0.5),
        ("2026-03-02", "2026-03-02", {"total_hours": 7.6}, 1.0),
        ("2026-03-02", "2026-03-02", {"hours_per_day": [{"date": "2026-03-02", "hours": 4}]}, 0.5),
        ("2026-03-06", "2026-03-09", {"total_hours": 15.2}, 1.0),  # Fri + Mon over a weekend
        ("2026-03-02", "2026-03-03", {"total_hours": 7.6}, 0.5),  # two half days
        ("2026-03-02", "2026-03-02", {}, 1.0),
    ],
)
def test_half_days_come_from_hours_against_a_standard_day(eh, tokens, start, end, fields, fraction):
    eh.add_employee("e1", company_email="a@firm.test")
    eh.add_leave("l1", "e1", start, end, **fields)

    [request] = make_client(connected(eh, tokens)).fetch_leave(D("2026-03-01"), D("2026-03-31"))

    assert request.day_fraction == fraction


def test_an_expired_token_is_refreshed_first_and_the_rotated_refresh_token_saved(eh, tokens):
    eh.add_employee("e1", company_email="a@firm.test")
    connected(eh, tokens, fresh=False)
    old_refresh = tokens.saved["employment_hero"]["refresh_token"]

    make_client(tokens).fetch_leave(D("2026-03-01"), D("2026-03-31"))

    assert eh.refresh_calls == 1
    saved = tokens.saved["employment_hero"]
    assert saved["refresh_token"] == eh.refresh_token != old_refresh
    assert saved["expires_at"] == NOW + 900


def test_a_token_expiring_in_the_middle_of_a_sync_is_refreshed_once_and_paging_continues(
    eh, tokens
):
    for n in range(350):
        eh.add_employee(f"e{n}", company_email=f"p{n}@firm.test")
        eh.add_leave(f"l{n}", f"e{n}", "2026-03-02", "2026-03-02")
    eh.revoke_after_calls = 2  # the token dies after the second page of employees

    leave = make_client(connected(eh, tokens)).fetch_leave(D("2026-03-01"), D("2026-03-31"))

    assert len(leave) == 350
    assert eh.refresh_calls == 1
    assert tokens.saved["employment_hero"]["refresh_token"] == eh.refresh_token


def test_two_concurrent_refreshes_make_one_refresh_call(eh):
    tokens = Tokens(racers=2)
    connected(eh, tokens, fresh=False)
    eh.add_employee("e1", company_email="a@firm.test")
    results: list[Any] = []

    def sync() -> None:
        try:
            results.append(make_client(tokens).fetch_leave(D("2026-03-01"), D("2026-03-31")))
        except Exception as exc:  # surfaced through results
            results.append(exc)

    threads = [threading.Thread(target=sync) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert results == [[], []]
    assert eh.refresh_calls == 1
    assert len(tokens.history) == 1


def test_a_refused_refresh_token_asks_for_reconnection(eh, tokens):
    connected(eh, tokens, fresh=False)
    tokens.saved["employment_hero"]["refresh_token"] = "revoked"

    with pytest.raises(UpstreamRejected, match="reconnect from the Settings page"):
        make_client(tokens).fetch_leave(D("2026-03-01"), D("2026-03-31"))


def test_token_requests_are_sent_with_explicit_timeouts(eh, tokens):
    client = make_client(tokens)
    url, verifier = client.authorization_url("s")
    eh.codes["code-1"] = parse_qs(urlsplit(url).query)["code_challenge"][0]
    client.exchange_code("code-1", verifier)
    tokens.saved["employment_hero"]["expires_at"] = NOW - 1

    client.fetch_leave(D("2026-03-01"), D("2026-03-31"))

    assert eh.refresh_calls == 1
    assert eh.token_timeouts == [DEFAULT_TIMEOUT, DEFAULT_TIMEOUT]


@pytest.mark.parametrize("status", [500, 503])
def test_a_token_endpoint_outage_is_unavailable_and_keeps_the_stored_tokens(eh, tokens, status):
    connected(eh, tokens, fresh=False)
    before = dict(tokens.saved["employment_hero"])
    eh.token_outage = status

    with pytest.raises(UpstreamUnavailable, match="Employment Hero token endpoint is unavailable"):
        make_client(tokens).fetch_leave(D("2026-03-01"), D("2026-03-31"))
    assert tokens.saved["employment_hero"] == before


def test_without_a_connection_the_sync_says_how_to_connect(eh, tokens):
    with pytest.raises(ConfigurationError, match="connect it from the Settings page"):
        make_client(tokens).fetch_leave(D("2026-03-01"), D("2026-03-31"))


def test_an_employee_without_email_is_reported_not_silently_dropped(eh, tokens):
    eh.add_employee("e1", company_email=None, account_email=None)
    eh.add_leave("l1", "e1", "2026-03-02", "2026-03-02")
    client = make_client(connected(eh, tokens))

    assert client.fetch_leave(D("2026-03-01"), D("2026-03-31")) == []
    assert client.warnings == [
        "leave request l1: employee e1 has no email in Employment Hero; skipped"
    ]


def test_the_only_organisation_is_found_when_none_is_configured(eh, tokens):
    eh.add_employee("e1", company_email="a@firm.test")
    eh.add_leave("l1", "e1", "2026-03-02", "2026-03-02")

    leave = make_client(connected(eh, tokens), organisation=None).fetch_leave(
        D("2026-03-01"), D("2026-03-31")
    )

    assert [r.id for r in leave] == ["l1"]


def test_a_reply_without_data_items_is_malformed(eh, tokens):
    eh.malformed = True

    with pytest.raises(MalformedReply, match="no data object"):
        make_client(connected(eh, tokens)).fetch_leave(D("2026-03-01"), D("2026-03-31"))
