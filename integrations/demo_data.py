"""A deterministic, realistic demo firm, relative to ``today``, for the embedded store.

Same ``today`` → same firm: every random choice comes from one seeded generator. Holidays
come from the ``holidays`` package (no network). Decisions in the history are made by the
real core, so their explanations are true to the rules. Reset a store to it with
``python -m cli demo reset``.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

import holidays

from allocation import Adviser, Closure, Leave, Meeting, Override, Rules, week_of
from integrations.demo_history import seed_history
from integrations.demo_people import PEOPLE, DemoPerson
from services.ports import Store
from services.records import EditBatch

SEED = 20260311
ACTOR = "demo"
REGIONS = ("NSW", "VIC", "QLD", "WA")
PAST_WEEKS, FUTURE_WEEKS = 2, 26
ZONE = zoneinfo.ZoneInfo(Rules().timezone)


@dataclass(frozen=True)
class DemoSummary:
    advisers: int
    meetings: int
    leave: int
    closures: int
    overrides: int
    allocations: int


def _slug(name: str) -> str:
    return name.lower().replace(" ", ".")


def demo_advisers(today: dt.date) -> list[Adviser]:
    current = week_of(today)
    advisers = []
    for n, person in enumerate(PEOPLE):
        start = current + dt.timedelta(weeks=5) if person.role == "starter" else None
        end = current + dt.timedelta(weeks=8, days=4) if person.role == "leaver" else None
        advisers.append(
            Adviser(
                id=str(71_000 + 17 * n),
                name=person.name,
                email=f"{_slug(person.name)}@demo-advice.example",
                taking_on_clients=person.taking,
                service_packages=frozenset(person.packages),
                household_types=frozenset(person.households),
                pod_type=person.pod,
                start_date=start or current - dt.timedelta(weeks=60 + 9 * n),
                end_date=end,
                region=person.region,
            )
        )
    return advisers


def _weekly_rate(person: DemoPerson, adviser: Adviser, weeks_ahead: int) -> float:
    """Expected Clarifies a week: near weeks nearly full, the far calendar thinning out."""
    limit = Rules().limit_for(adviser) * 12 / 52
    # The busiest book slightly beyond their limit for the next couple of months.
    thinning = 1.1 - (weeks_ahead - 4) / (FUTURE_WEEKS - 4)
    fill = 1.1 if weeks_ahead <= 4 else max(0.1, thinning)
    return limit * person.busyness * fill


def _meeting_time(rng: random.Random, week: dt.date) -> dt.datetime:
    day = week + dt.timedelta(days=rng.randrange(5))
    hour = rng.choice((9, 10, 11, 13, 14, 15, 16))
    return dt.datetime.combine(day, dt.time(hour, rng.choice((0, 30))), tzinfo=ZONE)


def demo_meetings(rng: random.Random, advisers: list[Adviser], today: dt.date) -> list[Meeting]:
    current = week_of(today)
    meetings: list[Meeting] = []
    for person, adviser in zip(PEOPLE, advisers, strict=True):
        for offset in range(-PAST_WEEKS, FUTURE_WEEKS):
            week = current + dt.timedelta(weeks=offset)
            if adviser.start_date and week < week_of(adviser.start_date):
                continue
            if adviser.end_date and week > adviser.end_date:
                continue
            rate = _weekly_rate(person, adviser, max(offset, 0))
            count = min(2, int(rate) + (rng.random() < rate - int(rate)))
            for _ in range(count):
                deal = f"{880_000 + len(meetings)}"
                start = _meeting_time(rng, week)
                meetings.append(Meeting(f"m-{deal}", adviser.id, start, "clarify", deal))
                kickoff = start + dt.timedelta(weeks=rng.choice((2, 3)))
                meetings.append(Meeting(f"k-{deal}", adviser.id, kickoff, "kickoff", deal))
    return meetings


def demo_leave(rng: random.Random, advisers: list[Adviser], today: dt.date) -> list[Leave]:
    current = week_of(today)
    leave = []
    for n, adviser in enumerate(advisers):
        if n % 3 == 0:  # a week or two of annual leave
            start = current + dt.timedelta(weeks=rng.randrange(1, 24))
            end = start + dt.timedelta(days=rng.choice((4, 11)))
            leave.append(Leave(f"leave-{adviser.id}-a", adviser.id, start, end))
        if n % 5 == 1:  # half days for a fortnight (study, school pick-ups)
            start = current + dt.timedelta(weeks=rng.randrange(0, 12))
            end = start + dt.timedelta(days=11)
            leave.append(Leave(f"leave-{adviser.id}-h", adviser.id, start, end, 0.5))
        if n % 7 == 2:  # a single sick day last week
            day = current - dt.timedelta(days=7 - rng.randrange(5))
            leave.append(Leave(f"leave-{adviser.id}-s", adviser.id, day, day))
    return leave


def holiday_closures(first: dt.date, last: dt.date) -> list[Closure]:
    """Weekday public holidays: national ones for everyone, the others for their states."""
    years = list(range(first.year, last.year + 1))
    by_day: dict[dt.date, tuple[str, set[str]]] = {}
    for region in REGIONS:
        for day, name in holidays.country_holidays("AU", subdiv=region, years=years).items():
            if first <= day <= last and day.weekday() < 5:
                by_day.setdefault(day, (name, set()))[1].add(region)
    closures = []
    for day, (name, regions) in sorted(by_day.items()):
        scope = frozenset() if len(regions) == len(REGIONS) else frozenset(regions)
        closures.append(Closure(f"holiday-{day.isoformat()}", day, day, name, regions=scope))
    return closures


def office_shutdowns(first: dt.date, last: dt.date) -> Iterator[Closure]:
    for year in range(first.year, last.year + 1):
        start, end = dt.date(year, 12, 29), dt.date(year, 12, 31)
        if first <= start and end <= last:
            yield Closure(f"shutdown-{year}", start, end, "Office shutdown between the holidays")


def demo_overrides(advisers: list[Adviser], today: dt.date) -> list[Override]:
    current = week_of(today)
    by_role = {p.role: a for p, a in zip(PEOPLE, advisers, strict=True) if p.role}
    starter, leaver, part_time = by_role["starter"], by_role["leaver"], by_role["part_time"]
    ramp_start = starter.start_date or current
    return [
        Override("ramp-up", starter.id, ramp_start, 3, ramp_start + dt.timedelta(weeks=8)),
        Override("wind-down", leaver.id, current, 2, leaver.end_date),
        Override("part-time", part_time.id, current - dt.timedelta(weeks=10), 4),
    ]  # fmt: skip


def seed_demo(store: Store, today: dt.date, now: dt.datetime) -> DemoSummary:
    """Fill ``store`` with the demo firm as seen on ``today`` (the store should be empty)."""
    rng = random.Random(SEED)
    advisers = demo_advisers(today)
    meetings = demo_meetings(rng, advisers, today)
    leave = demo_leave(rng, advisers, today)
    first = week_of(today) - dt.timedelta(weeks=20)
    last = week_of(today) + dt.timedelta(weeks=60)
    closures = holiday_closures(first, last) + list(office_shutdowns(first, last))
    overrides = demo_overrides(advisers, today)

    store.replace_advisers(advisers)
    window = (first, last)
    store.replace_meetings(meetings, *window)
    store.replace_synced_leave(leave, since=first)
    store.save_closures(EditBatch(added=tuple(closures)), ACTOR)
    store.save_overrides(EditBatch(added=tuple(overrides)), ACTOR)
    store.set_override_note("ramp-up", "New starter: half load for the first two months")
    store.set_override_note("wind-down", "Leaving the firm; fewer new clients until then")
    store.set_override_note("part-time", "Works four days a week")
    allocations = seed_history(store, rng, today, now, window)
    return DemoSummary(
        len(advisers), len(meetings), len(leave), len(closures), len(overrides), allocations
    )
