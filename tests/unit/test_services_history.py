from __future__ import annotations

import datetime as dt

from allocation import Deal
from services.history import AllocationFilter
from tests.unit.services_support import services


def test_history_filters_by_package_and_status_and_counts_per_month() -> None:
    svc, _ = services()
    svc.booking.allocate(Deal("a1", "Series A"))
    svc.booking.allocate(Deal("a2", "Series A", "Couple"))
    svc.booking.allocate(Deal("s1", "Seed"))  # nobody offers Seed here: unallocated
    series_a = svc.history.allocations_frame(AllocationFilter(package="series a"))
    assert sorted(series_a["deal_id"]) == ["a1", "a2"]
    assert set(series_a["adviser"]) <= {"Dana", "Eli"}
    assert [r.deal_id for r in svc.history.allocations(AllocationFilter(status="unallocated"))] == [
        "s1"
    ]
    none_yet = svc.history.allocations(AllocationFilter(since=dt.date(2026, 3, 12)))
    assert none_yet == []
    monthly = svc.history.allocations_per_month()
    assert monthly["count"].sum() == 2
    assert set(monthly["month"]) == {dt.date(2026, 3, 1)}


def test_a_stored_explanation_reads_in_plain_words() -> None:
    svc, _ = services()
    record = svc.booking.allocate(Deal("a1", "Series A")).record
    frame = svc.history.explanation_frame(record)
    assert list(frame["adviser"]) == ["Dana", "Eli"]
    assert frame.loc[0, "why"] == "open from 23 Mar 2026"  # the full reason, not just "open"
