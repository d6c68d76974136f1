"""Hypothesis strategies for hostile deal deliveries (huge numbers, lone surrogates, control and
bidi characters, deep nesting, junk bytes) and what the parser promises about any delivery it
accepts: everything in it can be stored and shown as it is."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from typing import Any

from hypothesis import example
from hypothesis import strategies as st

from services.deal_intake import (
    MAX_TEXT_CHARACTERS,
    CrmBatch,
    Delivery,
    WorkflowDelivery,
    agreement_window,
)

TODAY = dt.date(2026, 3, 11)  # the firm's today the strategies' in-window dates assume

_CANONICAL_ID = re.compile(r"[1-9][0-9]{0,19}")
_INVISIBLE = set(
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)


def storable(text: str) -> bool:
    """Text any store keeps and any person reads as shown: no lone surrogate, no control or
    invisible bidi character."""
    return not any(
        "\ud800" <= ch <= "\udfff" or unicodedata.category(ch) == "Cc" or ch in _INVISIBLE
        for ch in text
    )


def assert_storable(delivery: Delivery, today: dt.date = TODAY) -> None:
    """What the parser promises about everything it accepts."""
    if isinstance(delivery, WorkflowDelivery):
        deal = delivery.deal
        assert _CANONICAL_ID.fullmatch(deal.id)
        for text in (deal.service_package, deal.household_type):
            assert text is None or (
                text == text.strip() and 0 < len(text) <= MAX_TEXT_CHARACTERS and storable(text)
            )
        assert deal.service_package
        earliest, latest = agreement_window(today)
        assert deal.agreement_start is None or earliest <= deal.agreement_start <= latest
        return
    assert isinstance(delivery, CrmBatch)
    assert all(_CANONICAL_ID.fullmatch(d) for d in delivery.deal_ids)
    assert len(set(delivery.deal_ids)) == len(delivery.deal_ids)
    total = len(delivery.deal_ids) + delivery.ignored_events + len(delivery.rejected)
    assert 0 < total <= 100
    indices = [r.index for r in delivery.rejected]
    assert indices == sorted(set(indices))
    for rejected in delivery.rejected:
        assert rejected.reason.startswith(f"event {rejected.index}")
        assert all(storable(text) for pair in rejected.excerpt for text in pair)
        assert storable(rejected.reason)


# Characters that broke or could break storage and display, mixed into ordinary text.
NASTY = (
    "\x00\x01\x1f\x7f\x85\x9b\t\n\r"
    "\u202a\u202e\u2066\u2069\u200e\u200f\u200b\ufeff\ud800\udfff\uffff"
)
hostile_text = (
    st.text(alphabet=st.sampled_from(NASTY) | st.characters(exclude_categories=()), max_size=30)
    | st.sampled_from(["Series A", "Seed", "Couple", " 00123 ", "", "   "])
    | st.text(min_size=190, max_size=260)
)
hostile_ids = (
    st.integers(min_value=-5, max_value=10**21)
    | st.tuples(st.integers(1, 10**19), st.integers(0, 3), st.sampled_from(["", " ", "\t"])).map(
        lambda t: f"{t[2]}{'0' * t[1]}{t[0]}{t[2]}"  # leading zeros, surrounding spaces
    )
    | st.sampled_from(["0", "000", "0123", " 00123 ", "12a", "", 123.0, 1e300, True, None])
    | hostile_text
)
in_window = st.dates(min_value=dt.date(2021, 3, 11), max_value=dt.date(2031, 3, 11))
hostile_dates = (
    st.none()
    | in_window.map(dt.date.isoformat)
    | in_window.map(lambda d: int(dt.datetime.combine(d, dt.time(), dt.UTC).timestamp() * 1000))
    | st.dates().map(dt.date.isoformat)
    | st.integers(min_value=-(10**16), max_value=10**16)
    | st.integers(min_value=-(10**16), max_value=10**16).map(str)
    | st.floats()
    | hostile_text
)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | hostile_text
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner, max_size=4),
    max_leaves=12,
)
deal_fields = st.fixed_dictionaries(
    {},
    optional={
        "service_package": hostile_text | scalars,
        "household_type": hostile_text | scalars,
        "renewal_service_package": hostile_text,
        "renewal_household_type": hostile_text,
        "agreement_start_date": hostile_dates,
        "hs_deal_record_id": hostile_ids,
    },
)
workflows = st.fixed_dictionaries(
    {
        "object": st.fixed_dictionaries({"objectType": st.just("DEAL"), "objectId": hostile_ids}),
        "fields": deal_fields,
    },
)
events = (
    st.fixed_dictionaries(
        {"subscriptionType": st.sampled_from(["deal.creation", "deal.deletion"]) | scalars},
        optional={"objectId": hostile_ids, "eventId": st.integers()},
    )
    | json_values
)
batches = st.lists(events, min_size=1, max_size=105)


def raw(value: Any) -> bytes:
    """JSON text as a sender might write it: non-ASCII as UTF-8, NaN and Infinity allowed."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _digits_body(digits: int) -> bytes:
    return b'[{"subscriptionType": "deal.creation", "objectId": ' + b"7" * digits + b"}]"


