from __future__ import annotations

import datetime as dt

from allocation import Closure
from services.records import EditBatch
from tests.builders import adviser, leave
from tests.unit.services_support import firm, services


def test_heatmap_rows_cover_the_horizon_with_names_and_marked_closures() -> None:
    store = firm(
        adviser("dana", region="NSW"),
        adviser("eli", packages=("Seed",), pod_type="Solo Adviser", region="VIC"),
    )
    store.replace_synced_leave(
        [leave("dana", "2026-03-30", "2026-03-31", 0.5)], dt.date(2026, 1, 1)
    )
    shut = Closure("c1", dt.date(2026, 4, 6), dt.date(2026, 4, 6), regions=frozenset({"VIC"}))
    store.save_closures(EditBatch(added=(shut,)), "ops")
    svc, _ = services(store)
    frame = svc.browsing.heatmap_frame()
    assert len(frame) == 2 * 52
    assert frame["week"].min() == dt.date(2026, 3, 9)
    row = frame[(frame["adviser"] == "Dana") & (frame["week"] == dt.date(2026, 3, 30))]
    assert row["leave_days"].item() == 1.0
    eli = frame[(frame["adviser"] == "Eli") & (frame["week"] == dt.date(2026, 4, 6))]
    assert eli["closure_days"].item() == 1.0
    assert set(svc.browsing.heatmap_frame(package="Series A")["adviser"]) == {"Dana"}
    assert set(svc.browsing.heatmap_frame(pods=["solo adviser"])["adviser"]) == {"Eli"}
    assert set(svc.browsing.heatmap_frame(regions=["NSW"])["adviser"]) == {"Dana"}


def test_an_advisers_schedule_has_their_weeks_and_earliest_week() -> None:
    svc, _ = services()
    schedule = svc.browsing.schedule("dana")
    assert schedule.earliest_week == dt.date(2026, 3, 23)
    assert {"pending_load", "absorb"} <= set(schedule.weeks.columns)
    assert set(schedule.weeks["adviser_id"]) == {"dana"}
