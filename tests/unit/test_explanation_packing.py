"""A decision's explanation is kept small on its record, whatever the firm's size, and reads
back as it was written."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from allocation import Deal, allocate
from bench.synthetic import FirmSize, synthetic_firm
from services import codec
from services.explanation import FULL_BLOCKED, PackedExplanation, blocked_count, pack, unpack
from services.records import candidates_to_dicts, record_of

TODAY = dt.date(2026, 3, 11)
NOW = dt.datetime(2026, 3, 11, 1, tzinfo=dt.UTC)


def explanation_for(advisers: int) -> tuple[dict[str, object], ...]:
    size = FirmSize(advisers=advisers, meetings=advisers * 40, leave=advisers * 5, pending=0)
    firm = synthetic_firm(TODAY, size)
    return candidates_to_dicts(allocate(Deal("d1", "Series A", "Couple"), firm, TODAY))


@pytest.mark.parametrize("advisers", [5, 30])
def test_a_small_firms_explanation_reads_back_exactly(advisers: int) -> None:
    explanation = explanation_for(advisers)
    assert len(explanation) <= FULL_BLOCKED
    assert unpack(pack(explanation)) == explanation


def test_a_large_firms_record_stays_small_and_keeps_every_advisers_reason() -> None:
    explanation = explanation_for(2000)
    packed = pack(explanation)
    back = unpack(packed)
    raw = len(json.dumps(explanation))
    assert len(packed) < 20_000
    assert raw > 20 * len(packed)
    assert [c["adviser_id"] for c in back] == [c["adviser_id"] for c in explanation]
    assert [c["reason"] for c in back] == [c["reason"] for c in explanation]
    assert [c["earliest_week"] for c in back] == [c["earliest_week"] for c in explanation]
    assert back[:FULL_BLOCKED] == explanation[:FULL_BLOCKED]  # the ones people compare, in full
    assert [blocked_count(c) for c in back] == [len(c["blocked_weeks"]) for c in explanation]


def test_a_stored_record_unpacks_its_explanation_only_when_read() -> None:
    decision = allocate(Deal("d1", "Series A"), synthetic_firm(TODAY, FirmSize(50, 500)), TODAY)
    record = record_of(Deal("d1", "Series A"), decision, status="allocated", decided_at=NOW,
                       source="webhook")  # fmt: skip
    stored = codec.allocation_from_dict(json.loads(json.dumps(codec.allocation_to_dict(record))))
    assert isinstance(stored.explanation, PackedExplanation)
    assert stored == record
    assert stored.explanation[0]["adviser_id"] == decision.candidates[0].adviser_id


def test_records_written_before_packing_still_read() -> None:
    old = {"adviser_id": "a1", "eligible": True, "reason": None, "earliest_week": "2026-03-23",
           "utilisation": 0.5, "blocked_weeks": []}  # fmt: skip
    firm = synthetic_firm(TODAY, FirmSize(5, 10, 2, 2, 2, 2))
    decision = allocate(Deal("d1", "Seed"), firm, TODAY)
    record = record_of(Deal("d1", "Seed"), decision, status="allocated", decided_at=NOW,
                       source="x")  # fmt: skip
    row = codec.allocation_to_dict(record)
    for legacy in ([old], json.dumps([old])):
        restored = codec.allocation_from_dict({**row, "explanation": legacy})
        assert list(restored.explanation) == [old]
