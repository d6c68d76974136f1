"""``svc.outlook``: the capacity outlook — demand from the allocation history, the core's
projection (``allocation.outlook``), and the tables the Outlook page and its CSV show.

Demand is the deals decided per segment over the last 4, 13 and 52 weeks (every decision,
allocated or not: a deal nobody could take was demand too). The projection continues the
rate of the window the reader picks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from allocation import Adviser, InvalidInput, build_ledger, normalise
from allocation.outlook import (
    Outlook,
    ProjectedBooking,
    Segment,
    batch_deals,
    outlook,
    segments_of,
    simulate,
)
from services.context import Context
from services.errors import BadRequest
from services.preview import WhatIf, preview_deal, with_what_if
from services.records import WRITEBACK_PENDING, AllocationRecord, OutlookDay
from services.syncing import SOURCES

if TYPE_CHECKING:
    from services.outlook_alerts import Delivery

DEMAND_WINDOWS = (4, 13, 52)
DEFAULT_BASIS_WEEKS = 13
TREND_DAYS = 90
PLACES_TREND_WEEKS = 8  # the places the trend keeps: within this many weeks
DEMAND_LIMIT = 20_000  # a year of decisions at a large firm's rate, and then some
BATCH_MAX_DEALS = 200
BATCH_MAX_WEEKS = 26


@dataclass(frozen=True)
class Demand:
    """Deals decided per segment in each of ``DEMAND_WINDOWS`` (weeks), counted up to ``now``."""

    now: dt.datetime
    counts: Mapping[Segment, tuple[int, ...]]

    def per_week(self, window: int) -> dict[Segment, float]:
        index = DEMAND_WINDOWS.index(window)
        return {s: counts[index] / window for s, counts in self.counts.items()}


@dataclass(frozen=True)
class OutlookView:
    outlook: Outlook
    demand: Demand
    basis_weeks: int


@dataclass(frozen=True)
class Batch:
    """Where each of a batch of deals would land, on the saved data and with the what-if."""

    segment: Segment
    before: tuple[ProjectedBooking, ...]
    after: tuple[ProjectedBooking, ...] | None  # None: no what-if to compare with
    advisers: tuple[Adviser, ...]


def segment_of(record: AllocationRecord, segments: Sequence[Segment]) -> Segment:
    """The segment a decided deal belongs to: its package and household as advisers offer
    them (a package not matched by household is one segment; no household: any household)."""
    package, household = normalise(record.service_package), normalise(record.household_type)
    for segment in segments:
        key = segment.key()
        if key[0] == package and (key[1] == household or not key[1]):
            return segment
    return Segment(record.service_package.strip(), (record.household_type or "").strip() or None)


def demand_of(
    records: Iterable[AllocationRecord], segments: Sequence[Segment], now: dt.datetime
) -> Demand:
    counts: dict[Segment, list[int]] = {s: [0] * len(DEMAND_WINDOWS) for s in segments}
    for record in records:
        age = now - record.decided_at
        if age < dt.timedelta(0):
            continue
        segment = segment_of(record, segments)
        row = counts.setdefault(segment, [0] * len(DEMAND_WINDOWS))
        for k, weeks in enumerate(DEMAND_WINDOWS):
            if age <= dt.timedelta(weeks=weeks):
                row[k] += 1
    return Demand(now, {s: tuple(c) for s, c in counts.items()})


class OutlookFeature:
    """Places, demand, projected waits and the fix per segment, read-only."""

    def __init__(self, context: Context) -> None:
        self._context = context

    def target_weeks(self) -> int:
        return self._context.console_settings().value.outlook_target_weeks

    def demand(self) -> Demand:
        context = self._context
        now = context.now()
        since = now - dt.timedelta(weeks=max(DEMAND_WINDOWS))
        records = context.store.list_allocations(since=since, limit=DEMAND_LIMIT)
        return demand_of(records, self._segments(), now)

    def outlook(self, basis_weeks: int = DEFAULT_BASIS_WEEKS) -> OutlookView:
        """The outlook at the demand rate of the last ``basis_weeks`` (one of 4, 13, 52),
        computed once per state of the firm (``Context.derived``)."""
        if basis_weeks not in DEMAND_WINDOWS:
            raise BadRequest(f"demand is measured over {DEMAND_WINDOWS} weeks; got {basis_weeks}")
        target = self.target_weeks()

        def make(_: object) -> OutlookView:
            demand = self.demand()
            prepared = self._context.prepared()
            households = self._context.console_settings().value.household_types
            result = outlook(
                prepared.snapshot,
                prepared.today,
                demand.per_week(basis_weeks),
                target_weeks=target,
                households=households,
            )
            return OutlookView(result, demand, basis_weeks)

        return self._context.derived(f"outlook.{basis_weeks}.{target}", make)

    def batch(
        self,
        package: str,
        household: str | None,
        count: int,
        weeks: int,
        what_if: WhatIf | None = None,
    ) -> Batch:
        """``count`` deals of a segment arriving evenly over the next ``weeks`` weeks, booked
        one after another (nothing saved), before and after the unsaved what-if records."""
        if not 1 <= count <= BATCH_MAX_DEALS:
            raise BadRequest(f"a batch is 1 to {BATCH_MAX_DEALS} deals; got {count}")
        if not 1 <= weeks <= BATCH_MAX_WEEKS:
            raise BadRequest(f"a batch arrives over 1 to {BATCH_MAX_WEEKS} weeks; got {weeks}")
        deal = preview_deal(package, household, None)
        segment = Segment(deal.service_package, deal.household_type)
        prepared = self._context.prepared()
        snapshot, today = prepared.snapshot, prepared.today
        deals = batch_deals(segment, count, today, weeks, snapshot.rules)
        before = simulate(snapshot, today, deals)
        after = None
        if what_if is not None and not what_if.empty:
            try:
                after = simulate(with_what_if(snapshot, what_if), today, deals)
            except InvalidInput as exc:
                raise BadRequest(f"what-if: {exc}") from exc
        return Batch(segment, before, after, snapshot.advisers)

    def record_day(self, basis_weeks: int = DEFAULT_BASIS_WEEKS) -> list[OutlookDay]:
        """Keep today's figures per segment for the trend (a second run today replaces them)."""
        view = self.outlook(basis_weeks)
        days = day_records(view, self._context.today())
        self._context.store.save_outlook_days(days)
        return days

    def trend(self, days: int = TREND_DAYS) -> pd.DataFrame:
        """The kept days of the last ``days`` days, one row per day and segment."""
        since = self._context.today() - dt.timedelta(days=days)
        rows = [
            {
                "Day": d.day,
                "Segment": d.segment,
                "Soonest start": d.soonest_week,
                "Weeks to soonest start": None
                if d.soonest_week is None
                else (d.soonest_week - d.day).days // 7,
                f"Places within {PLACES_TREND_WEEKS} weeks": d.places_8_weeks,
                "Projected deals late": d.late_deals,
            }
            for d in self._context.store.list_outlook_days(since)
        ]
        columns = ["Day", "Segment", "Soonest start", "Weeks to soonest start"]
        columns += [f"Places within {PLACES_TREND_WEEKS} weeks", "Projected deals late"]
        return pd.DataFrame(rows, columns=columns)

    def send_alerts(self, digest: bool = False) -> Delivery:
        """Post today's capacity alerts not sent yet (and the digest when asked) to Chat;
        those Chat did not take are reported and left for the next run."""
        # Imported here: the alerts module reads this one's views.
        from services import outlook_alerts as alerts

        context = self._context
        store, settings = context.store, context.console_settings().value
        view = self.outlook()
        today, now = context.today(), context.now()
        prepared = context.prepared()
        advisers = prepared.snapshot.advisers
        last = {s: runs[0] for s in SOURCES if (runs := store.list_sync_runs(s, 1))}
        stale = alerts.stale_alerts(last, settings.stale_after_hours, now, today)
        notices = alerts.segment_alerts(view, today, settings.outlook_min_places)
        notices += alerts.override_alerts(
            [v.value for v in store.list_overrides()], advisers, today
        )
        notices += stale
        if digest:
            ledger = build_ledger(prepared.snapshot, prepared.today)
            away_now = ledger.avail[:, ledger.current_index] < 1
            away = [a.name for a, out in zip(advisers, away_now.tolist(), strict=True) if out]
            waiting = len(store.list_allocations(status=WRITEBACK_PENDING, limit=DEMAND_LIMIT))
            sources = [n.key.rsplit("|", 1)[-1] for n in stale]
            notices.append(alerts.monday_digest(view, today, away, waiting, sources))
        return alerts.send(store, context.notifier, notices)

    def _segments(self) -> tuple[Segment, ...]:
        households = self._context.console_settings().value.household_types
        return segments_of(self._context.snapshot(), households)


