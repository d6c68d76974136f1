"""A deterministic synthetic firm at the size the product brief sets for speed targets."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from dataclasses import dataclass

from allocation import (
    Adviser,
    Closure,
    Leave,
    Meeting,
    MeetingTable,
    Override,
    PendingDeal,
    Rules,
    Snapshot,
)

PACKAGES = ("Seed", "Series A", "Series B", "Series C", "IPO")
HOUSEHOLDS = ("Single", "Couple")
PODS = ("Standard Pod", "Solo Adviser", "Team Pod")
REGIONS = ("NSW", "VIC", "QLD", "WA")


@dataclass(frozen=True)
class FirmSize:
    advisers: int = 500
    meetings: int = 50_000
    leave: int = 5_000
    closures: int = 200
    overrides: int = 500
    pending: int = 1_000


def synthetic_firm(today: dt.date, size: FirmSize = FirmSize(), seed: int = 7) -> Snapshot:
    """Records spread over the ledger's weeks (2 of history, 52 ahead), the same every run."""
    rng = random.Random(seed)
    tz = zoneinfo.ZoneInfo("Australia/Sydney")
    ids = [f"adv{i:04d}" for i in range(size.advisers)]

    def day(lo: int = -14, hi: int = 364) -> dt.date:
        return today + dt.timedelta(days=rng.randint(lo, hi))

    advisers = tuple(
        Adviser(
            id=i,
            name=f"Adviser {n:04d}",
            email=f"{i}@example.com",
            taking_on_clients=rng.random() > 0.05,
            service_packages=frozenset(rng.sample(PACKAGES, rng.randint(1, 4))),
            household_types=frozenset(rng.sample(HOUSEHOLDS, rng.randint(0, 2))),
            pod_type=rng.choice(PODS),
            start_date=day(-700, 60) if rng.random() < 0.1 else None,
            end_date=day(60, 360) if rng.random() < 0.03 else None,
            region=rng.choice(REGIONS),
        )
        for n, i in enumerate(ids)
    )
    meetings = tuple(
        Meeting(
            f"m{k}",
            rng.choice(ids),
            # HubSpot reports meeting starts in UTC; half stay so, as a synced store keeps them.
            dt.datetime.combine(
                day(), dt.time(rng.randint(8, 17), rng.choice((0, 30))), tz
            ).astimezone(dt.UTC if k % 2 else tz),
            rng.choice(("clarify", "clarify", "kickoff")),
            f"deal{k}" if rng.random() < 0.5 else None,
        )
        for k in range(size.meetings)
    )
    leave = []
    for k in range(size.leave):
        start = day()
        leave.append(
            Leave(
                f"l{k}",
                rng.choice(ids),
                start,
                start + dt.timedelta(days=rng.randint(0, 9)),
                rng.choice((0.5, 1.0, 1.0)),
            )
        )
    closures = []
    for k in range(size.closures):
        start = day()
        scope = rng.random()
        closures.append(
            Closure(
                f"c{k}",
                start,
                start + dt.timedelta(days=rng.randint(0, 4)),
                adviser_ids=frozenset(rng.sample(ids, 3)) if scope < 0.4 else frozenset(),
                regions=frozenset({rng.choice(REGIONS)}) if 0.4 <= scope < 0.8 else frozenset(),
            )
        )
    overrides = []
    for k in range(size.overrides):
        start = day(-60, 300)
        end = start + dt.timedelta(days=rng.randint(7, 120)) if rng.random() < 0.7 else None
        overrides.append(Override(f"o{k}", rng.choice(ids), start, rng.choice((2, 3, 4, 8)), end))
    pending = tuple(
        PendingDeal(f"deal{rng.randint(0, size.meetings * 2)}", rng.choice(ids), day(-21, 60))
        for _ in range(size.pending)
    )
    return Snapshot(
        advisers, meetings, tuple(leave), tuple(closures), tuple(overrides), pending, Rules()
    )


@dataclass(frozen=True)
class MeetingColumns:
    """A firm's meetings as the five plain Python lists a store reads from its rows."""

    ids: list[str]
    adviser_ids: list[str]
    starts: list[int]  # UTC epoch seconds
    kinds: list[str]
    deal_ids: list[str | None]

    def table(self) -> MeetingTable:
        return MeetingTable.from_columns(
            self.ids, self.adviser_ids, self.starts, self.kinds, self.deal_ids
        )

    def meetings(self) -> tuple[Meeting, ...]:
        """The same meetings as records, as a store had to make them for the old path."""
        columns = (self.ids, self.adviser_ids, self.starts, self.kinds, self.deal_ids)
        return tuple(
            Meeting(i, a, dt.datetime.fromtimestamp(s, dt.UTC), k, d)
            for i, a, s, k, d in zip(*columns, strict=True)
        )


def meeting_columns(snapshot: Snapshot) -> MeetingColumns:
    meetings = list(snapshot.meetings)
    return MeetingColumns(
        ids=[m.id for m in meetings],
        adviser_ids=[m.adviser_id for m in meetings],
        starts=[int(m.start.timestamp()) for m in meetings],
        kinds=[m.kind for m in meetings],
        deal_ids=[m.deal_id for m in meetings],
    )
