"""The webhook from outside: a real functions-framework process on 127.0.0.1, a real store
(temporary SQLite, then the Firestore emulator) and a HubSpot fake on loopback."""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings

import bootstrap
from allocation import build_ledger
from devtools.hubspot_server import TOKEN, Failure, FakeHubSpotServer
from devtools.webhook_server import (
    SECRET,
    Firm,
    WebhookProcess,
    advisers,
    creation_events,
    workflow_body,
)
from integrations.hubspot_signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign_v3
from services.records import ALLOCATED, WRITEBACK_PENDING
from services.snapshots import load_snapshot
from settings import Settings
from tests.hostile_input import with_known_bad_bodies
from tests.integration.webhook_payloads import payloads

ADVISERS = 6


@pytest.fixture(scope="module")
def hubspot() -> Iterator[FakeHubSpotServer]:
    with FakeHubSpotServer() as server:
        yield server


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("firestore", marks=pytest.mark.emulator)]
)
def firm(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    hubspot: FakeHubSpotServer,
) -> Iterator[Firm]:
    extra: dict[str, str] = {}
    if request.param == "sqlite":
        store_url = f"sqlite:///{tmp_path_factory.mktemp('webhook') / 'x.db'}"
    else:
        emulator = request.getfixturevalue("firestore_emulator")
        store_url = f"firestore://webhook-{uuid.uuid4().hex[:10]}"
        extra["FIRESTORE_EMULATOR_HOST"] = emulator.host
    env = {
        "CONSOLE_STORE": store_url,
        "CONSOLE_DEMO": "0",
        "HUBSPOT_TOKEN": TOKEN,
        "HUBSPOT_API_BASE": hubspot.base_url,
        "WEBHOOK_HUBSPOT_TIMEOUT": "1",
        **extra,
    }
    services = bootstrap.build_services(Settings.of(**env))
    services.store.replace_advisers(advisers(ADVISERS))
    webhook = WebhookProcess(env)
    try:
        webhook.wait_until_healthy()
        yield Firm(webhook, services, hubspot)
    finally:
        webhook.stop()
        if request.param == "firestore":
            emulator.reset(store_url.removeprefix("firestore://"))


@pytest.fixture(autouse=True)
def healthy_hubspot(hubspot: FakeHubSpotServer) -> Iterator[None]:
    hubspot.heal()
    yield
    hubspot.heal()


# --- health, methods, limits, signatures ---------------------------------------------------


def test_health_says_the_store_is_reachable_and_shows_no_secret(firm: Firm) -> None:
    reply = firm.webhook.session.get(firm.webhook.url, timeout=10)
    assert reply.status_code == 200
    assert reply.json()["store"]["reachable"] is True
    assert SECRET not in reply.text
    assert TOKEN not in reply.text


def test_other_methods_are_refused_with_405(firm: Firm) -> None:
    reply = firm.webhook.session.put(firm.webhook.url, data=b"{}", timeout=10)
    assert reply.status_code == 405
    assert "PUT" in reply.json()["error"]


def test_an_oversized_body_is_refused_with_413(firm: Firm) -> None:
    deal_id = firm.new_deal()
    body = workflow_body(deal_id, note="x" * 70_000)
    reply = firm.webhook.post(body)
    assert reply.status_code == 413
    assert firm.record(deal_id) is None


def _forged(webhook: WebhookProcess, body: bytes) -> dict[str, str]:
    headers = webhook.headers(body)
    stamp = headers[TIMESTAMP_HEADER]
    headers[SIGNATURE_HEADER] = sign_v3("someone-else", "POST", webhook.url, body, stamp)
    return headers


def _without(name: str, headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k != name}


SIGNATURE_CASES = {
    "forged": _forged,
    "missing signature": lambda w, b: _without(SIGNATURE_HEADER, w.headers(b)),
    "missing timestamp": lambda w, b: _without(TIMESTAMP_HEADER, w.headers(b)),
    "stale": lambda w, b: w.headers(b, at_ms=int(time.time() * 1000) - 6 * 60 * 1000),
    "from the future": lambda w, b: w.headers(b, at_ms=int(time.time() * 1000) + 6 * 60 * 1000),
    "signed over another body": lambda w, b: w.headers(b + b" "),
}


