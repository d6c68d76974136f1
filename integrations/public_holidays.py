"""Public holidays as office closures, from the ``holidays`` package (no network).

Only weekdays become closures: a holiday on a weekend closes nothing the ledger counts, and
its observed weekday (e.g. "Boxing Day (observed)") is a holiday of its own. A closure is
scoped to the subdivision's region so only advisers there lose the day; ids are stable
(``ph-AU-NSW-2026-01-26``), so a re-import replaces rather than duplicates.
"""

from __future__ import annotations

import holidays

from allocation import Closure
from services.errors import ConfigurationError


def _calendar(country: str, subdivision: str | None, year: int) -> holidays.HolidayBase:
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise ConfigurationError(f"public holidays: unknown country code {country!r}")
    if subdivision is not None and subdivision not in supported[country]:
        raise ConfigurationError(
            f"public holidays: {country} has no subdivision {subdivision!r}; "
            f"choose one of {', '.join(supported[country])}"
        )
    return holidays.country_holidays(country, subdiv=subdivision, years=year)


def public_holidays(
    country: str, subdivision: str | None, year: int, *, region: str | None = None
) -> list[Closure]:
    """Weekday public holidays of ``country`` (and ``subdivision``) in ``year`` as closures.

    ``region`` names the advisers' region the closures apply to; it defaults to the
    subdivision code. Without a subdivision the national holidays close every office.
    """
    country = country.strip().upper()
    subdivision = subdivision.strip().upper() if subdivision and subdivision.strip() else None
    calendar = _calendar(country, subdivision, year)
    scope = region or subdivision
    prefix = "-".join(p.replace(" ", "_") for p in ("ph", country, subdivision) if p)
    return [
        Closure(
            id=f"{prefix}-{day.isoformat()}",
            start=day,
            end=day,
            description=name,
            regions=frozenset({scope}) if scope else frozenset(),
        )
        for day, name in sorted(calendar.items())
        if day.weekday() < 5
    ]
