"""The HubSpot client against a faithful in-memory HubSpot (see fake_hubspot.py)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import responses

from integrations.hubspot import HubSpotClient
from services.errors import MalformedReply, Unauthorized, UpstreamUnavailable
from tests.integration.fake_hubspot import BASE, TOKEN, FakeHubSpot

D = dt.date.fromisoformat
TODAY = D("2026-03-11")


class Clock:
    """A monotonic clock that moves only when the client sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def hubspot():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeHubSpot(mock)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(clock: Clock) -> HubSpotClient:
    return HubSpotClient(
        TOKEN,
        api_base=BASE,
        pipeline="onboarding",
        stages=("signed", "welcome"),
        sleep=clock.sleep,
        clock=clock,
        today=lambda: TODAY,
    )


def test_advisers_come_from_every_page_of_users_with_the_firms_properties(hubspot, client):
    for n in range(230):
        hubspot.add_user(str(900 + n), hubspot_owner_id=str(n), hs_email=f"a{n}@firm.test")
    hubspot.add_user(
        "7",
        hubspot_owner_id="5001",
        hs_email="Dana.Lee@Firm.test",
        hs_given_name="Dana",
        hs_family_name="Lee",
        taking_on_clients="TRUE",
        client_types="Seed; Series A/Series B|IPO",
        household_type="Single, Couple",
        pod_type="Solo Adviser",
        adviser_start_date="2026-03-02",
    )
    hubspot.add_user("8", hs_email="admin@firm.test", taking_on_clients="True")

    advisers = {a.id: a for a in client.fetch_advisers()}

    assert len(advisers) == 231
    dana = advisers["5001"]
    assert dana.name == "Dana Lee"
    assert dana.email == "dana.lee@firm.test"
    assert dana.taking_on_clients is True
    assert dana.service_packages == {"Seed", "Series A", "Series B", "IPO"}
    assert dana.household_types == {"Single", "Couple"}
    assert dana.pod_type == "Solo Adviser"
    assert dana.start_date == D("2026-03-02")
    assert advisers["0"].taking_on_clients is False
    assert client.warnings == ["user 8 has no owner id; skipped"]


def test_taking_on_clients_is_read_case_insensitively(hubspot, client):
    hubspot.add_user("1", hubspot_owner_id="11", taking_on_clients="false")
    hubspot.add_user("2", hubspot_owner_id="12", taking_on_clients="tRuE")

    flags = {a.id: a.taking_on_clients for a in client.fetch_advisers()}

    assert flags == {"11": False, "12": True}


def test_meetings_are_clarify_and_kickoff_in_the_range_with_owner_and_deal(hubspot, client):
    hubspot.add_meeting("m1", "Clarify", "2026-03-02T23:00:00Z", "5001", deal="70")
    hubspot.add_meeting("m2", "Kick Off", "2026-03-09T01:30:00.000Z", "5002", deal=["91", "80"])
    hubspot.add_meeting("m3", "Review", "2026-03-03T00:00:00Z", "5001")
    hubspot.add_meeting("m4", "Clarify", "2026-04-01T00:00:00Z", "5001")  # the end is exclusive
    hubspot.add_meeting("m5", "Clarify", "2026-02-28T23:59:59Z", "5001")
    hubspot.add_meeting("m6", "Clarify", "2026-03-04T00:00:00Z", None)

    meetings = {m.id: m for m in client.fetch_meetings(D("2026-03-01"), D("2026-04-01"))}

    assert set(meetings) == {"m1", "m2"}
    assert meetings["m1"].kind == "clarify"
    assert meetings["m1"].adviser_id == "5001"
    assert meetings["m1"].deal_id == "70"
    assert meetings["m1"].start == dt.datetime(2026, 3, 2, 23, tzinfo=dt.UTC)
    assert meetings["m2"].kind == "kickoff"
    assert meetings["m2"].deal_id == "80"
    assert client.warnings == ["meeting m6 lacks owner, type or start"]
    assert all(search["limit"] == 200 for search in hubspot.searches)


