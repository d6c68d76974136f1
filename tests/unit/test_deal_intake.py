"""Parsing what HubSpot sends into deals: both shapes, fallbacks, dates and precise errors."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocation import Deal
from services.deal_intake import (
    MAX_TEXT_CHARACTERS,
    CrmBatch,
    DealFields,
    Delivery,
    RejectedEvent,
    WorkflowDelivery,
    agreement_window,
    canonical_deal_id,
    deal_from_properties,
    parse_agreement_start,
    parse_delivery,
)
from services.errors import BadRequest
from tests.hostile_input import (
    TODAY,
    assert_storable,
    bodies,
    deal_fields,
    likely_workflows,
    storable,
    with_known_bad_bodies,
)


def parse(body: bytes | str, today: dt.date = TODAY) -> Delivery:
    return parse_delivery(body.encode() if isinstance(body, str) else body, today=today)


def start(value: Any, today: dt.date = TODAY) -> dt.date | None:
    return parse_agreement_start(value, today=today)


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
        return parse(body)
    except BadRequest as exc:
        return exc


def bad_request(body: bytes | str) -> str:
    raw = body.encode() if isinstance(body, str) else body
    with pytest.raises(BadRequest) as caught:
        parse(raw)
    return str(caught.value)


def test_workflow_delivery_becomes_a_complete_deal() -> None:
    delivery = parse(workflow())
    assert delivery == WorkflowDelivery(Deal("1234", "Series A", "Couple", dt.date(2026, 3, 24)))


def test_agreement_date_may_be_an_iso_date_or_epoch_milliseconds() -> None:
    assert start("2026-03-24") == dt.date(2026, 3, 24)
    assert start("1774310400000") == dt.date(2026, 3, 24)
    assert start(1774310400000) == dt.date(2026, 3, 24)
    assert start("2026-03-24T00:00:00Z") == dt.date(2026, 3, 24)


def test_blank_agreement_date_means_no_date() -> None:
    delivery = parse(workflow(agreement_start_date=""))
    assert isinstance(delivery, WorkflowDelivery)
    assert delivery.deal.agreement_start is None


def test_renewal_fields_fill_in_when_the_main_fields_are_blank() -> None:
    body = workflow(
        service_package=" ",
        household_type=None,
        renewal_service_package="Series B",
        renewal_household_type="Single",
    )
    delivery = parse(body)
    assert isinstance(delivery, WorkflowDelivery)
    assert (delivery.deal.service_package, delivery.deal.household_type) == ("Series B", "Single")


def test_main_fields_win_over_renewal_fields() -> None:
    delivery = parse(workflow(renewal_service_package="IPO"))
    assert isinstance(delivery, WorkflowDelivery)
    assert delivery.deal.service_package == "Series A"


def test_property_names_are_configurable() -> None:
    fields = DealFields(service_package="package", agreement_start="signed_on")
    deal = deal_from_properties(
        "9", {"package": "Seed", "signed_on": "2026-05-01"}, fields, today=TODAY
    )
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
    delivery = parse(body)
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
    assert parse(json.dumps(events)) == CrmBatch(("1234", "99"), 1)


def test_fields_read_from_hubspot_cover_every_fallback() -> None:
    assert DealFields().to_read() == [
        "service_package",
        "household_type",
        "agreement_start_date",
        "renewal_service_package",
        "renewal_household_type",
    ]


# --- one deal, one id (issue 10, item 8) ---------------------------------------------------


@pytest.mark.parametrize("spelling", ["123", "0123", " 00123 ", "\t123\n", 123])
def test_every_spelling_of_a_deal_id_is_the_same_canonical_id(spelling: Any) -> None:
    assert canonical_deal_id(spelling) == "123"
    body = json.dumps({"object": {"objectId": spelling}, "fields": {"service_package": "Seed"}})
    delivery = parse(body)
    assert isinstance(delivery, WorkflowDelivery)
    assert delivery.deal.id == "123"


def test_object_id_and_record_id_spelled_differently_name_the_same_deal() -> None:
    delivery = parse(workflow(hs_deal_record_id="001234"))
    assert isinstance(delivery, WorkflowDelivery)
    assert delivery.deal.id == "1234"


def test_a_batch_naming_one_deal_three_ways_reads_it_once() -> None:
    events = [
        {"subscriptionType": "deal.creation", "objectId": spelling}
        for spelling in ("123", 123, " 00123 ")
    ]
    assert parse(json.dumps(events)) == CrmBatch(("123",))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", "'0' is not a HubSpot deal id (ids start at 1)"),
        ("000", "'000' is not a HubSpot deal id (ids start at 1)"),
        (0, "0 is not a HubSpot deal id (ids start at 1)"),
        (-5, "-5 is not a HubSpot deal id"),
        ("-5", "must be a numeric HubSpot deal id (digits), got '-5'"),
        ("12a", "got '12a'"),
        ("1 2", "got '1 2'"),
        ("１２３", "got '１２３'"),  # full-width digits are not HubSpot's
        ("123.0", "got '123.0'"),
        (123.0, "not the decimal number 123.0"),
        (1e300, "not the decimal number 1e+300"),
        ("9" * 21, "too long for a HubSpot deal id (at most 20 digits)"),
        (10**20, "too long for a HubSpot deal id"),
        (True, "must be a HubSpot deal id, not true/false"),
        ([1], "must be a HubSpot deal id, not an array"),
    ],
)
def test_anything_but_a_positive_whole_number_is_refused_as_a_deal_id(
    value: Any, expected: str
) -> None:
    with pytest.raises(BadRequest, match=r"^object\.objectId") as caught:
        canonical_deal_id(value, "object.objectId")
    assert expected in str(caught.value)


def test_a_decimal_object_id_in_a_workflow_is_refused() -> None:
    body = '{"object": {"objectId": 123.0}, "fields": {"service_package": "Seed"}}'
    assert "object.objectId must be a whole-number HubSpot deal id" in bad_request(body)


def test_leading_zeros_are_kept_off_a_twenty_digit_id() -> None:
    assert canonical_deal_id("000" + "9" * 20) == "9" * 20


# --- batches: at most 100 events, each bad event on its own (items 7 and 9) -----------------


def creations(count: int) -> str:
    return json.dumps(
        [{"subscriptionType": "deal.creation", "objectId": 1000 + i} for i in range(count)]
    )


def test_a_batch_of_a_hundred_events_is_accepted() -> None:
    batch = parse(creations(100))
    assert isinstance(batch, CrmBatch)
    assert len(batch.deal_ids) == 100


def test_a_batch_over_a_hundred_events_is_refused_whole() -> None:
    message = bad_request(creations(101))
    assert "101 events" in message
    assert "at most 100" in message


def test_bad_events_are_reported_one_by_one_and_good_ones_kept() -> None:
    events = [
        1,
        {"objectId": 5},
        {"subscriptionType": "deal.creation", "objectId": "0042"},
        {"subscriptionType": "deal.creation"},
        {"subscriptionType": "deal.creation", "objectId": "12a", "eventId": 9},
        {"subscriptionType": "deal.propertyChange", "objectId": "x"},
        {"subscriptionType": "deal.creation", "objectId": 0},
        {"subscriptionType": "deal.creation", "objectId": 77},
    ]
    batch = parse(json.dumps(events))
    assert isinstance(batch, CrmBatch)
    assert batch.deal_ids == ("42", "77")
    assert batch.ignored_events == 1
    reasons = {r.index: r.reason for r in batch.rejected}
    assert reasons == {
        0: "event 0 must be a JSON object, not a number",
        1: "event 1 has no subscriptionType",
        3: "event 3 (deal.creation) has no objectId",
        4: "event 4 objectId must be a numeric HubSpot deal id (digits), got '12a'",
        6: "event 6 objectId 0 is not a HubSpot deal id (ids start at 1)",
    }
    assert batch.rejected[3].to_json() == {"event": 4, "error": reasons[4]}


def test_a_rejected_event_keeps_a_short_printable_excerpt() -> None:
    hostile = "\u202e" + "x" * 500 + "\ud800\x00"
    events = [{"subscriptionType": "deal.creation", "objectId": hostile, "n": [1], "big": 10**99}]
    [rejected] = parse(json.dumps(events)).rejected  # type: ignore[union-attr]
    excerpt = dict(rejected.excerpt)
    assert excerpt["subscriptionType"] == "'deal.creation'"
    assert excerpt["objectId"].startswith("'\\u202exxx")
    assert len(excerpt["objectId"]) < 80
    assert excerpt["n"] == "an array"
    assert excerpt["big"] == "1" + "0" * 59 + "…"
    assert all(storable(text) for pair in rejected.excerpt for text in pair)
    assert storable(rejected.reason)


def test_a_batch_where_every_event_is_bad_is_still_a_batch_of_rejections() -> None:
    batch = parse('[{"subscriptionType": "deal.creation", "objectId": "abc"}]')
    assert batch == CrmBatch(
        (),
        0,
        (
            RejectedEvent(
                0,
                "event 0 objectId must be a numeric HubSpot deal id (digits), got 'abc'",
                (("subscriptionType", "'deal.creation'"), ("objectId", "'abc'")),
            ),
        ),
    )


# --- bad input that used to escape as a 5xx (item 9) ---------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{"x": ' + "9" * 4301 + "}", "an integer of 4301 digits; at most 4300"),
        ('[{"subscriptionType": "deal.creation", "objectId": ' + "1" * 5000 + "}]", "5000 digits"),
        ('{"x": -' + "9" * 4301 + "}", "4301 digits"),
        ('{"fields": {"service_package": 1e999}}', "the number '1e999', too large to read"),
        ('{"fields": {"service_package": -1e999}}', "too large to read"),
        ('{"fields": {"service_package": NaN}}', "holds NaN, which is not JSON"),
        ('{"fields": {"agreement_start_date": Infinity}}', "holds Infinity"),
        ('[{"objectId": -Infinity}]', "holds -Infinity"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_numbers_python_cannot_read_are_a_bad_request(body: str, expected: str) -> None:
    assert expected in bad_request(body)


@pytest.mark.parametrize(("sent", "shown"), [('[["DEAL"]]', "an array"), ("7", "7")])
def test_an_object_type_that_is_not_text_is_named_by_its_kind(sent: str, shown: str) -> None:
    body = '{"object": {"objectType": ' + sent + ', "objectId": 1}, "fields": {}}'
    assert bad_request(body) == f"object.objectType must be DEAL, got {shown}"


def test_a_long_but_readable_integer_outside_the_deal_is_ignored() -> None:
    body = json.loads(workflow())
    body["note"] = int("9" * 4300)
    assert isinstance(parse(json.dumps(body)), WorkflowDelivery)


@pytest.mark.parametrize("field", ["service_package", "household_type", "renewal_household_type"])
def test_a_lone_surrogate_in_text_is_refused_naming_the_field(field: str) -> None:
    body = workflow(**{"household_type": None, field: "Series \ud800A"})
    message = bad_request(body)
    assert message.startswith(f"{field} holds a broken character")
    assert "\\ud800" in message
    assert storable(message)


def test_an_escaped_surrogate_pair_is_an_ordinary_character() -> None:
    delivery = parse(workflow(household_type="Couple \U0001f600"))
    assert isinstance(delivery, WorkflowDelivery)
    assert delivery.deal.household_type == "Couple \U0001f600"


# --- text bounds: length, controls, bidi overrides (item 9) --------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("  Series A\n", "Series A"),
        ("Series\x00 A", "Series A"),
        ("Series\tA", "Series A"),
        ("\u202eSeries A\u202c", "Series A"),
        ("Se\u200bries\u2066 A\u2069\u200f", "Series A"),
        ("\ufeffSeries\x85A\x9b", "Series A"),
        ("Séries Â", "Séries Â"),
    ],
)
def test_text_loses_controls_and_invisible_bidi_characters(sent: str, kept: str) -> None:
    delivery = parse(workflow(service_package=sent, household_type=sent))
    assert isinstance(delivery, WorkflowDelivery)
    assert delivery.deal.service_package == kept
    assert delivery.deal.household_type == kept


@pytest.mark.parametrize("sent", ["\x00", "\u202e\u202c", "\x00\x01 \u200f"])
def test_text_of_nothing_but_control_characters_is_refused(sent: str) -> None:
    message = bad_request(workflow(household_type=sent))
    assert message.startswith("household_type holds only control or invisible characters")
    assert storable(message)


def test_text_up_to_the_limit_is_kept_and_longer_text_is_refused_naming_the_limit() -> None:
    at_limit = "A" * MAX_TEXT_CHARACTERS
    delivery = parse(workflow(household_type=at_limit))
    assert isinstance(delivery, WorkflowDelivery)
    assert delivery.deal.household_type == at_limit
    message = bad_request(workflow(household_type="A" * (MAX_TEXT_CHARACTERS + 1)))
    assert message.startswith(
        f"household_type is {MAX_TEXT_CHARACTERS + 1} characters long; "
        f"at most {MAX_TEXT_CHARACTERS} are accepted"
    )
    assert "60000 characters" in bad_request(workflow(service_package="x" * 60_000))


def test_a_number_sent_as_text_is_kept_whole_or_refused_when_too_long() -> None:
    delivery = parse(workflow(household_type=10**150))
    assert isinstance(delivery, WorkflowDelivery)
    assert delivery.deal.household_type == "1" + "0" * 150
    message = bad_request(workflow(household_type=10**4000))
    assert message.startswith("household_type is a number of more than 200 digits")


def test_text_read_from_hubspot_is_cleaned_and_bounded_the_same_way() -> None:
    deal = deal_from_properties("0042", {"service_package": "\u202eSeed\x00"}, today=TODAY)
    assert deal == Deal("42", "Seed")
    with pytest.raises(BadRequest, match="household_type is 201 characters"):
        deal_from_properties(
            "42", {"service_package": "Seed", "household_type": "x" * 201}, today=TODAY
        )


# --- agreement dates near today (item 9) ---------------------------------------------------


@pytest.mark.parametrize("sent", ["9999-12-31", "0001-01-01", "2031-03-12", "2021-03-10"])
def test_agreement_dates_more_than_five_years_from_today_are_refused(sent: str) -> None:
    message = bad_request(workflow(agreement_start_date=sent))
    assert message == (
        f"agreement_start_date '{sent}' is outside the accepted range 11 Mar 2021 to "
        "11 Mar 2031 (within 5 years of today, 11 Mar 2026)"
    )


def test_agreement_dates_on_the_edges_of_the_window_are_accepted() -> None:
    assert start("2021-03-11") == dt.date(2021, 3, 11)
    assert start("2031-03-11T23:59:59+10:00") == dt.date(2031, 3, 11)


def test_far_epoch_milliseconds_are_refused_with_the_date_they_mean() -> None:
    millis = str(int(dt.datetime(2040, 1, 1, tzinfo=dt.UTC).timestamp() * 1000))
    message = bad_request(workflow(agreement_start_date=millis))
    assert "is 1 Jan 2040 as epoch milliseconds, outside the accepted range 11 Mar 2021" in message
    assert "seconds sent" not in message
    assert "not a usable timestamp" in bad_request(workflow(agreement_start_date="9" * 400))


def test_the_window_moves_with_the_today_it_is_given() -> None:
    assert start("2033-01-01", today=dt.date(2030, 1, 1)) == dt.date(2033, 1, 1)
    assert agreement_window(dt.date(2024, 2, 29)) == (dt.date(2019, 2, 28), dt.date(2029, 2, 28))


@given(st.dates(min_value=dt.date(2021, 3, 11), max_value=dt.date(2031, 3, 11)))
def test_a_date_reads_the_same_as_iso_and_as_hubspot_milliseconds(day: dt.date) -> None:
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    millis = str(int(midnight.timestamp() * 1000))
    assert start(day.isoformat()) == start(millis) == day


# --- whatever arrives: a storable typed delivery, or a BadRequest ---------------------------


@settings(max_examples=500, deadline=None)
@with_known_bad_bodies
@given(body=bodies | likely_workflows)
def test_any_body_gives_a_storable_delivery_or_a_bad_request(body: bytes) -> None:
    result = outcome(body)
    if isinstance(result, BadRequest):
        assert str(result)
        assert storable(str(result))
    else:
        assert_storable(result)


@settings(max_examples=300, deadline=None)
@given(deal_fields)
def test_any_fields_object_gives_a_storable_deal_or_a_specific_error(
    fields: dict[str, Any],
) -> None:
    body = {"object": {"objectType": "DEAL", "objectId": 5}, "fields": fields}
    result = outcome(json.dumps(body).encode())
    if isinstance(result, BadRequest):
        assert re.search(
            r"^(the body holds|deal 5:|fields\.hs_deal_record_id|object\.objectId"
            r"|agreement_start_date|(renewal_)?(service_package|household_type)) ",
            str(result),
        )
    else:
        assert_storable(result)
        assert isinstance(result, WorkflowDelivery)
        assert result.deal.id == "5"
