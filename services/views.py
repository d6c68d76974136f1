"""Read-only views of the ledger for the heatmap and the adviser schedule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from allocation import Adviser, Leave, Ledger, Meeting, Override, Snapshot, normalise
from allocation.decision import exclusion_reason
from allocation.model import Deal

ADVISER_COLUMNS = [
    "adviser_id", "adviser", "email", "pod", "region", "taking_on_clients", "packages",
    "households", "start_date", "end_date",
]  # fmt: skip


def advisers_frame(advisers: Sequence[Adviser]) -> pd.DataFrame:
    rows = [
        {
            "adviser_id": a.id,
            "adviser": a.name,
            "email": a.email,
            "pod": a.pod_type,
            "region": a.region,
            "taking_on_clients": a.taking_on_clients,
            "packages": ", ".join(sorted(a.service_packages)),
            "households": ", ".join(sorted(a.household_types)) or "Any",
            "start_date": a.start_date,
            "end_date": a.end_date,
        }
        for a in sorted(advisers, key=lambda a: (a.name.casefold(), a.id))
    ]
    return pd.DataFrame(rows, columns=ADVISER_COLUMNS)


def heatmap_base(snapshot: Snapshot, ledger: Ledger) -> pd.DataFrame:
    """One row per adviser-week of the horizon, with adviser attributes for filtering."""
    frame = ledger.to_frame(detail=True)
    frame = frame[frame["week"] >= ledger.current_week].reset_index(drop=True)
    earn = frame["earn"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["utilisation"] = np.where(earn > 0, frame["load"].to_numpy(float) / earn, np.nan)
    earliest = ledger.earliest_weeks()
    people = advisers_frame(snapshot.advisers)
    people["earliest_week"] = people["adviser_id"].map(earliest)
    frame = frame.merge(people, on="adviser_id", how="left")
    return frame


def filter_heatmap(
    frame: pd.DataFrame,
    snapshot: Snapshot,
    package: str | None = None,
    household: str | None = None,
    pods: Sequence[str] = (),
    regions: Sequence[str] = (),
    taking_only: bool = False,
) -> pd.DataFrame:
    keep = set(frame["adviser_id"].unique())
    if package:
        deal = Deal("filter", package, household or None)
        # Asked as if every adviser took clients: otherwise "not taking clients", checked
        # first, would hide that the adviser does not offer the package at all.
        keep &= {
            a.id
            for a in snapshot.advisers
            if exclusion_reason(replace(a, taking_on_clients=True), deal, snapshot.rules) is None
        }
    elif household:
        keep &= {a.id for a in snapshot.advisers if a.accepts_household(household)}
    if pods:
        wanted = {normalise(p) for p in pods}
        keep &= {a.id for a in snapshot.advisers if normalise(a.pod_type) in wanted}
    if regions:
        wanted = {normalise(r) for r in regions}
        keep &= {a.id for a in snapshot.advisers if normalise(a.region) in wanted}
    if taking_only:
        keep &= {a.id for a in snapshot.advisers if a.taking_on_clients}
    return frame[frame["adviser_id"].isin(keep)].reset_index(drop=True)


@dataclass(frozen=True)
class AdviserSchedule:
    adviser: Adviser
    weeks: pd.DataFrame  # the ledger's detail rows for this adviser, history included
    earliest_week: dt.date | None
    meetings: tuple[Meeting, ...]
    leave: tuple[Leave, ...]
    overrides: tuple[Override, ...]


def schedule(snapshot: Snapshot, ledger: Ledger, adviser_id: str) -> AdviserSchedule:
    adviser = next((a for a in snapshot.advisers if a.id == adviser_id), None)
    if adviser is None:
        raise KeyError(f"adviser {adviser_id!r} is not known")
    frame = ledger.to_frame(detail=True)
    weeks = frame[frame["adviser_id"] == adviser_id].reset_index(drop=True)
    return AdviserSchedule(
        adviser=adviser,
        weeks=weeks,
        earliest_week=ledger.earliest_week(adviser_id),
        meetings=tuple(sorted(snapshot.meetings_of(adviser_id), key=lambda m: m.start)),
        leave=tuple(
            sorted((x for x in snapshot.leave if x.adviser_id == adviser_id), key=lambda x: x.start)
        ),
        overrides=tuple(
            sorted(
                (o for o in snapshot.overrides if o.adviser_id == adviser_id), key=lambda o: o.start
            )
        ),
    )
