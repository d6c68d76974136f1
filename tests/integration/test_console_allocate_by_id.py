"""Allocate deal by id from the console and the HubSpot webhook are one use case: whichever
comes first decides, the other replays it (one allocation, one write-back), and a HubSpot
that cannot be read leaves nothing behind. A real webhook process, a loopback HubSpot, the
console's use case on the same store (SQLite, and the Firestore emulator) through the real
HubSpot client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

import bootstrap
from devtools.hubspot_server import TOKEN, Failure, FakeHubSpotServer
from devtools.webhook_server import (
    WebhookProcess,
    advisers,
    creation_events,
    healthy_webhook,
    workflow_body,
)
from integrations.hubspot import HubSpotClient
from services import Services
from services.errors import UpstreamUnavailable
from services.records import ALLOCATED
from settings import Settings

EDITOR = "ann@firm.au"


@dataclass
class Setup:
    env: dict[str, str]
    hubspot: FakeHubSpotServer

    def console(self) -> Services:
        """The console's services on the same store and HubSpot (the composition root's)."""
        return bootstrap.build_services(Settings.of(**self.env))

    def writes(self, deal_id: str) -> int:
        return sum(1 for r in self.hubspot.requests("PATCH", status=200) if r.deal_id == deal_id)

    def allocations(self, deal_id: str) -> list[object]:
        console = self.console()
        return [r for r in console.history.allocations() if r.deal_id == deal_id]


@pytest.fixture
def setup(store_env: dict[str, str]) -> Iterator[Setup]:
    with FakeHubSpotServer() as hubspot:
        env = {"CONSOLE_DEMO": "0", "HUBSPOT_TOKEN": TOKEN, "HUBSPOT_API_BASE": hubspot.base_url,
               "WEBHOOK_BUDGET": "5", "WEBHOOK_HUBSPOT_TIMEOUT": "2", **store_env}  # fmt: skip
        here = Setup(env, hubspot)
        here.console().store.replace_advisers(advisers(3))
        yield here


@pytest.fixture
def webhook(setup: Setup) -> Iterator[WebhookProcess]:
    yield from healthy_webhook(setup.env)


def test_a_deal_the_webhook_decided_is_a_replay_when_allocated_by_id_from_the_console(
    setup: Setup, webhook: WebhookProcess
) -> None:
    setup.hubspot.add_deal("810001", service_package="Series A")
    reply = webhook.post(workflow_body("810001", "Series A"))
    assert reply.status_code == 200

    outcome = setup.console().allocating.allocate_by_id("810001", EDITOR, is_editor=True)

    assert outcome.replay
    assert outcome.record.adviser_id == reply.json()["adviser_id"]
    assert outcome.record.source == "webhook"
    assert len(setup.allocations("810001")) == 1
    assert setup.writes("810001") == 1


def test_a_deal_allocated_by_id_is_a_replay_when_the_webhook_delivers_it_later(
    setup: Setup, webhook: WebhookProcess
) -> None:
    setup.hubspot.add_deal("810002", service_package="Series B", household_type="Couple")

    console = setup.console()
    outcome = console.allocating.allocate_by_id(" 810002 ", EDITOR, is_editor=True)
    assert (outcome.replay, outcome.status, outcome.record.source) == (False, ALLOCATED, "console")
    assert outcome.record.household_type == "Couple"  # read from HubSpot
    [audited] = [e for e in console.history.audit("allocations") if e.entity_id == "810002"]
    assert (audited.action, audited.actor) == ("allocation.console", EDITOR)

    reply = webhook.post(creation_events("810002"))

    assert reply.status_code == 200
    [answer] = reply.json()
    assert answer["replay"] is True
    assert answer["adviser_id"] == outcome.record.adviser_id
    assert len(setup.allocations("810002")) == 1
    assert setup.writes("810002") == 1


def test_hubspot_down_gives_a_clear_message_and_writes_nothing(setup: Setup) -> None:
    setup.hubspot.add_deal("810003", service_package="Series A")
    setup.hubspot.fail(Failure("GET", 503, times=None))
    console = setup.console()
    console.crm = HubSpotClient(TOKEN, api_base=setup.hubspot.base_url, attempts=2,
                                timeout=(1.0, 1.0))  # fmt: skip

    with pytest.raises(UpstreamUnavailable) as refused:
        console.allocating.allocate_by_id("810003", EDITOR, is_editor=True)

    message = str(refused.value)
    assert "HubSpot could not be reached to read deal 810003" in message
    assert "nothing was written" in message
    assert console.store.get_allocation("810003") is None
    assert console.history.audit("allocations") == []
    assert setup.hubspot.requests("PATCH") == []