bodies = (
    workflows.map(raw)
    | workflows.map(lambda v: json.dumps(v).encode())  # lone surrogates escaped as \\udXXX
    | batches.map(raw)
    | batches.map(lambda v: json.dumps(v).encode())
    | json_values.map(raw)
    | st.integers(min_value=1, max_value=6000).map(_digits_body)
    | st.integers(min_value=1, max_value=5000).map(lambda n: b"[" * n + b"]" * n)
    | st.integers(min_value=1, max_value=5000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n)
    | st.binary(max_size=300)
)


# Deliveries meant to be accepted, with hostile text around the visible part: what the parser
# lets through must still be storable on every store.
visible_text = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc", "Cf", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=20,
)
dirty_text = st.tuples(hostile_text, visible_text, hostile_text).map("".join)
deal_id_spellings = st.integers(min_value=1, max_value=10**19).flatmap(
    lambda n: st.sampled_from([n, str(n), f"0{n}", f" 00{n}\t"])
)
likely_workflows = st.fixed_dictionaries(
    {
        "object": st.fixed_dictionaries(
            {"objectType": st.just("DEAL"), "objectId": deal_id_spellings}
        ),
        "fields": st.fixed_dictionaries(
            {
                "service_package": dirty_text,
                "household_type": st.none() | dirty_text,
                "agreement_start_date": hostile_dates,
            }
        ),
    }
).map(lambda v: json.dumps(v).encode())


def _workflow(fields: str, object_id: str = "1") -> bytes:
    return f'{{"object": {{"objectId": {object_id}}}, "fields": {{{fields}}}}}'.encode()


# Bodies that broke the webhook before issue 10, tried first by every property test.
KNOWN_BAD_BODIES = (
    _workflow('"service_package": "Series A", "household_type": "Couple \\ud800"'),
    _workflow('"service_package": "Series \\udfffA"'),
    _workflow('"service_package": "Series\\u0000 A\\u202e", "household_type": "\\u2066Single"'),
    _workflow('"service_package": "' + "x" * 60_000 + '"'),
    _workflow('"service_package": "Seed", "agreement_start_date": "9999-12-31"'),
    _workflow('"service_package": "Seed", "agreement_start_date": "0001-01-01"'),
    _workflow('"service_package": "Seed"', object_id='" 00123 "'),
    _workflow('"service_package": "Seed"', object_id="123.0"),
    _workflow('"service_package": 1e999'),
    _workflow('"service_package": NaN'),
    b'[{"subscriptionType": "deal.creation", "objectId": ' + b"1" * 4301 + b"}]",
    b'[{"subscriptionType": "deal.creation", "objectId": "0123"}, 7, {"objectId": 9}]',
    b"[" * 5000 + b"]" * 5000,
)


def with_known_bad_bodies(test: Any) -> Any:
    """``test`` tried on each of ``KNOWN_BAD_BODIES`` (as its ``body`` argument) first."""
    for body in KNOWN_BAD_BODIES:
        test = example(body=body)(test)
    return test
