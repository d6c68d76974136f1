"""The capacity outlook: how many more clients each segment can take, and how long they wait.

Every figure comes from booking hypothetical deals with the real rules (§3-§6) on today's
ledger, one after another (``BookingSimulation``: one booking changes one adviser's row):

- **places**: per segment, how many new clients can still start within 4 / 8 / 13 / 26
  weeks if deals of that segment alone kept arriving. A booking changes only its adviser's
  row and never opens an earlier week of that row, so booking a segment's deals one by one
  ends with every eligible adviser booked at their own earliest week until it lies past the
  limit: the count per adviser does not depend on the order or the segment. They are worked
  out for all advisers in rounds (one booking per adviser per round) and summed per
  segment; a property test checks the sum against booking the deals one by one.
- **projection**: the deals each segment's demand brings over the coming weeks, all segments
  interleaved by expected arrival (they compete for the same advisers), booked in turn.
  A deal arriving in week ``a`` is decided as if signed then: it cannot start before
  ``a + buffer_weeks`` (expressed as its ``agreement_start``, so the core's §5.1 applies).
- **fix**: the advisers like the segment's median adviser (its median monthly limit,
  offering that segment, available now) that keep every projected wait within the target,
  checked by running the projection again with them added.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from allocation.decision import Choice
from allocation.eligibility import eligibility_of, exclusion_codes
from allocation.ledger import build_ledger
from allocation.model import Adviser, Deal, Rules, normalise
from allocation.simulation import BookingSimulation
from allocation.snapshot import Snapshot
from allocation.weeks import week_of

PLACES_WEEKS = (4, 8, 13, 26)
OUTLOOK_WEEKS = 26
FIX_ROUNDS = 4  # projections run again at most this many times to find the fix
WEEKS_PER_MONTH = 52 / 12


@dataclass(frozen=True)
class Segment:
    """A package and a household type (``None``: any household) that advisers offer."""

    package: str
    household: str | None = None

    @property
    def label(self) -> str:
        return f"{self.package} · {self.household}" if self.household else self.package

    def deal(self, deal_id: str, agreement_start: dt.date | None = None) -> Deal:
        return Deal(deal_id, self.package, self.household, agreement_start)

    def key(self) -> tuple[str, str]:
        return normalise(self.package), normalise(self.household)


@dataclass(frozen=True)
class ProjectedDeal:
    deal: Deal
    segment: Segment
    arrives: dt.date  # the Monday of the week it is expected


@dataclass(frozen=True)
class ProjectedBooking:
    projected: ProjectedDeal
    adviser_id: str | None
    week: dt.date | None  # the start week, None when nobody can take it in the horizon

    @property
    def wait_weeks(self) -> int | None:
        """Weeks from the week it arrives to the week it starts."""
        if self.week is None:
            return None
        return (self.week - self.projected.arrives).days // 7

    def late(self, target_weeks: int) -> bool:
        wait = self.wait_weeks
        return wait is None or wait > target_weeks


@dataclass(frozen=True)
class WeekWait:
    """The deals of one segment expected in one week and the longest wait among them."""

    arrives: dt.date
    deals: int
    worst_wait: int | None  # None: at least one of them finds nobody in the horizon
    placed: int


@dataclass(frozen=True)
class SegmentOutlook:
    segment: Segment
    advisers: int  # taking on clients and offering the segment
    soonest_week: dt.date | None
    places: tuple[int, ...]  # new clients that can still start within each PLACES_WEEKS
    demand_per_week: float
    median_monthly_limit: float  # of its advisers this week; the default when nobody offers it
    weeks: tuple[WeekWait, ...]
    breach_week: dt.date | None  # the first arrival week whose wait exceeds the target
    late_deals: int
    extra_advisers: int | None  # None: not found within FIX_ROUNDS projections
    extra_monthly: float | None  # extra_advisers × median monthly limit


@dataclass(frozen=True)
class Outlook:
    today: dt.date
    current_week: dt.date
    target_weeks: int
    horizon_weeks: int
    places_weeks: tuple[int, ...]
    segments: tuple[SegmentOutlook, ...]
    bookings: tuple[ProjectedBooking, ...]


def segments_of(snapshot: Snapshot, households: Sequence[str] = ()) -> tuple[Segment, ...]:
    """Every package × household type that at least one adviser taking on clients offers.

    ``households`` is the firm's list of household types; without one (or for a package
    whose household is not matched) a segment is the whole package.
    """
    packages: dict[str, str] = {}
    for adviser in snapshot.advisers:
        if adviser.taking_on_clients:
            for package in sorted(adviser.service_packages):
                packages.setdefault(normalise(package), package.strip())
    exempt = {normalise(p) for p in snapshot.rules.household_exempt_packages}
    types = list(dict.fromkeys(h.strip() for h in households if normalise(h)))
    eligibility = eligibility_of(snapshot)
    found = []
    for key in sorted(packages):
        package = packages[key]
        options: list[str | None] = [None] if key in exempt or not types else list(types)
        for household in options:
            segment = Segment(package, household)
            if (exclusion_codes(eligibility, segment.deal("segment")) == 0).any():
                found.append(segment)
    return tuple(found)


def places_per_adviser(
    snapshot: Snapshot, today: dt.date, weeks: Sequence[int] = PLACES_WEEKS
) -> tuple[np.ndarray, np.ndarray]:
    """Per adviser: new clients that can still start within each of ``weeks``, and the soonest
    week column (-1: none) — for a deal without an agreement date."""
    ledger = build_ledger(snapshot, today)
    sim = BookingSimulation(snapshot, ledger)
    first = ledger.first_allowed_index()
    limits = [min(ledger.current_index + w, len(ledger.weeks)) for w in weeks]
    counts = np.zeros((len(ledger.adviser_ids), len(weeks)), dtype=np.int64)
    active = np.flatnonzero(eligibility_of(snapshot).taking)
    soonest = np.full(len(ledger.adviser_ids), -1, dtype=np.int64)
    soonest[active] = sim.earliest_columns(first, active)
    horizon_end = max(limits, default=0)
    while len(active):
        columns = sim.earliest_columns(first, active)
        keep = (columns >= 0) & (columns < horizon_end)
        active, columns = active[keep], columns[keep]
        if len(active) == 0:
            break
        counts[active] += columns[:, None] < np.array(limits)[None, :]
        sim.book_rows(active, columns)
    return counts, soonest


def projected_deals(
    demand: Mapping[Segment, float],
    current_week: dt.date,
    buffer_weeks: int,
    agreement_lag_weeks: int,
    weeks: int = OUTLOOK_WEEKS,
    prefix: str = "outlook",
) -> tuple[ProjectedDeal, ...]:
    """Deals at each segment's weekly rate, evenly spread from ``current_week`` over
    ``weeks`` weeks, all segments by expected arrival."""
    # agreement + lag = arrival + buffer: decided in its own week, it starts buffer weeks on.
    signed_after = dt.timedelta(weeks=max(buffer_weeks - agreement_lag_weeks, 0))
    timed: list[tuple[float, int, ProjectedDeal]] = []
    for index, (segment, rate) in enumerate(demand.items()):
        if not rate > 0:
            continue
        k = 0
        while (at := (k + 0.5) / rate) < weeks:
            arrives = current_week + dt.timedelta(weeks=math.floor(at))
            deal = segment.deal(f"{prefix}-{index}-{k}", arrives + signed_after)
            timed.append((at, index, ProjectedDeal(deal, segment, arrives)))
            k += 1
    timed.sort(key=lambda t: (t[0], t[1]))
    return tuple(p for _, _, p in timed)


def batch_deals(
    segment: Segment, count: int, first_week: dt.date, weeks: int, rules: Rules
) -> tuple[ProjectedDeal, ...]:
    """``count`` deals of one segment arriving evenly over ``weeks`` weeks from ``first_week``
    (a batch what-if: "where would each land?")."""
    if count <= 0 or weeks <= 0:
        return ()
    spread = projected_deals(
        {segment: count / weeks}, week_of(first_week), rules.buffer_weeks,
        rules.agreement_lag_weeks, weeks, prefix="batch",
    )  # fmt: skip
    return spread[:count]


def book_in_turn(
    sim: BookingSimulation, deals: Iterable[ProjectedDeal]
) -> tuple[ProjectedBooking, ...]:
    """Each deal given the adviser and week the rules give it, after the ones before it."""
    booked = []
    for projected in deals:
        choice: Choice | None = sim.choose(projected.deal)
        if choice is not None:
            sim.book(choice.row, choice.week_index)
        booked.append(
            ProjectedBooking(
                projected,
                choice.adviser_id if choice else None,
                choice.week if choice else None,
            )
        )
    return tuple(booked)


def simulate(
    snapshot: Snapshot, today: dt.date, deals: Iterable[ProjectedDeal]
) -> tuple[ProjectedBooking, ...]:
    """``deals`` booked one after another on the firm as it is today (nothing is stored)."""
    return book_in_turn(BookingSimulation(snapshot, build_ledger(snapshot, today)), deals)


def outlook(
    snapshot: Snapshot,
    today: dt.date,
    demand: Mapping[Segment, float],
    target_weeks: int = 4,
    households: Sequence[str] = (),
    weeks: int = OUTLOOK_WEEKS,
) -> Outlook:
    """Places, projected waits and the fix for every segment (see the module docstring).

    ``demand`` is deals per week per segment; segments advisers offer but missing from it
    have no demand, and segments in it that nobody offers are shown with no places.
    """
    ledger = build_ledger(snapshot, today)
    segments = list(segments_of(snapshot, households))
    known = {s.key() for s in segments}
    segments += [s for s in demand if s.key() not in known]
    by_key = {s.key(): float(rate) for s, rate in demand.items()}
    rates = {s: by_key.get(s.key(), 0.0) for s in segments}
    rules = snapshot.rules
    current = week_of(today)
    deals = projected_deals(rates, current, rules.buffer_weeks, rules.agreement_lag_weeks, weeks)
    bookings = simulate(snapshot, today, deals)

    counts, soonest = places_per_adviser(snapshot, today)
    eligibility = eligibility_of(snapshot)
    limit_now = ledger.monthly_limit[:, ledger.current_index]
    offered = {
        s: np.flatnonzero(exclusion_codes(eligibility, s.deal("segment")) == 0) for s in segments
    }
    # A segment nobody offers yet is fixed with advisers at the firm's default limit.
    default = float(rules.default_monthly_limit)
    medians = {
        s: float(np.median(limit_now[rows])) if len(rows) else default
        for s, rows in offered.items()
    }
    fixes = _fixes(snapshot, today, deals, bookings, medians, target_weeks, weeks)

    results = []
    for segment in segments:
        rows = offered[segment]
        columns = soonest[rows]
        columns = columns[columns >= 0]
        mine = [b for b in bookings if b.projected.segment == segment]
        per_week = _weekly_waits(mine)
        breach = next(
            (w.arrives for w in per_week if w.worst_wait is None or w.worst_wait > target_weeks),
            None,
        )
        extra = fixes.get(segment, 0)
        median = medians[segment]
        results.append(
            SegmentOutlook(
                segment=segment,
                advisers=len(rows),
                soonest_week=ledger.weeks[int(columns.min())] if len(columns) else None,
                places=tuple(int(n) for n in counts[rows].sum(axis=0)),
                demand_per_week=rates[segment],
                median_monthly_limit=median,
                weeks=per_week,
                breach_week=breach,
                late_deals=sum(b.late(target_weeks) for b in mine),
                extra_advisers=extra,
                extra_monthly=None if extra is None else extra * median,
            )
        )
    return Outlook(today, current, target_weeks, weeks, PLACES_WEEKS, tuple(results), bookings)


def _weekly_waits(bookings: Sequence[ProjectedBooking]) -> tuple[WeekWait, ...]:
    by_week: dict[dt.date, list[ProjectedBooking]] = {}
    for booking in bookings:
        by_week.setdefault(booking.projected.arrives, []).append(booking)
    rows = []
    for arrives, group in sorted(by_week.items()):
        waits = [b.wait_weeks for b in group]
        placed = [w for w in waits if w is not None]
        worst = None if len(placed) < len(waits) else max(placed)
        rows.append(WeekWait(arrives, len(group), worst, len(placed)))
    return tuple(rows)


def _fixes(
    snapshot: Snapshot,
    today: dt.date,
    deals: Sequence[ProjectedDeal],
    bookings: Sequence[ProjectedBooking],
    medians: Mapping[Segment, float],
    target_weeks: int,
    weeks: int,
) -> dict[Segment, int | None]:
    """Advisers like the median one to add per late segment, checked by projecting again.

    The first guess is the late deals' monthly rate over the median limit; segments still
    late get more, all segments in one projection per round (they share advisers).
    """
    months = weeks / WEEKS_PER_MONTH
    late: dict[Segment, int] = {}
    for booking in bookings:
        if booking.late(target_weeks):
            late[booking.projected.segment] = late.get(booking.projected.segment, 0) + 1
    extra: dict[Segment, int] = {}
    for segment, n in late.items():
        median = medians.get(segment) or 0.0
        extra[segment] = max(1, math.ceil(n / months / median)) if median > 0 else 1
    result: dict[Segment, int | None] = {}
    pending = dict(extra)
    for _ in range(FIX_ROUNDS):
        if not pending:
            break
        sim = _with_hires(snapshot, today, {**_counts(result), **pending}, medians)
        still = {b.projected.segment for b in book_in_turn(sim, deals) if b.late(target_weeks)}
        for segment, n in list(pending.items()):
            if segment in still:
                pending[segment] = n + max(1, n // 2)
            else:
                result[segment] = n
                del pending[segment]
    result.update(dict.fromkeys(pending))  # not found: more than tried
    return result


def _counts(result: Mapping[Segment, int | None]) -> dict[Segment, int]:
    return {s: n for s, n in result.items() if n}


def _with_hires(
    snapshot: Snapshot,
    today: dt.date,
    hires: Mapping[Segment, int],
    medians: Mapping[Segment, float],
) -> BookingSimulation:
    """Today's firm plus hypothetical advisers, available now, each offering one segment."""
    sim = BookingSimulation(snapshot, build_ledger(snapshot, today))
    everyone = tuple(c for c in snapshot.closures if not c.adviser_ids and not c.regions)
    for index, (segment, n) in enumerate(hires.items()):
        limit = medians.get(segment) or snapshot.rules.default_monthly_limit
        people = tuple(
            Adviser(
                id=f"outlook-hire-{index}-{k}",
                name=f"Hypothetical hire {k + 1} ({segment.label})",
                email="",
                service_packages=frozenset({segment.package}),
                household_types=frozenset({segment.household} if segment.household else ()),
                monthly_limit=limit,
            )
            for k in range(n)
        )
        hired = Snapshot(people, closures=everyone, rules=snapshot.rules)
        sim.add_rows(build_ledger(hired, today), segment.package, segment.household)
    return sim