def test_a_range_matching_more_than_10000_meetings_is_split_until_every_one_is_read(
    hubspot, client
):
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for n in range(12_500):
        when = (start + dt.timedelta(minutes=40 * n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        hubspot.add_meeting(f"m{n}", "Clarify", when, str(n % 300))

    meetings = client.fetch_meetings(D("2026-01-01"), D("2027-01-01"))

    assert len(meetings) == 12_500
    assert len({m.id for m in meetings}) == 12_500
    assert all(int(s.get("after", 0)) + s["limit"] <= 10_000 for s in hubspot.searches)


def test_search_calls_are_spaced_to_respect_the_search_rate_limit(hubspot, client, clock):
    for n in range(450):
        hubspot.add_meeting(f"m{n}", "Clarify", "2026-03-02T00:00:00Z", "1")

    client.fetch_meetings(D("2026-03-01"), D("2026-03-31"))

    assert len(hubspot.searches) == 3
    assert clock.sleeps == [0.25, 0.25]


def test_a_rate_limited_search_waits_for_retry_after_then_carries_on(hubspot, client, clock):
    hubspot.add_meeting("m1", "Clarify", "2026-03-02T00:00:00Z", "1")
    hubspot.fail_next.append((429, {"Retry-After": "3"}, json.dumps({"category": "RATE_LIMITS"})))

    meetings = client.fetch_meetings(D("2026-03-01"), D("2026-03-31"))

    assert [m.id for m in meetings] == ["m1"]
    assert 3.0 in clock.sleeps


def test_a_burst_of_server_errors_on_users_is_retried(hubspot, client):
    hubspot.add_user("1", hubspot_owner_id="11")
    hubspot.fail_next.extend([(502, {}, ""), (503, {}, ""), (500, {}, "")])

    assert [a.id for a in client.fetch_advisers()] == ["11"]


def test_hubspot_down_for_good_is_reported_as_unavailable(hubspot, client):
    hubspot.fail_next.extend([(503, {}, "")] * 5)

    with pytest.raises(UpstreamUnavailable, match=r"HubSpot.*HTTP 503"):
        client.fetch_advisers()


def test_a_search_reply_without_results_is_malformed(hubspot, client):
    hubspot.fail_next.append((200, {"Content-Type": "application/json"}, '{"total": 3}'))

    with pytest.raises(MalformedReply, match="meetings search"):
        client.fetch_meetings(D("2026-03-01"), D("2026-03-31"))


def test_a_wrong_token_is_refused_as_unauthorized(hubspot, clock):
    client = HubSpotClient("wrong", api_base=BASE, sleep=clock.sleep, clock=clock)

    with pytest.raises(Unauthorized, match="HTTP 401"):
        client.fetch_advisers()


def test_open_deals_are_onboarding_deals_in_the_stages_with_no_clarify(hubspot, client):
    base = {"pipeline": "onboarding", "dealstage": "signed", "createdate": "2026-02-01T03:00:00Z"}
    named = {"advisor": "5001", "advisor_email": "Dana@Firm.test"}
    hubspot.add_deal("1", **base, **named, agreement_start_date="2026-03-16")
    hubspot.add_deal("2", **{**base, "dealstage": "welcome"}, hubspot_owner_id="5002")
    hubspot.add_deal("3", **base, most_recent_clarify_booked_date="2026-02-10")
    hubspot.add_deal("4", **base, most_recent_clarify_call_date="2026-02-11")
    hubspot.add_deal("5", **{**base, "dealstage": "closedwon"})
    hubspot.add_deal("6", **{**base, "pipeline": "default"})

    deals = {d.deal_id: d for d in client.fetch_open_deals()}

    assert set(deals) == {"1", "2"}
    assert deals["1"].adviser_id == "5001"
    assert deals["1"].adviser_email == "dana@firm.test"
    assert deals["1"].agreement_start == D("2026-03-16")
    assert deals["1"].created == D("2026-02-01")
    assert deals["2"].adviser_id == "5002"
    assert deals["2"].agreement_start is None


def test_open_deals_read_the_agreement_start_as_the_webhook_does(hubspot, client):
    base = {"pipeline": "onboarding", "dealstage": "signed", "createdate": "2026-02-01T03:00:00Z"}
    hubspot.add_deal("1", **base, agreement_start_date="1773619200000")  # epoch ms
    hubspot.add_deal("2", **base, agreement_start_date="2026-03-16T00:00:00Z")
    hubspot.add_deal("3", **base, agreement_start_date="2026-02-30")
    hubspot.add_deal("4", **base, agreement_start_date="1773619200")  # seconds, not ms
    hubspot.add_deal("5", **base, agreement_start_date="2062-03-16")

    deals = {d.deal_id: d for d in client.fetch_open_deals()}

    assert deals["1"].agreement_start == D("2026-03-16")
    assert deals["2"].agreement_start == D("2026-03-16")
    assert [deals[i].agreement_start for i in "345"] == [None, None, None]
    assert deals["3"].created == D("2026-02-01")
    assert client.warnings == [
        "deal 3: agreement_start_date '2026-02-30' is neither epoch milliseconds nor an ISO "
        "date (YYYY-MM-DD); counted by its creation date",
        "deal 4: agreement_start_date '1773619200' is 21 Jan 1970 as epoch milliseconds, "
        "outside the accepted range 11 Mar 2021 to 11 Mar 2031 (within 5 years of today, "
        "11 Mar 2026) (seconds sent instead of milliseconds?); counted by its creation date",
        "deal 5: agreement_start_date '2062-03-16' is outside the accepted range 11 Mar 2021 "
        "to 11 Mar 2031 (within 5 years of today, 11 Mar 2026); counted by its creation date",
    ]


def test_read_deal_returns_exactly_the_properties_asked_for(hubspot, client):
    hubspot.add_deal("42", service_package="Series A", household_type="Couple")

    deal = client.read_deal("42", ["service_package", "household_type", "agreement_start_date"])

    assert deal == {
        "service_package": "Series A",
        "household_type": "Couple",
        "agreement_start_date": None,
    }


def test_a_deals_contact_emails_come_in_contact_order_and_contacts_without_one_are_passed(
    hubspot, client
):
    hubspot.add_deal("42")
    hubspot.add_contact("1002", "42", email="lee@example.com")
    hubspot.add_contact("998", "42", email=" kim@example.com ")
    hubspot.add_contact("1003", "42")  # the accountant: no email
    hubspot.add_deal("43")

    assert client.contact_emails("42") == ["kim@example.com", "lee@example.com"]
    assert client.contact_emails("43") == []  # no contacts: nothing, not an error


def test_a_malformed_contacts_reply_is_said_not_read_as_no_emails(hubspot, client):
    hubspot.add_deal("42")
    hubspot.add_contact("998", "42", email="kim@example.com")
    hubspot.fail_next.append((200, {}, json.dumps({"status": "COMPLETE"})))
    with pytest.raises(MalformedReply, match="deal contacts reply has no results list"):
        client.contact_emails("42")
    hubspot.fail_next.append(
        (200, {}, json.dumps({"status": "COMPLETE", "results": [{"from": 1}]}))
    )
    with pytest.raises(MalformedReply, match="unexpected row"):
        client.contact_emails("42")


def test_writing_the_adviser_patches_the_configured_deal_property(hubspot, client):
    hubspot.add_deal("42")

    client.write_adviser("42", "5001", "advisor")
    client.write_adviser("42", "5001", "hubspot_owner_id")

    assert hubspot.patches == [("42", {"advisor": "5001"}), ("42", {"hubspot_owner_id": "5001"})]


def test_a_tight_budget_gives_up_after_its_attempts_and_caps_each_wait(hubspot, clock):
    client = HubSpotClient(
        TOKEN, api_base=BASE, attempts=2, timeout=(1.0, 3.0), max_wait=3.0,
        sleep=clock.sleep, clock=clock,
    )  # fmt: skip
    hubspot.fail_next.extend([(429, {"Retry-After": "60"}, "")] * 2)

    with pytest.raises(UpstreamUnavailable, match="failed 2 times"):
        client.read_deal("42", ["dealname"])
    assert clock.sleeps == [3.0]
