"""Read-only views of the ledger for the heatmap and the adviser schedule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from allocation import Adviser, Leave, Ledger, Meeting, Override, Snapshot, normalise, reasons
from allocation.eligibility import eligibility_of, exclusion_codes
from allocation.model import Deal

ADVISER_COLUMNS = [
    "adviser_id", "adviser", "email", "pod", "region", "taking_on_clients", "packages",
    "households", "start_date", "end_date",
]  # fmt: skip


def offer_words(adviser: Adviser) -> dict[str, str]:
    """What an adviser takes on, as every adviser table shows it."""
    return {
        "packages": ", ".join(sorted(adviser.service_packages)),
        "households": ", ".join(sorted(adviser.household_types)) or "Any",
    }


def advisers_frame(advisers: Sequence[Adviser]) -> pd.DataFrame:
    rows = [
        {
            "adviser_id": a.id,
            "adviser": a.name,
            "email": a.email,
            "pod": a.pod_type,
            "region": a.region,
            "taking_on_clients": a.taking_on_clients,
            **offer_words(a),
            "start_date": a.start_date,
            "end_date": a.end_date,
        }
        for a in sorted(advisers, key=lambda a: (a.name.casefold(), a.id))
    ]
    return pd.DataFrame(rows, columns=ADVISER_COLUMNS)


def heatmap_base(snapshot: Snapshot, ledger: Ledger) -> pd.DataFrame:
    """One row per adviser-week of the horizon, with adviser attributes for filtering.

    Per adviser it also carries what the allocator ranks by (rules §6) for a deal with no
    agreement date: ``earliest_week`` and ``tie_utilisation`` (utilisation up to that week,
    the first tie-break), and ``excluded``, the eligibility rule the adviser fails whatever
    the deal (not taking on clients), so the heatmap can order and mark rows as the
    allocator would (``filter_heatmap`` narrows ``excluded`` to the filters chosen).
    """
    frame = ledger.to_frame(detail=True)
    frame = frame[frame["week"] >= ledger.current_week].reset_index(drop=True)
    earn = frame["earn"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["utilisation"] = np.where(earn > 0, frame["load"].to_numpy(float) / earn, np.nan)
    people = advisers_frame(snapshot.advisers)
    earliest, tie = _allocator_order(ledger)
    people["earliest_week"] = people["adviser_id"].map(earliest)
    people["tie_utilisation"] = people["adviser_id"].map(tie)
    people["excluded"] = [
        None if taking else reasons.NOT_TAKING_CLIENTS for taking in people["taking_on_clients"]
    ]
    frame = frame.merge(people, on="adviser_id", how="left")
    return frame


def _allocator_order(ledger: Ledger) -> tuple[dict[str, dt.date | None], dict[str, float]]:
    """Each adviser's earliest open week and utilisation up to it, as ``allocate`` ranks."""
    columns = ledger.earliest_indices(ledger.reason_codes(ledger.first_allowed_index()))
    rows = np.flatnonzero(columns >= 0)
    utilisation = ledger.utilisation(rows, columns[rows])
    ids = ledger.adviser_ids
    earliest = {
        a: ledger.weeks[c] if c >= 0 else None for a, c in zip(ids, columns.tolist(), strict=True)
    }
    tie = {ids[r]: float(u) for r, u in zip(rows.tolist(), utilisation.tolist(), strict=True)}
    return earliest, tie


def filter_heatmap(
    frame: pd.DataFrame,
    snapshot: Snapshot,
    package: str | None = None,
    household: str | None = None,
    pods: Sequence[str] = (),
    regions: Sequence[str] = (),
    taking_only: bool = False,
) -> pd.DataFrame:
    """The advisers the filters keep. Those who do not offer the package or household are
    left out; those who do but are not taking on clients stay (unless ``taking_only``), with
    ``excluded`` saying so, so the heatmap never draws them as open for a new client. What
    is left then matches the allocator's eligibility for a deal of that package and
    household (rules §3.1–3)."""
    offered = _offering(snapshot, package, household)
    keep = {a.id for a in snapshot.advisers if offered.get(a.id, False)}
    if pods:
        wanted = {normalise(p) for p in pods}
        keep &= {a.id for a in snapshot.advisers if normalise(a.pod_type) in wanted}
    if regions:
        wanted = {normalise(r) for r in regions}
        keep &= {a.id for a in snapshot.advisers if normalise(a.region) in wanted}
    if taking_only:
        keep &= {a.id for a in snapshot.advisers if a.taking_on_clients}
    return frame[frame["adviser_id"].isin(keep)].reset_index(drop=True)


def _offering(snapshot: Snapshot, package: str | None, household: str | None) -> dict[str, bool]:
    """Per adviser: whether they offer this package and household, asked as the allocator
    asks (``exclusion_codes``) but as if everyone took clients: "not taking clients", checked
    first, would otherwise hide that an adviser does not offer the package at all."""
    advisers = snapshot.advisers
    if package:
        deal = Deal("filter", package, household or None)
        everyone = replace(eligibility_of(snapshot), taking=np.ones(len(advisers), dtype=bool))
        codes = exclusion_codes(everyone, deal).tolist()
        return {a.id: code == 0 for a, code in zip(advisers, codes, strict=True)}
    if household:
        return {a.id: a.accepts_household(household) for a in advisers}
    return {a.id: True for a in advisers}


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
        # The allocator skips an adviser not taking on clients: no week is "earliest" for them.
        earliest_week=ledger.earliest_week(adviser_id) if adviser.taking_on_clients else None,
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
