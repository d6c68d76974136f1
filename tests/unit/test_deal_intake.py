"""Parsing what HubSpot sends into deals: both shapes, fallbacks, dates and precise errors."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocation import Deal
from services.deal_intake import (
    CrmBatch,
    DealFields,
    Delivery,
    WorkflowDelivery,
    deal_from_properties,
    parse_agreement_start,
    parse_delivery,
)
from services.errors import BadRequest


def workflow(**fields: Any) -> bytes:
    body = {
        "object": {"objectType": "DEAL", "objectId": "1234"},
        "fields": {
            "service_package": "Series A",
            "household_type": "Couple",
            "agreement_start_date": "1774310400000",
            "hs_deal_record_id": "1234",
            **fields,
        },
    }
    return json.dumps(body).encode()


def outcome(body: bytes) -> Delivery | BadRequest:
    """The parsed delivery, or the refusal (hypothesis tests look at either)."""
    try:
        return parse_delivery(body)
    except BadRequest as exc:
        return exc


def bad_request(body: bytes | str) -> str:
    raw = body.encode() if isinstance(body, str) else body
    with pytest.raises(BadRequest) as caught:
        parse_delivery(raw)
    return str(caught.value)


def test_workflow_delivery_becomes_a_complete_deal() -> None:
    delivery = parse_delivery(workflow())
    assert delivery == WorkflowDelivery(Deal("1234", "Series A", "Couple", dt.date(2026, 3, 24)))


def test_agreement_date_may_be_an_iso_date_or_epoch_milliseconds() -> None:
    assert parse_agreement_start("2026-03-24") == dt.date(2026, 3, 24)
    assert parse_agreement_start("1774310400000") == dt.date(2026, 3, 24)
    assert parse_agreement_start(1774310400000) == dt.date(2026, 3, 24)
    assert parse_agreement_start("2026-03-24T00:00:00Z") == dt.date(2026, 3, 24)


def test_blank_agreement_date_means_no_date() -> None:
    delivery = parse_delivery(workflow(agreement_start_date=""))
    assert isinstance(delivery, WorkflowDelivery)
    assert delivery.deal.agreement_start is None


def test_renewal_fields_fill_in_when_the_main_fields_are_blank() -> None:
    body = workflow(
        service_package=" ",
        household_type=None,
        renewal_service_package="Series B",
        renewal_household_type="Single",
    )
    delivery = parse_delivery(body)
    assert isinstance(delivery, WorkflowDelivery)
    assert (delivery.deal.service_package, delivery.deal.household_type) == ("Series B", "Single")


def test_main_fields_win_over_renewal_fields() -> None:
    delivery = parse_delivery(workflow(renewal_service_package="IPO"))
    assert isinstance(delivery, WorkflowDelivery)
    assert delivery.deal.service_package == "Series A"


def test_property_names_are_configurable() -> None:
    fields = DealFields(service_package="package", agreement_start="signed_on")
    deal = deal_from_properties("9", {"package": "Seed", "signed_on": "2026-05-01"}, fields)
    assert deal == Deal("9", "Seed", None, dt.date(2026, 5, 1))


def test_property_names_can_be_overridden_from_one_setting() -> None:
    fields = DealFields.parse(" service_package = package , agreement_start=signed_on ")
    assert fields == DealFields(service_package="package", agreement_start="signed_on")
    assert DealFields.parse(None) == DealFields()


def test_a_bad_property_override_names_the_pair() -> None:
    with pytest.raises(ValueError, match="'colour=blue'"):
        DealFields.parse("colour=blue")


def test_deal_id_may_come_from_the_record_id_field_alone() -> None:
    body = json.dumps({"fields": {"service_package": "Seed", "hs_deal_record_id": 77}}).encode()
    delivery = parse_delivery(body)
    assert isinstance(delivery, WorkflowDelivery)
    assert delivery.deal.id == "77"


def test_missing_package_names_both_fields() -> None:
    message = bad_request(workflow(service_package=""))
    assert "service package is missing" in message
    assert "renewal_service_package" in message


def test_unparseable_date_is_quoted_back() -> None:
    message = bad_request(workflow(agreement_start_date="next Tuesday"))
    assert "'next Tuesday'" in message
    assert "agreement_start_date" in message


def test_epoch_seconds_sent_as_milliseconds_are_refused() -> None:
    assert "seconds sent instead of milliseconds" in bad_request(
        workflow(agreement_start_date="1774310400")
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", "body is empty"),
        ("{not json", "not valid JSON"),
        ('"text"', "must be a JSON object"),
        ("{}", "'fields' object"),
        ('{"fields": []}', "'fields' must be a JSON object"),
        ('{"fields": {"service_package": "Seed"}}', "deal id is missing"),
        ('{"object": {"objectId": "12a"}, "fields": {}}', "numeric HubSpot deal id"),
        ('{"object": {"objectType": "CONTACT", "objectId": 1}, "fields": {}}', "must be DEAL"),
        ('{"object": {"objectId": 1}, "fields": {"hs_deal_record_id": 2}}', "different deals"),
        ('{"object": {"objectId": 1}, "fields": {"service_package": ["A"]}}', "must be text"),
        ("[]", "event array is empty"),
        ("[1]", "event 0 must be a JSON object"),
        ('[{"objectId": 1}]', "event 0 has no subscriptionType"),
        ('[{"subscriptionType": "deal.creation"}]', "event 0 (deal.creation) has no objectId"),
    ],
)
def test_malformed_bodies_are_refused_with_what_is_wrong(body: str, expected: str) -> None:
    assert expected in bad_request(body)


def test_non_utf8_body_is_refused() -> None:
    assert "not UTF-8" in bad_request(b"\xff\xfe{}")


def test_crm_batch_lists_created_deals_once_in_order_and_skips_other_events() -> None:
    events = [
        {"eventId": 1, "subscriptionType": "deal.creation", "objectId": 1234, "occurredAt": 1},
        {"eventId": 2, "subscriptionType": "deal.propertyChange", "objectId": 55},
        {"eventId": 3, "subscriptionType": "deal.creation", "objectId": "99"},
        {"eventId": 4, "subscriptionType": "deal.creation", "objectId": 1234},
    ]
    assert parse_delivery(json.dumps(events).encode()) == CrmBatch(("1234", "99"), 1)


def test_fields_read_from_hubspot_cover_every_fallback() -> None:
    assert DealFields().to_read() == [
        "service_package",
        "household_type",
        "agreement_start_date",
        "renewal_service_package",
        "renewal_household_type",
    ]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)


@given(json_values)
def test_any_json_either_parses_or_is_refused_as_a_bad_request(value: Any) -> None:
    result = outcome(json.dumps(value).encode())
    assert isinstance(result, WorkflowDelivery | CrmBatch) or str(result)


@given(st.binary(max_size=200))
def test_any_bytes_either_parse_or_are_refused_as_a_bad_request(body: bytes) -> None:
    result = outcome(body)
    assert isinstance(result, WorkflowDelivery | CrmBatch) or str(result)


@given(
    st.dictionaries(
        st.sampled_from(["service_package", "household_type", "agreement_start_date", "x"]),
        json_values,
    )
)
def test_any_fields_object_gives_a_deal_or_a_specific_error(fields: dict[str, Any]) -> None:
    body = json.dumps({"object": {"objectType": "DEAL", "objectId": 5}, "fields": fields})
    result = outcome(body.encode())
    if isinstance(result, BadRequest):
        assert re.search(r"deal 5|agreement_start_date|must be", str(result))
    else:
        assert isinstance(result, WorkflowDelivery)
        assert result.deal.service_package.strip()


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_date_reads_the_same_as_iso_and_as_hubspot_milliseconds(day: dt.date) -> None:
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    millis = str(int(midnight.timestamp() * 1000))
    assert parse_agreement_start(day.isoformat()) == parse_agreement_start(millis) == day