def segments_frame(view: OutlookView) -> pd.DataFrame:
    """One row per segment, in the words the page shows and the CSV keeps."""
    result = view.outlook
    rows = []
    for seg in result.segments:
        counts = view.demand.counts.get(seg.segment, (0,) * len(DEMAND_WINDOWS))
        row: dict[str, object] = {
            "Segment": seg.segment.label,
            "Advisers": seg.advisers,
            "Soonest start": seg.soonest_week,
        }
        places = zip(result.places_weeks, seg.places, strict=True)
        row |= {f"Places within {w} weeks": n for w, n in places}
        row |= {
            f"Deals a week (last {w} weeks)": round(n / w, 2)
            for w, n in zip(DEMAND_WINDOWS, counts, strict=True)
        }
        row |= {
            "Wait first over target": seg.breach_week,
            "Projected deals late": seg.late_deals,
            "Advisers to add": seg.extra_advisers,
            "Extra clients a month": seg.extra_monthly,
        }
        rows.append(row)
    return pd.DataFrame(rows)


def waits_frame(view: OutlookView) -> pd.DataFrame:
    """Per segment and arrival week: deals expected, placed, and the longest wait (weeks)."""
    rows = [
        {
            "Segment": seg.segment.label,
            "Week arriving": w.arrives,
            "Deals expected": w.deals,
            "Placed": w.placed,
            "Longest wait (weeks)": w.worst_wait,
            "Over target": w.worst_wait is None or w.worst_wait > view.outlook.target_weeks,
        }
        for seg in view.outlook.segments
        for w in seg.weeks
    ]
    columns = ["Segment", "Week arriving", "Deals expected", "Placed"]
    columns += ["Longest wait (weeks)", "Over target"]
    return pd.DataFrame(rows, columns=columns)


