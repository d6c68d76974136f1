"""The webhook's use cases on the in-memory fakes: answers, batches, replays that heal."""

from __future__ import annotations

import datetime as dt

from allocation import Deal
from services import Services
from services.deal_intake import CrmBatch, DealFields, RejectedEvent, WorkflowDelivery
from services.intake import CountingCrm, answer
from services.records import ALLOCATED, WRITEBACK_PENDING
from tests.builders import adviser
from tests.fake_ports import FakeCrm, RecordingNotifier
from tests.fakes import InMemoryStore

NOW = dt.datetime(2026, 3, 11, 1, 0, tzinfo=dt.UTC)


def firm(crm: FakeCrm | None = None, clock: list[dt.datetime] | None = None) -> Services:
    store = InMemoryStore()
    store.replace_advisers([adviser("dana"), adviser("eli")])
    now = clock if clock is not None else [NOW]
    return Services(store, RecordingNotifier(), crm, clock=lambda: now[0])


def deliver(services: Services, deal: Deal, crm: FakeCrm | None) -> dict[str, object]:
    reply = answer(WorkflowDelivery(deal), context=services.context, crm=crm, fields=DealFields())
    assert reply.verdict == "handled"
    body: dict[str, object] = reply.body
    return body


def test_a_delivered_deal_is_booked_written_back_and_costs_one_hubspot_call() -> None:
    crm = FakeCrm()
    services = firm(crm)
    reply = answer(
        WorkflowDelivery(Deal("1", "Series A")),
        context=services.context,
        crm=crm,
        fields=DealFields(),
    )
    assert reply.body["status"] == ALLOCATED
    assert reply.hubspot_calls == 1
    assert crm.writes == [("1", reply.body["adviser_id"], "advisor")]


def test_a_replay_of_a_failed_write_back_tries_again_once_its_retry_is_due() -> None:
    crm, clock = FakeCrm(), [NOW]
    crm.fail_next(99)
    services = firm(crm, clock)
    first = deliver(services, Deal("1", "Series A"), crm)
    assert first["status"] == WRITEBACK_PENDING
    crm.fail_next(0)
    assert deliver(services, Deal("1", "Series A"), crm) == {**first, "replay": True}
    assert crm.writes == []  # backing off: a replay right away does not hammer HubSpot
    clock[0] = NOW + dt.timedelta(minutes=2)
    again = deliver(services, Deal("1", "Series A"), crm)
    assert again == {**first, "status": ALLOCATED, "replay": True}
    assert len(crm.writes) == 1


def test_an_unknown_package_is_a_400_and_nothing_is_recorded() -> None:
    services = firm()
    reply = answer(
        WorkflowDelivery(Deal("1", "Series Z")),
        context=services.context,
        crm=None,
        fields=DealFields(),
    )
    assert reply.verdict == "refused"
    assert "unknown service package 'Series Z'" in reply.body["error"]
    assert services.history.allocation("1") is None


def test_a_batch_reads_new_deals_and_reports_each_deal_it_could_not_handle() -> None:
    crm = FakeCrm(deals={"1": {"service_package": "Series A"}, "2": {"service_package": ""}})
    services = firm(crm)
    reply = answer(CrmBatch(("1", "2")), context=services.context, crm=crm, fields=DealFields())
    assert reply.verdict == "handled"
    assert reply.body[0]["status"] == ALLOCATED
    assert "service package is missing" in reply.body[1]["error"]
    assert reply.hubspot_calls == 3  # two reads, one write-back


def test_a_batch_without_a_hubspot_token_asks_to_be_resent() -> None:
    reply = answer(CrmBatch(("1",)), context=firm().context, crm=None, fields=DealFields())
    assert reply.verdict == "later"
    assert "HUBSPOT_TOKEN" in reply.body["error"]


BAD_ID = RejectedEvent(0, "event 0 objectId must be a numeric HubSpot deal id, got '12a'")


def test_a_batch_answers_its_good_deals_and_reports_each_refused_event() -> None:
    crm = FakeCrm(deals={"1": {"service_package": "Series A"}})
    services = firm(crm)
    batch = CrmBatch(("1",), rejected=(BAD_ID,))
    reply = answer(batch, context=services.context, crm=crm, fields=DealFields())
    assert reply.verdict == "handled"
    assert reply.body[0]["status"] == ALLOCATED
    assert reply.body[1] == {"event": 0, "error": BAD_ID.reason}
    assert reply.rejected == (BAD_ID,)  # kept for whoever stores refused deliveries
    assert reply.log_fields()["rejected_events"] == [{"event": 0, "error": BAD_ID.reason}]


def test_a_batch_of_nothing_but_refused_events_is_a_400_naming_each() -> None:
    crm = FakeCrm()
    other = RejectedEvent(2, "event 2 has no subscriptionType")
    reply = answer(
        CrmBatch((), rejected=(BAD_ID, other)),
        context=firm(crm).context,
        crm=crm,
        fields=DealFields(),
    )
    assert reply.verdict == "refused"
    assert reply.body["error"] == f"{BAD_ID.reason}; {other.reason}"
    assert reply.body["results"] == [BAD_ID.to_json(), other.to_json()]
    assert reply.hubspot_calls == 0


def test_refused_events_beside_a_deal_hubspot_cannot_read_keep_the_batch_a_400() -> None:
    crm = FakeCrm(deals={})
    reply = answer(
        CrmBatch(("5",), rejected=(BAD_ID,)),
        context=firm(crm).context,
        crm=crm,
        fields=DealFields(),
    )
    assert reply.verdict == "refused"
    assert [sorted(item) for item in reply.body["results"]] == [
        ["deal_id", "error"],
        ["error", "event"],
    ]


def test_a_batch_of_other_subscription_types_needs_no_hubspot_token() -> None:
    reply = answer(
        CrmBatch((), ignored_events=3), context=firm().context, crm=None, fields=DealFields()
    )
    assert (reply.verdict, reply.body) == ("handled", [])


def test_counting_crm_counts_every_call_it_passes_on() -> None:
    counting = CountingCrm(FakeCrm(deals={"1": {"a": "b"}}))
    counting.read_deal("1", ["a"])
    counting.write_adviser("1", "dana", "advisor")
    assert counting.calls == 2
