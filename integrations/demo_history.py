"""A few months of allocation history for the demo firm, decided by the real core."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo

from allocation import Deal, PendingDeal, Snapshot, allocate, week_of
from services.booking import record_as_decided
from services.ports import Store
from services.records import (
    ALLOCATED,
    UNALLOCATED,
    WRITEBACK_PENDING,
    AllocationRecord,
    record_of,
)
from services.snapshots import load_snapshot

HISTORY_WEEKS = 16
PACKAGES = ("Seed", "Series A", "Series B", "Series C", "IPO")
PACKAGE_WEIGHTS = (25, 30, 24, 12, 9)
WRITEBACK_ERROR = "HubSpot unavailable (503 Service Unavailable) after 4 attempts"
# A recent run on Series C for couples, which few advisers offer: the Capacity outlook shows
# that segment's wait passing the target. Its own random stream, so the rest of the history
# (and every figure other pages show from it) is what it was before.
RUSH = ("Series C", "Couple")
RUSH_WEEKS = 8
RUSH_PER_WEEK = 1


def _decision_days(rng: random.Random, today: dt.date) -> list[dt.date]:
    days = []
    for back in range(HISTORY_WEEKS * 7, 0, -1):
        day = today - dt.timedelta(days=back)
        if day.weekday() < 5:
            days += [day] * (rng.random() < 0.75)
    return days


def _deal(rng: random.Random, n: int, day: dt.date) -> Deal:
    package = rng.choices(PACKAGES, PACKAGE_WEIGHTS)[0]
    household = "Couple" if rng.random() < 0.55 else "Single"
    agreed = day + dt.timedelta(days=rng.randrange(0, 15)) if rng.random() < 0.7 else None
    return Deal(str(19_400_000 + 37 * n), package, household, agreed)


def _decided_at(rng: random.Random, day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(rng.randrange(8, 18), rng.randrange(60)), zone)
    return local.astimezone(dt.UTC)


def _record(
    deal: Deal, snapshot: Snapshot, day: dt.date, at: dt.datetime, source: str
) -> AllocationRecord:
    decision = allocate(deal, snapshot, day)
    return record_of(
        deal,
        decision,
        status=ALLOCATED if decision.adviser_id else UNALLOCATED,
        decided_at=at,
        source=source,
        writeback_attempts=1 if decision.adviser_id else 0,
    )


def seed_history(
    store: Store,
    rng: random.Random,
    today: dt.date,
    now: dt.datetime,
    window: tuple[dt.date, dt.date],
) -> int:
    """Record past decisions; the last two allocated ones still wait for their write-back."""
    snapshot, _ = load_snapshot(store, None, today)
    zone = snapshot.rules.zone
    records = []
    for n, day in enumerate(_decision_days(rng, today)):
        source = "webhook" if rng.random() < 0.85 else "console"
        records.append(
            _record(_deal(rng, n, day), snapshot, day, _decided_at(rng, day, zone), source)
        )
    allocated = [r for r in records if r.status == ALLOCATED]
    stuck = {r.deal_id for r in allocated[-2:]}
    records += _rush(random.Random(rng.random()), snapshot, today, zone)
    for record in records:
        if record.deal_id in stuck:
            record = _stuck(record)
        record_as_decided(store, record)
    # Older deals have their Clarify booked by now, so they no longer count as pending.
    current = week_of(today)
    store.drop_pending([r.deal_id for r in records if r.week and r.week < current])
    store.replace_open_deals(_open_deals(rng, snapshot, current))
    return len(records)


def _rush(
    rng: random.Random, snapshot: Snapshot, today: dt.date, zone: zoneinfo.ZoneInfo
) -> list[AllocationRecord]:
    package, household = RUSH
    records = []
    for week in range(RUSH_WEEKS, 0, -1):
        monday = week_of(today) - dt.timedelta(weeks=week)
        for k in range(RUSH_PER_WEEK):
            day = monday + dt.timedelta(days=rng.randrange(5))
            deal = Deal(str(19_500_000 + 41 * (week * RUSH_PER_WEEK + k)), package, household)
            records.append(_record(deal, snapshot, day, _decided_at(rng, day, zone), "webhook"))
    return records


def _stuck(record: AllocationRecord) -> AllocationRecord:
    return AllocationRecord(
        **{**record.__dict__, "status": WRITEBACK_PENDING, "writeback_attempts": 4,
           "last_error": WRITEBACK_ERROR}
    )  # fmt: skip


def _open_deals(rng: random.Random, snapshot: Snapshot, current: dt.date) -> list[PendingDeal]:
    """Deals HubSpot already gave to an adviser with no Clarify booked yet."""
    taking = [a for a in snapshot.advisers if a.taking_on_clients and a.end_date is None]
    chosen = rng.sample(taking, 4)
    return [
        PendingDeal(str(19_300_000 + n), a.id, current + dt.timedelta(weeks=2 + n % 3))
        for n, a in enumerate(chosen)
    ]