def batch_frame(batch: Batch) -> pd.DataFrame:
    """One row per deal of the batch: when it arrives, who takes it and from when, before and
    (with a what-if) after."""
    names = {a.id: a.name for a in batch.advisers}

    def who(booking: ProjectedBooking) -> str:
        if booking.adviser_id is None:
            return "nobody within the horizon"
        return names.get(booking.adviser_id, booking.adviser_id)

    rows = []
    for n, booking in enumerate(batch.before, start=1):
        row: dict[str, object] = {
            "Deal": n,
            "Arrives": booking.projected.arrives,
            "Adviser": who(booking),
            "Starts": booking.week,
            "Wait (weeks)": booking.wait_weeks,
        }
        if batch.after is not None:
            later = batch.after[n - 1]
            row |= {
                "Adviser after what-if": who(later),
                "Starts after what-if": later.week,
                "Wait after what-if (weeks)": later.wait_weeks,
            }
        rows.append(row)
    return pd.DataFrame(rows)


def day_records(view: OutlookView, day: dt.date) -> list[OutlookDay]:
    result = view.outlook
    at = result.places_weeks.index(PLACES_TREND_WEEKS)
    return [
        OutlookDay(day, s.segment.label, s.soonest_week, s.places[at], s.late_deals, s.breach_week)
        for s in result.segments
    ]