@pytest.mark.parametrize("case", sorted(SIGNATURE_CASES))
def test_unsigned_or_stale_deliveries_are_refused_and_nothing_is_written(
    firm: Firm, case: str
) -> None:
    deal_id = firm.new_deal()
    body = workflow_body(deal_id)
    headers = SIGNATURE_CASES[case](firm.webhook, body)
    reply = firm.webhook.session.post(firm.webhook.url, data=body, headers=headers, timeout=30)
    assert reply.status_code == 401
    assert reply.json()["error"]
    assert firm.record(deal_id) is None
    assert firm.hubspot_calls(deal_id) == 0


# --- bad input ----------------------------------------------------------------------------


BAD_INPUT = {
    "malformed JSON": (
        lambda d: b'{"object": {"objectId": "' + d.encode() + b'"',
        "not valid JSON",
    ),
    "missing package": (lambda d: workflow_body(d, package=""), "service package is missing"),
    "unknown package": (lambda d: workflow_body(d, package="Series Z"), "unknown service package"),
    "unparseable date": (
        lambda d: workflow_body(d, agreement_start_date="31/02/2026"),
        "'31/02/2026' is neither epoch milliseconds nor an ISO date",
    ),
    # Issue 10: each of these used to be accepted, or to fail as a 500 that HubSpot retries.
    "integer over 4300 digits": (
        lambda d: workflow_body(d)[:-1] + b', "note": ' + b"9" * 5000 + b"}",
        "an integer of 5000 digits; at most 4300 are read",
    ),
    "infinite number": (
        lambda d: workflow_body(d)[:-1] + b', "note": 1e999}',
        "the number '1e999', too large to read",
    ),
    "NaN": (lambda d: workflow_body(d)[:-1] + b', "note": NaN}', "holds NaN, which is not JSON"),
    "lone surrogate": (
        lambda d: workflow_body(d, household_type="Couple \ud800"),
        "household_type holds a broken character (a lone surrogate, \\ud800",
    ),
    "only control characters": (
        lambda d: workflow_body(d, household_type="\u202e\x00"),
        "household_type holds only control or invisible characters",
    ),
    "60 KB of text": (
        lambda d: workflow_body(d, household_type="x" * 60_000),
        "household_type is 60000 characters long; at most 200 are accepted",
    ),
    "agreement date 9999-12-31": (
        lambda d: workflow_body(d, agreement_start_date="9999-12-31"),
        "'9999-12-31' is outside the accepted range",
    ),
    "agreement date 0001-01-01": (
        lambda d: workflow_body(d, agreement_start_date="0001-01-01"),
        "'0001-01-01' is outside the accepted range",
    ),
    "deal id 0": (lambda d: workflow_body("000"), "'000' is not a HubSpot deal id"),
    "decimal deal id": (
        lambda d: workflow_body(d).replace(
            f'"objectId": "{d}"'.encode(), f'"objectId": {d}.0'.encode()
        ),
        "object.objectId must be a whole-number HubSpot deal id",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_gets_a_400_saying_what_is_wrong_and_writes_nothing(
    firm: Firm, case: str
) -> None:
    deal_id = firm.new_deal()
    make_body, expected = BAD_INPUT[case]
    reply = firm.webhook.post(make_body(deal_id))
    assert reply.status_code == 400
    assert expected in reply.json()["error"]
    assert firm.record(deal_id) is None
    assert firm.hubspot_calls(deal_id) == 0


# --- idempotency and concurrency ----------------------------------------------------------


def test_the_same_delivery_ten_times_is_booked_and_written_back_once(firm: Firm) -> None:
    deal_id = firm.new_deal()
    body = workflow_body(deal_id, household_type="Couple", agreement_start_date="1774310400000")
    with ThreadPoolExecutor(max_workers=10) as pool:
        replies = list(pool.map(lambda _: firm.webhook.post(body), range(10)))
    answers = [r.json() for r in replies]
    assert [r.status_code for r in replies] == [200] * 10
    assert sum(not a["replay"] for a in answers) == 1
    assert {(a["adviser_id"], a["week"]) for a in answers} == {
        (firm.record(deal_id).adviser_id, firm.record(deal_id).week.isoformat())
    }
    assert firm.record(deal_id).status == ALLOCATED
    assert firm.hubspot_calls(deal_id, "PATCH") == 1
    again = firm.webhook.post(body).json()
    assert again["replay"] is True
    assert again["status"] == ALLOCATED


def test_fifty_concurrent_deals_are_all_recorded_and_no_adviser_week_is_overbooked(
    firm: Firm,
) -> None:
    deal_ids = [firm.new_deal() for _ in range(50)]
    with ThreadPoolExecutor(max_workers=25) as pool:
        # Like HubSpot, re-send after a 503 (bookings that kept racing): replays are safe.
        replies = list(
            pool.map(lambda d: firm.webhook.post(workflow_body(d), resend_on_503=5), deal_ids)
        )
    assert [r.status_code for r in replies] == [200] * 50
    records = [firm.record(d) for d in deal_ids]
    assert all(r is not None and r.adviser_id for r in records)
    per_week = Counter((r.adviser_id, r.week) for r in records)
    today = firm.services.today()
    snapshot, _ = load_snapshot(firm.services.store, None, today)
    frame = build_ledger(snapshot, today).to_frame()
    assert max(per_week.values()) <= snapshot.rules.weekly_max_new
    assert frame["load"].max() <= snapshot.rules.weekly_max_new
    assert frame["balance"].min() >= -1e-9


# --- write-back failures ------------------------------------------------------------------


WRITEBACK_FAILURES = {
    "rate limited (429)": Failure("PATCH", 429, retry_after="1", times=None),
    "server error (500)": Failure("PATCH", 500, times=None),
    "timeout": Failure("PATCH", 200, delay=2.5, times=None),
}


@pytest.mark.parametrize("case", sorted(WRITEBACK_FAILURES))
def test_a_failing_write_back_stays_pending_and_a_later_retry_writes_it(
    firm: Firm, case: str
) -> None:
    deal_id = firm.new_deal()
    failure = WRITEBACK_FAILURES[case]
    firm.hubspot.fail(Failure(**vars(failure)))
    answer = firm.webhook.post(workflow_body(deal_id)).json()
    assert answer["status"] == WRITEBACK_PENDING
    pending = firm.record(deal_id)
    assert (pending.status, pending.adviser_id) == (WRITEBACK_PENDING, answer["adviser_id"])
    assert pending.last_error
    firm.hubspot.heal()
    retried = firm.services.booking.retry_writebacks(deal_id)
    assert (retried.written, retried.failed) == (1, 0)
    assert firm.record(deal_id).status == ALLOCATED
    assert firm.hubspot.deal(deal_id)["advisor"] == answer["adviser_id"]


def test_a_resent_delivery_writes_back_once_its_retry_is_due(firm: Firm) -> None:
    deal_id = firm.new_deal()
    firm.hubspot.fail(Failure("PATCH", 500, times=None))
    first = firm.webhook.post(workflow_body(deal_id)).json()
    assert first["status"] == WRITEBACK_PENDING
    firm.hubspot.heal()
    early = firm.webhook.post(workflow_body(deal_id)).json()
    assert early == {**first, "replay": True}  # backing off: the resend does not hammer HubSpot
    due = dataclasses.replace(firm.record(deal_id), next_attempt_at=firm.services.now())
    firm.services.store.update_allocation(due, actor="system")
    again = firm.webhook.post(workflow_body(deal_id)).json()
    assert again == {**first, "status": ALLOCATED, "replay": True}
    assert firm.hubspot.deal(deal_id)["advisor"] == first["adviser_id"]


# --- one deal, one record (issue 10) -------------------------------------------------------


def test_every_spelling_of_a_deal_id_is_one_record_and_one_write_back(firm: Firm) -> None:
    deal_id = firm.new_deal()
    spellings = [f"0{deal_id}", f" 00{deal_id} ", deal_id]
    answers = [firm.webhook.post(workflow_body(s)).json() for s in spellings]
    assert [a["deal_id"] for a in answers] == [deal_id] * 3
    assert [a["replay"] for a in answers] == [False, True, True]
    batch = json.dumps([{"subscriptionType": "deal.creation", "objectId": f"000{deal_id}"}])
    assert firm.webhook.post(batch.encode()).json()[0]["replay"] is True
    assert firm.record(deal_id).status == ALLOCATED
    assert firm.record(f"0{deal_id}") is None
    assert firm.hubspot_calls(deal_id, "PATCH") == 1
    assert firm.hubspot_calls(deal_id, "GET") == 0  # a recorded deal is not read again
    assert all(firm.hubspot_calls(s.strip()) == 0 for s in spellings[:2])


# --- CRM subscription batches -------------------------------------------------------------


def test_a_batch_of_more_than_a_hundred_events_is_refused_before_any_hubspot_read(
    firm: Firm,
) -> None:
    deal_ids = [firm.new_deal(service_package="Series A") for _ in range(101)]
    reply = firm.webhook.post(creation_events(*deal_ids))
    assert reply.status_code == 400
    assert "the batch has 101 events; HubSpot sends at most 100" in reply.json()["error"]
    assert sum(firm.hubspot_calls(d) for d in deal_ids) == 0
    assert all(firm.record(d) is None for d in deal_ids)


def test_a_bad_event_is_reported_on_its_own_and_the_good_one_allocated(firm: Firm) -> None:
    good = firm.new_deal(service_package="Series A")
    events = [
        {"subscriptionType": "deal.creation", "objectId": "12a"},
        {"subscriptionType": "deal.creation", "objectId": int(good)},
    ]
    reply = firm.webhook.post(json.dumps(events).encode())
    assert reply.status_code == 200
    decided, refused = reply.json()
    assert (decided["deal_id"], decided["status"]) == (good, ALLOCATED)
    assert refused == {
        "event": 0,
        "error": "event 0 objectId must be a numeric HubSpot deal id (digits), got '12a'",
    }
    assert firm.record(good).status == ALLOCATED
    [line] = [x for x in firm.webhook.log_lines() if good in x.get("deal_ids", [])]
    assert line["rejected_events"] == [refused]


def test_a_batch_of_nothing_but_bad_events_is_a_400_naming_each(firm: Firm) -> None:
    events = [{"subscriptionType": "deal.creation", "objectId": "0"}, 7]
    reply = firm.webhook.post(json.dumps(events).encode())
    assert reply.status_code == 400
    assert [r["event"] for r in reply.json()["results"]] == [0, 1]
    assert "event 1 must be a JSON object" in reply.json()["error"]


def test_a_subscription_batch_reads_each_deal_once_and_writes_it_back_once(firm: Firm) -> None:
    first = firm.new_deal(service_package="Series A", household_type="Single")
    second = firm.new_deal(service_package="", renewal_service_package="Series B")
    reply = firm.webhook.post(creation_events(first, second))
    assert reply.status_code == 200
    answers = reply.json()
    assert [a["deal_id"] for a in answers] == [first, second]
    assert {a["status"] for a in answers} == {ALLOCATED}
    for deal_id in (first, second):
        assert firm.hubspot_calls(deal_id, "GET") == 1
        assert firm.hubspot_calls(deal_id) <= 2
    assert firm.record(second).service_package == "Series B"
    replay = firm.webhook.post(creation_events(first, second)).json()
    assert [a["replay"] for a in replay] == [True, True]
    assert firm.hubspot_calls(first) == 2  # a replay does not read HubSpot again


def test_a_batch_naming_a_deal_hubspot_does_not_have_is_refused_by_name(firm: Firm) -> None:
    missing = firm.unknown_deal()
    reply = firm.webhook.post(creation_events(missing))
    assert reply.status_code == 400
    assert f"deal {missing}" in reply.json()["error"]
    assert firm.record(missing) is None


def test_a_batch_that_cannot_read_hubspot_asks_to_be_resent_and_writes_nothing(
    firm: Firm,
) -> None:
    deal_id = firm.new_deal(service_package="Series A")
    firm.hubspot.fail(Failure("GET", 500, times=None))
    reply = firm.webhook.post(creation_events(deal_id))
    assert reply.status_code == 503
    assert firm.record(deal_id) is None
    firm.hubspot.heal()
    assert firm.webhook.post(creation_events(deal_id)).json()[0]["status"] == ALLOCATED


# --- logs ---------------------------------------------------------------------------------


def test_every_request_logs_one_json_line_with_ids_and_costs_and_no_secret(firm: Firm) -> None:
    deal_id = firm.new_deal(service_package="Series A")
    firm.webhook.post(creation_events(deal_id))
    lines = [line for line in firm.webhook.log_lines() if deal_id in line.get("deal_ids", [])]
    assert len(lines) == 1
    assert lines[0]["status"] == 200
    assert lines[0]["hubspot_calls"] == 2
    assert lines[0]["decisions"][0]["deal_id"] == deal_id
    assert isinstance(lines[0]["latency_ms"], float)
    assert lines[0]["store_reads"] > 0
    output = firm.webhook.output()
    assert SECRET not in output
    assert TOKEN not in output


# --- whatever arrives, never a 5xx --------------------------------------------------------


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@with_known_bad_bodies
@given(body=payloads)
def test_signed_garbage_never_gets_a_server_error(firm: Firm, body: bytes) -> None:
    reply = firm.webhook.post(body)
    assert reply.status_code < 500, reply.text
    assert isinstance(reply.json(), dict | list)
