"""Small builders for the core's records, so tests read like the rules they check."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

from allocation import Adviser, Closure, Leave, Meeting, Override, PendingDeal, Rules, Snapshot

SYDNEY = zoneinfo.ZoneInfo("Australia/Sydney")
_ids = itertools.count(1)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def adviser(
    id: str = "dana",
    name: str | None = None,
    packages: tuple[str, ...] = ("Series A",),
    households: tuple[str, ...] = (),
    **kw: object,
) -> Adviser:
    return Adviser(
        id=id,
        name=name or id.title(),
        email=f"{id}@example.com",
        service_packages=frozenset(packages),
        household_types=frozenset(households),
        **kw,  # type: ignore[arg-type]
    )


def clarify(adviser_id: str, day: str, hour: int = 10, deal_id: str | None = None) -> Meeting:
    start = dt.datetime.combine(d(day), dt.time(hour), tzinfo=SYDNEY)
    return Meeting(f"m{next(_ids)}", adviser_id, start, "clarify", deal_id)


def kickoff(adviser_id: str, day: str) -> Meeting:
    start = dt.datetime.combine(d(day), dt.time(10), tzinfo=SYDNEY)
    return Meeting(f"m{next(_ids)}", adviser_id, start, "kickoff")


def leave(adviser_id: str, start: str, end: str, fraction: float = 1.0) -> Leave:
    return Leave(f"l{next(_ids)}", adviser_id, d(start), d(end), fraction)


def closure(start: str, end: str, advisers: tuple[str, ...] = (), regions: tuple[str, ...] = ()):
    return Closure(
        f"c{next(_ids)}",
        d(start),
        d(end),
        adviser_ids=frozenset(advisers),
        regions=frozenset(regions),
    )


def override(adviser_id: str, start: str, limit: float, end: str | None = None, id: str = ""):
    return Override(id or f"o{next(_ids)}", adviser_id, d(start), limit, d(end) if end else None)


def pending(deal_id: str, adviser_id: str, week: str) -> PendingDeal:
    return PendingDeal(deal_id, adviser_id, d(week))


def snapshot(*advisers: Adviser, rules: Rules | None = None, **records: object) -> Snapshot:
    return Snapshot(advisers=advisers, rules=rules or Rules(), **records)  # type: ignore[arg-type]
