"""Whatever the webhook's parser accepts can be stored as it is, on SQLite and on the Firestore
emulator: hostile deliveries (control and bidi characters, lone surrogates, odd spellings of
ids, far dates, huge numbers) are parsed, recorded and read back unchanged. The texts of a
refusal (its message, a refused event's excerpt) are stored too: they will be kept with the
deliveries refused for their content. A lone surrogate used to reach Firestore, whose client
then raised ``UnicodeEncodeError``: a 500, and HubSpot retrying the same body for three days."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from allocation import Deal, Decision
from devtools.firestore_emulator import Emulator
from integrations.firestore import FirestoreStore
from integrations.sqlite import SqliteStore
from services.booking import record_as_decided
from services.deal_intake import Delivery, WorkflowDelivery, parse_delivery
from services.errors import BadRequest
from services.ports import Store
from services.records import ALLOCATED, AllocationRecord, record_of
from tests.hostile_input import TODAY, bodies, likely_workflows, with_known_bad_bodies

DECIDED_AT = dt.datetime(2026, 3, 11, 1, 0, tzinfo=dt.UTC)
WEEK = dt.date(2026, 3, 23)
StoreFactory = Callable[[], AbstractContextManager[Store]]
deliveries = likely_workflows | bodies


def outcome(body: bytes) -> Delivery | BadRequest:
    try:
        return parse_delivery(body, today=TODAY)
    except BadRequest as refused:
        return refused


def records_for(result: Delivery | BadRequest) -> list[AllocationRecord]:
    """The records a store would keep for this outcome: the deal's decision, or (for what was
    refused) the refusal's texts in the fields that hold free text."""
    if isinstance(result, WorkflowDelivery):
        return [booked(result.deal)]
    if isinstance(result, BadRequest):
        return [booked(Deal("1", "Series A"), last_error=str(result))]
    records = [booked(Deal(d, "Series A")) for d in result.deal_ids[:1]]
    for rejected in result.rejected[:3]:
        excerpt = "; ".join(f"{k}={v}" for k, v in rejected.excerpt)
        refused = Deal(str(1000 + rejected.index), "Series A")
        records.append(booked(refused, note=excerpt, last_error=rejected.reason))
    return records


def booked(deal: Deal, **extra: str) -> AllocationRecord:
    decision = Decision(deal.id, "7000", WEEK, ())
    return record_of(
        deal, decision, status=ALLOCATED, decided_at=DECIDED_AT, source="webhook", **extra
    )


def assert_stored_unchanged(store: Store, body: bytes) -> None:
    for record in records_for(outcome(body)):
        record_as_decided(store, record)
        assert store.get_allocation(record.deal_id) == record


@contextmanager
def fresh_sqlite() -> Iterator[Store]:
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "console.db")
        try:
            yield store
        finally:
            store.close()


@settings(max_examples=150, deadline=None)
@with_known_bad_bodies
@given(body=deliveries)
def test_everything_the_parser_accepts_is_stored_unchanged_on_sqlite(body: bytes) -> None:
    with fresh_sqlite() as store:
        assert_stored_unchanged(store, body)


@pytest.mark.emulator
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@with_known_bad_bodies
@given(body=deliveries)
def test_everything_the_parser_accepts_is_stored_unchanged_on_firestore(
    firestore_emulator: Emulator, body: bytes
) -> None:
    project = f"intake-{uuid.uuid4().hex[:12]}"
    try:
        assert_stored_unchanged(FirestoreStore(project), body)
    finally:
        firestore_emulator.reset(project)


HOSTILE_HOUSEHOLDS = {
    "Couple\u202e\u0000": "Couple",
    "\u2066Single\u2069\x85": "Single",
    "Couple \U0001f600": "Couple \U0001f600",
}


@pytest.mark.emulator
@pytest.mark.parametrize("household", sorted(HOSTILE_HOUSEHOLDS))
def test_a_deal_with_hostile_text_is_stored_on_firestore_clean_under_its_canonical_id(
    firestore_project: str, household: str
) -> None:
    fields = {"service_package": "Series A", "household_type": household}
    body = json.dumps({"object": {"objectId": " 0042"}, "fields": fields}).encode()
    store = FirestoreStore(firestore_project)
    assert_stored_unchanged(store, body)
    stored = store.get_allocation("42")
    assert stored is not None
    assert stored.household_type == HOSTILE_HOUSEHOLDS[household]


def test_a_lone_surrogate_never_reaches_a_store() -> None:
    result = outcome(b'{"object": {"objectId": 1}, "fields": {"service_package": "Series A", '
                     b'"household_type": "Couple \\ud800"}}')  # fmt: skip
    assert isinstance(result, BadRequest)
    assert str(result).startswith("household_type holds a broken character")
