"""The webhook and the outbox from outside: real webhook processes, a loopback HubSpot and a
loopback Chat, on SQLite and on the Firestore emulator. Decide → record → write back →
notify, within the request's budget, and no write-back lost or written twice."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

import bootstrap
from devtools.hubspot_server import TOKEN, Failure, FakeHubSpotServer
from devtools.webhook_server import WebhookProcess, advisers, healthy_webhook, workflow_body
from services import Services, outbox
from services.records import ALLOCATED, WRITEBACK_FAILED, WRITEBACK_PENDING
from settings import Settings
from tests.integration.chat_server import FakeChatServer

BUDGET = 5  # seconds: WEBHOOK_BUDGET for these tests
# A client that waits a little longer than the budget: if the webhook overran it, we would
# time out here and the test would fail.
PATIENCE = BUDGET + 3


@dataclass
class Setup:
    env: dict[str, str]
    hubspot: FakeHubSpotServer
    chat: FakeChatServer

    def services(self, at: dt.datetime | None = None) -> Services:
        """An in-process view of the same store and accounts (a drainer, a checker), on a
        clock that can be set ahead."""
        clock = (lambda: at) if at is not None else (lambda: dt.datetime.now(dt.UTC))
        return bootstrap.build_services(Settings.of(**self.env), clock=clock)

    def deal(self) -> str:
        deal_id = str(700_000 + uuid.uuid4().int % 100_000)
        self.hubspot.add_deal(deal_id, service_package="Series A")
        return deal_id

    def written(self, deal_id: str) -> int:
        """Write-backs of the deal that HubSpot took."""
        return sum(1 for r in self.hubspot.requests("PATCH", status=200) if r.deal_id == deal_id)


@pytest.fixture
def setup(store_env: dict[str, str]) -> Iterator[Setup]:
    with FakeHubSpotServer() as hubspot, FakeChatServer() as chat:
        env = {"CONSOLE_DEMO": "0", "HUBSPOT_TOKEN": TOKEN, "HUBSPOT_API_BASE": hubspot.base_url,
               "GOOGLE_CHAT_WEBHOOK_URL": chat.url, "WEBHOOK_BUDGET": str(BUDGET),
               "WEBHOOK_HUBSPOT_TIMEOUT": "2", **store_env}  # fmt: skip
        here = Setup(env, hubspot, chat)
        here.services().store.replace_advisers(advisers(3))
        yield here


@pytest.fixture
def webhook(setup: Setup) -> Iterator[WebhookProcess]:
    yield from healthy_webhook(setup.env)


def post(webhook: WebhookProcess, deal_id: str) -> requests.Response:
    return webhook.post(workflow_body(deal_id, "Series A"), timeout=PATIENCE)


def test_a_chat_that_never_answers_costs_the_answer_nothing_and_the_card_says_written(
    setup: Setup, webhook: WebhookProcess
) -> None:
    setup.chat.hanging.set()
    deal_id = setup.deal()
    reply = post(webhook, deal_id)  # raises (test fails) if the webhook overran its budget
    assert reply.status_code == 200
    assert reply.json()["status"] == ALLOCATED
    assert setup.written(deal_id) == 1
    [card] = [c for c in setup.chat.texts() if deal_id in c]
    assert '"HubSpot"' in card
    assert "written" in card
    assert "not yet written" not in card
    store = setup.services().store
    booked = store.get_allocation(deal_id)
    assert booked is not None
    name = next(a.name for a in store.list_advisers() if a.id == booked.adviser_id)
    assert json.dumps(f"Deal {deal_id} → {name}") in card  # named, not by HubSpot owner id


def test_hubspot_down_for_the_whole_request_answers_in_budget_and_a_drain_writes_it_later(
    setup: Setup, webhook: WebhookProcess
) -> None:
    setup.hubspot.fail(Failure("PATCH", 503, times=None))
    deal_id = setup.deal()
    reply = post(webhook, deal_id)
    assert (reply.status_code, reply.json()["status"]) == (200, WRITEBACK_PENDING)
    [card] = [c for c in setup.chat.texts() if deal_id in c]
    assert "not yet written" in card
    setup.hubspot.heal()
    later = dt.datetime.now(dt.UTC) + outbox.LONGEST_WAIT
    drained = setup.services(at=later).sync.run_sync_group("writebacks", "scheduler")
    assert [(r.source, r.status) for r in drained] == [
        ("writebacks", "ok"),
        ("box_folders", "skipped"),  # no Box here
    ]
    record = setup.services().store.get_allocation(deal_id)
    assert record is not None
    assert record.status == ALLOCATED
    assert setup.written(deal_id) == 1


def test_a_write_back_that_keeps_failing_is_given_up_and_raised_to_chat_once(
    setup: Setup, webhook: WebhookProcess
) -> None:
    setup.hubspot.fail(Failure("PATCH", 503, times=None))
    deal_id = setup.deal()
    assert post(webhook, deal_id).json()["status"] == WRITEBACK_PENDING
    at = dt.datetime.now(dt.UTC)
    for _ in range(outbox.MAX_ATTEMPTS + 2):
        at += outbox.LONGEST_WAIT + dt.timedelta(minutes=1)
        drainer = setup.services(at=at)
        drainer.crm = _quick(drainer)
        drainer.syncer.writer = drainer.crm
        drainer.sync.run_sync_group("writebacks", "scheduler")
    record = setup.services().store.get_allocation(deal_id)
    assert record is not None
    assert (record.status, record.writeback_attempts) == (WRITEBACK_FAILED, outbox.MAX_ATTEMPTS)
    gave_up = [c for c in setup.chat.texts() if f"write-back failed for deal {deal_id}" in c]
    assert len(gave_up) == 1


def test_a_webhook_killed_between_booking_and_write_back_loses_nothing_and_writes_once(
    setup: Setup, webhook: WebhookProcess
) -> None:
    # HubSpot holds the write-back (and would refuse it): the webhook is killed meanwhile.
    setup.hubspot.fail(Failure("PATCH", 500, delay=30, times=1))
    deal_id = setup.deal()
    sender = threading.Thread(target=_post_quietly, args=(webhook, deal_id), daemon=True)
    sender.start()
    checker = setup.services()
    deadline = time.monotonic() + PATIENCE
    while checker.store.get_allocation(deal_id) is None:  # booked, write-back in flight
        assert time.monotonic() < deadline, "the deal was never booked"
        time.sleep(0.05)  # polling another process's progress, not pacing an assertion
    webhook.kill()
    record = checker.store.get_allocation(deal_id)
    assert record is not None
    assert record.status == WRITEBACK_PENDING  # kept: the outbox has it
    setup.hubspot.heal()
    # A drain while the dead booker's lease still runs leaves the deal alone ...
    assert setup.services().sync.run_sync_group("writebacks", "scheduler")[0].updated == 0
    # ... and once the lease has run out, two drainers at once write it once.
    after_lease = dt.datetime.now(dt.UTC) + outbox.LEASE + dt.timedelta(seconds=1)
    drainers = [threading.Thread(target=_drain, args=(setup, after_lease)) for _ in range(2)]
    for t in drainers:
        t.start()
    for t in drainers:
        t.join()
    final = checker.store.get_allocation(deal_id)
    assert final is not None
    assert final.status == ALLOCATED
    assert setup.written(deal_id) == 1


def _post_quietly(webhook: WebhookProcess, deal_id: str) -> None:
    with contextlib.suppress(requests.RequestException):  # killed under it: the point
        post(webhook, deal_id)


def _drain(setup: Setup, at: dt.datetime) -> None:
    svc = setup.services(at=at)
    outbox.drain(store=svc.store, crm=svc.crm, settings=svc.editing.console_settings().value,  # type: ignore[arg-type]
                 notifier=svc.notifier, clock=lambda: at)  # fmt: skip


def _quick(svc: Services) -> object:
    """The drainer's HubSpot client with one attempt, so fifteen failing drains are quick."""
    from integrations.hubspot import HubSpotClient

    return HubSpotClient(TOKEN, api_base=svc.settings.hubspot_api_base, attempts=1,
                         timeout=(1.0, 1.0))  # fmt: skip


def test_a_delivery_refused_for_its_content_is_kept_and_raised_once(
    setup: Setup, webhook: WebhookProcess
) -> None:
    body = workflow_body("4301", "Series Zed", household_type="Couple")
    for _ in range(2):  # a workflow fired twice
        reply = webhook.session.post(webhook.url, data=body, headers=webhook.headers(body),
                                     timeout=PATIENCE)  # fmt: skip
        assert reply.status_code == 400
        assert "unknown service package 'Series Zed'" in reply.json()["error"]
    [kept] = setup.services().store.list_rejections()
    assert (kept.deal_id, kept.times) == ("4301", 2)
    assert "Series Zed" in kept.fields["service_package"]
    told = [c for c in setup.chat.texts() if "Delivery refused: deal 4301" in c]
    assert len(told) == 1
    assert setup.services().store.get_allocation("4301") is None  # nothing else written
