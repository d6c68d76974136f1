"""Six webhook processes on one store, four deliveries at a time each: every deal allocated,
none refused, no adviser-week over its weekly maximum, no ledger week pushed below zero.
Bookings contend per adviser, not on one firm-wide document, so this holds on the Firestore
emulator as on one SQLite file shared by the processes."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

import bootstrap
from allocation import build_ledger
from devtools.hubspot_server import TOKEN, FakeHubSpotServer
from devtools.webhook_server import WebhookProcess, advisers, workflow_body
from services.records import ALLOCATED
from services.snapshots import load_snapshot
from settings import Settings

PROCESSES = 6
AT_ONCE_EACH = 4
DEALS = 60


@pytest.fixture(params=["sqlite", pytest.param("firestore", marks=pytest.mark.emulator)])
def store_env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    if request.param == "sqlite":
        yield {"CONSOLE_STORE": f"sqlite:///{tmp_path_factory.mktemp('busy') / 'firm.db'}"}
        return
    emulator = request.getfixturevalue("firestore_emulator")
    project = f"busy-{uuid.uuid4().hex[:10]}"
    yield {"CONSOLE_STORE": f"firestore://{project}", "FIRESTORE_EMULATOR_HOST": emulator.host}
    emulator.reset(project)


def test_sixty_deals_through_six_processes_are_all_allocated_and_none_overbooks(
    store_env: dict[str, str],
) -> None:
    with FakeHubSpotServer() as hubspot:
        env = {**store_env, "CONSOLE_DEMO": "0", "HUBSPOT_TOKEN": TOKEN,
               "HUBSPOT_API_BASE": hubspot.base_url}  # fmt: skip
        services = bootstrap.build_services(Settings.of(**env))
        services.store.replace_advisers(advisers(10))
        webhooks = [WebhookProcess(env) for _ in range(PROCESSES)]
        try:
            for webhook in webhooks:
                webhook.wait_until_healthy()
            deal_ids = [str(800_000 + n) for n in range(DEALS)]
            for deal_id in deal_ids:
                hubspot.add_deal(deal_id, service_package="Series A")

            def deliver(n: int) -> int:
                webhook = webhooks[n % PROCESSES]
                return webhook.post(workflow_body(deal_ids[n], "Series A")).status_code

            with ThreadPoolExecutor(PROCESSES * AT_ONCE_EACH) as pool:
                statuses = Counter(pool.map(deliver, range(DEALS)))
        finally:
            for webhook in webhooks:
                webhook.stop()
        written = Counter(r.deal_id for r in hubspot.requests("PATCH", status=200))

    assert statuses == {200: DEALS}  # none refused (no 503 after too many rivals)
    records = [services.store.get_allocation(d) for d in deal_ids]
    assert [r.status if r else None for r in records] == [ALLOCATED] * DEALS, {
        r.last_error for r in records if r
    }
    assert written == dict.fromkeys(deal_ids, 1)  # each deal written to HubSpot once
    snapshot, _ = load_snapshot(services.store, None, services.today())
    ledger = build_ledger(snapshot, services.today())
    assert int(ledger.pending_load.sum()) == DEALS
    assert (ledger.starts <= snapshot.rules.weekly_max_new).all(), "an adviser-week overbooked"
    assert (ledger.balance >= -1e-9).all(), "a booking pushed a ledger week below zero"
