"""Which stored advisers the core can decide on, and the others with the reason in words.

The core refuses what it cannot decide on (``InvalidInput``) and keeps doing so for direct
callers; the snapshot loader (``services.snapshots``) screens what it read here first, so one
bad record leaves everyone else allocatable (``services.data_quality`` shows what was left out).
"""

from __future__ import annotations

from collections.abc import Sequence

from allocation import Adviser, Closure, normalise
from services.records import ExcludedRecord
from services.words import day


def screen_advisers(
    advisers: Sequence[Adviser],
) -> tuple[tuple[Adviser, ...], tuple[ExcludedRecord, ...]]:
    """The advisers the core can decide on, and those left out with the reason.

    Of an adviser listed more than once under one id, the copy first by name is used, so every
    store (whatever order it lists rows in) decides on the same one."""
    copies: dict[str, list[Adviser]] = {}
    for adviser in advisers:
        copies.setdefault(adviser.id, []).append(adviser)
    kept: list[Adviser] = []
    excluded: list[ExcludedRecord] = []
    for same in copies.values():
        adviser = min(same, key=lambda a: (a.name.casefold(), a.name, a.email))
        if len(same) > 1:
            names = ", ".join(sorted(a.name for a in same))
            reason = (
                f"listed {len(same)} times under the same id ({names}); only {adviser.name} is used"
            )
            excluded.append(ExcludedRecord("adviser", adviser.id, reason))
        start, end = adviser.start_date, adviser.end_date
        if start is not None and end is not None and end < start:
            reason = (
                f"{adviser.name} ends on {day(end)}, before starting on {day(start)}; "
                "left out of every decision until one date is fixed"
            )
            excluded.append(ExcludedRecord("adviser", adviser.id, reason))
            continue
        kept.append(adviser)
    return tuple(kept), tuple(excluded)


def describe(record: ExcludedRecord) -> str:
    """One excluded record in words: "adviser 71289: Ann Lee ends on … before starting …"."""
    return f"{record.kind} {record.record_id}: {record.reason}"


def summary(records: Sequence[ExcludedRecord]) -> str:
    if not records:
        return ""
    noun = "record" if len(records) == 1 else "records"
    return f"{len(records)} {noun} excluded from decisions"


def reaching_nobody(closures: Sequence[Closure], advisers: Sequence[Adviser]) -> str | None:
    """ "N closures apply to no adviser (no adviser has region X)", or None when each closure
    closes someone. A public holiday scoped to a region nobody has closes nobody: the office is
    shut and deals land in that week anyway."""
    idle = [c for c in closures if not c.is_global and not any(c.applies_to(a) for a in advisers)]
    if not idle:
        return None
    held = {normalise(a.region) for a in advisers if a.region}
    regions = sorted({r for c in idle for r in c.regions if normalise(r) not in held})
    noun = "closure applies" if len(idle) == 1 else "closures apply"
    why = f" (no adviser has region {' or '.join(regions)})" if regions else ""
    return f"{len(idle)} {noun} to no adviser{why}"


def without_region(closures: Sequence[Closure], advisers: Sequence[Adviser]) -> int:
    """Advisers no regional closure can reach, when there are regional closures at all."""
    if not any(c.regions for c in closures):
        return 0
    return sum(1 for a in advisers if not a.region)
