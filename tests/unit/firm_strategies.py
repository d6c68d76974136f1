"""Hypothesis strategies for small random firms with every kind of record, and ledger checks.

The firms are made to reach the corners the core must get right: names with odd case and
spaces, meetings in several timezones at any hour (local dates differ from UTC ones),
overlapping part-day leave, global, named and regional closures, overlapping overrides,
pending deals in past weeks, beyond the horizon, for unknown advisers or already carried by a
Clarify meeting.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import numpy as np
from hypothesis import strategies as st

from allocation import (
    Adviser,
    Closure,
    Deal,
    Leave,
    Ledger,
    Meeting,
    Override,
    PendingDeal,
    Rules,
    Snapshot,
)
from tests.builders import SYDNEY, d

TODAY = d("2026-03-11")
TOLERANCE = 1e-9
ZONES = (SYDNEY, dt.UTC, zoneinfo.ZoneInfo("Pacific/Auckland"))
PACKAGES = ("Seed", "Series A", " series a ", "IPO")
HOUSEHOLDS = ("Single", "COUPLE", " couple")
REGIONS = (None, "", "NSW", " nsw", "VIC")
DEAL_IDS = tuple(f"deal{k}" for k in range(8))
RULES = (
    Rules(),
    Rules(meeting_weights={"clarify": 1.0, " Kickoff": 0.5}, household_exempt_packages={"IPO"}),
    Rules(buffer_weeks=0, horizon_weeks=12, history_weeks=1, weekly_max_new=3, burst_weeks=1.5),
)
LEDGER_ARRAYS = (
    "avail", "closure_days", "leave_days", "monthly_limit", "earn", "cap", "meeting_load",
    "pending_load", "load", "starts", "balance", "absorb",
)  # fmt: skip

day_offsets = st.integers(min_value=-30, max_value=400)


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


@st.composite
def advisers(draw: st.DrawFn) -> tuple[Adviser, ...]:
    n = draw(st.integers(min_value=1, max_value=5))
    people = []
    for k in range(n):
        start = draw(st.none() | day_offsets.map(day))
        people.append(
            Adviser(
                id=f"a{k}",
                name=draw(st.sampled_from(["Ann", "ann", "Bo", "Cy"])),
                email=f"a{k}@example.com",
                taking_on_clients=k == 0 or draw(st.booleans()),
                service_packages=frozenset(
                    {"Series A"} if k == 0 else draw(st.sets(st.sampled_from(PACKAGES)))
                ),
                household_types=frozenset(draw(st.sets(st.sampled_from(HOUSEHOLDS)))),
                pod_type=draw(st.sampled_from(["Standard", " solo adviser"])),
                monthly_limit=draw(st.sampled_from([None, 0, 2, 6, 8])),
                start_date=start if k else None,
                end_date=draw(st.none() | day_offsets.map(day)) if k else None,
                region=draw(st.sampled_from(REGIONS)),
            )
        )
    return tuple(people)


@st.composite
def meetings(draw: st.DrawFn, ids: list[str]) -> tuple[Meeting, ...]:
    count = draw(st.integers(min_value=0, max_value=25))
    return tuple(
        Meeting(
            f"m{k}",
            draw(st.sampled_from([*ids, "ghost"])),
            dt.datetime.combine(
                day(draw(day_offsets)),
                dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30]))),
                draw(st.sampled_from(ZONES)),
            ),
            draw(st.sampled_from(["clarify", "Clarify ", "kickoff", "review"])),
            draw(st.none() | st.sampled_from(DEAL_IDS)),
        )
        for k in range(count)
    )


@st.composite
def pending_deals(draw: st.DrawFn, ids: list[str], max_size: int = 6) -> tuple[PendingDeal, ...]:
    count = draw(st.integers(min_value=0, max_value=max_size))
    return tuple(
        PendingDeal(
            draw(st.sampled_from(DEAL_IDS)) if draw(st.booleans()) else f"p{k}",
            draw(st.sampled_from([*ids, "ghost"])),
            day(draw(st.integers(min_value=-60, max_value=420))),
        )
        for k in range(count)
    )


@st.composite
def firms(draw: st.DrawFn) -> Snapshot:
    people = draw(advisers())
    ids = [a.id for a in people]
    leave = []
    for k in range(draw(st.integers(min_value=0, max_value=6))):
        start = day(draw(day_offsets))
        end = start + dt.timedelta(days=draw(st.integers(min_value=0, max_value=14)))
        fraction = draw(st.sampled_from([0.1, 0.2, 0.5, 0.7, 1.0]))
        leave.append(Leave(f"l{k}", draw(st.sampled_from([*ids, "ghost"])), start, end, fraction))
    closures = []
    for k in range(draw(st.integers(min_value=0, max_value=3))):
        start = day(draw(day_offsets))
        closures.append(
            Closure(
                f"c{k}",
                start,
                start + dt.timedelta(days=draw(st.integers(min_value=0, max_value=9))),
                adviser_ids=frozenset(draw(st.sets(st.sampled_from([*ids, "ghost"]), max_size=2))),
                regions=frozenset(
                    draw(st.sets(st.sampled_from(["NSW", " vic", "WA"]), max_size=2))
                ),
            )
        )
    overrides = []
    for k in range(draw(st.integers(min_value=0, max_value=3))):
        start = day(draw(day_offsets))
        length = draw(st.none() | st.integers(min_value=0, max_value=90))
        overrides.append(
            Override(
                f"o{k}",
                draw(st.sampled_from(ids)),
                start,
                draw(st.sampled_from([0, 1, 3, 8])),
                None if length is None else start + dt.timedelta(days=length),
            )
        )
    return Snapshot(
        people,
        draw(meetings(ids)),
        tuple(leave),
        tuple(closures),
        tuple(overrides),
        draw(pending_deals(ids)),
        draw(st.sampled_from(RULES)),
    )


def deals() -> st.SearchStrategy[Deal]:
    return st.builds(
        Deal,
        id=st.just("new"),
        service_package=st.sampled_from([*PACKAGES, "Unknown"]),
        household_type=st.none() | st.sampled_from(HOUSEHOLDS),
        agreement_start=st.none() | st.integers(min_value=-20, max_value=200).map(day),
    )


def assert_same_ledger(got: Ledger, want: Ledger) -> None:
    """Every figure within 1e-9, and the same open weeks and reasons."""
    assert got.adviser_ids == want.adviser_ids
    assert got.weeks == want.weeks
    for name in LEDGER_ARRAYS:
        np.testing.assert_allclose(
            getattr(got, name), getattr(want, name), rtol=0, atol=TOLERANCE, err_msg=name
        )
    assert (
        got.reason_codes(got.first_allowed_index()) == want.reason_codes(want.first_allowed_index())
    ).all()
