"""Domain records of the allocation core: frozen, validated on construction.

Field names and defaults follow shared/spec/allocation-rules.md §2. Validation lives in
``__post_init__`` so a bad record is refused where it is made, with its id in the message.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from allocation.exceptions import InvalidInput


def normalise(name: str | None) -> str:
    """Package, household, pod and region names compare trimmed and case-insensitively."""
    return (name or "").strip().casefold()


def _frozen(values: Iterable[str] | None) -> frozenset[str]:
    if values is None:
        return frozenset()
    if isinstance(values, str):
        values = [values]
    return frozenset(v.strip() for v in values if v and v.strip())


def _trimmed(value: str | None) -> str | None:
    """Ids compare trimmed (rules §2): " a1" from a spreadsheet is adviser "a1"."""
    return value.strip() if isinstance(value, str) else value


def _trim(obj: object, *names: str) -> None:
    for name in names:
        _set(obj, name, _trimmed(getattr(obj, name)))


def _scope(kind: str, rid: object, what: str, values: Iterable[str] | None) -> frozenset[str]:
    """A closure's adviser ids or regions; listing only blank names is refused (rules §2): a
    scope that said something must not silently widen to everyone."""
    kept = _frozen(values)
    given = [values] if isinstance(values, str) else list(values or ())
    if given and not kept:
        raise InvalidInput(f"{kind} {rid!s}: its {what} are all blank; name some, or none")
    return kept


def _set(obj: object, name: str, value: Any) -> None:
    # Frozen dataclasses may only be adjusted during __post_init__ through object.__setattr__.
    object.__setattr__(obj, name, value)


def _check_range(kind: str, rid: object, start: dt.date, end: dt.date | None) -> None:
    if end is not None and end < start:
        raise InvalidInput(f"{kind} {rid!s}: end {end} is before start {start}")


def _check_limit(kind: str, rid: object, limit: float | None) -> None:
    if limit is not None and limit < 0:
        raise InvalidInput(f"{kind} {rid!s}: monthly limit {limit} is negative")


@dataclass(frozen=True)
class Adviser:
    id: str
    name: str
    email: str
    taking_on_clients: bool = True
    service_packages: frozenset[str] = frozenset()
    household_types: frozenset[str] = frozenset()
    pod_type: str = "Standard"
    monthly_limit: float | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    region: str | None = None

    def __post_init__(self) -> None:
        _trim(self, "id")
        _set(self, "service_packages", _frozen(self.service_packages))
        _set(self, "household_types", _frozen(self.household_types))
        _set(self, "region", _trimmed(self.region) or None)
        _check_limit("adviser", self.id, self.monthly_limit)
        # An end before the start is not refused (rules §2): one HubSpot typo must not stop
        # every decision. Such an adviser is never available (allocation.columns).

    def offers(self, package: str) -> bool:
        wanted = normalise(package)
        return any(normalise(p) == wanted for p in self.service_packages)

    def accepts_household(self, household: str) -> bool:
        if not self.household_types:
            return True
        wanted = normalise(household)
        return any(normalise(h) == wanted for h in self.household_types)


@dataclass(frozen=True)
class Meeting:
    id: str
    adviser_id: str
    start: dt.datetime
    kind: str
    deal_id: str | None = None

    def __post_init__(self) -> None:
        _trim(self, "id", "adviser_id", "deal_id")
        if not isinstance(self.start, dt.datetime) or self.start.utcoffset() is None:
            raise InvalidInput(f"meeting {self.id}: start {self.start!r} has no timezone")
        _set(self, "kind", normalise(self.kind))


@dataclass(frozen=True)
class Leave:
    id: str
    adviser_id: str
    start: dt.date
    end: dt.date
    day_fraction: float = 1.0

    def __post_init__(self) -> None:
        _trim(self, "id", "adviser_id")
        _check_range("leave", self.id, self.start, self.end)
        if not 0 < self.day_fraction <= 1:
            raise InvalidInput(
                f"leave {self.id}: day_fraction {self.day_fraction} is outside (0, 1]"
            )


@dataclass(frozen=True)
class Closure:
    id: str
    start: dt.date
    end: dt.date
    description: str = ""
    adviser_ids: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        _trim(self, "id")
        _set(self, "adviser_ids", _scope("closure", self.id, "adviser ids", self.adviser_ids))
        _set(self, "regions", _scope("closure", self.id, "regions", self.regions))
        _check_range("closure", self.id, self.start, self.end)

    @property
    def is_global(self) -> bool:
        return not self.adviser_ids and not self.regions

    def applies_to(self, adviser: Adviser) -> bool:
        if self.is_global or adviser.id in self.adviser_ids:
            return True
        region = normalise(adviser.region)
        return bool(region) and any(normalise(r) == region for r in self.regions)


@dataclass(frozen=True)
class Override:
    id: str
    adviser_id: str
    start: dt.date
    monthly_limit: float
    end: dt.date | None = None

    def __post_init__(self) -> None:
        _trim(self, "id", "adviser_id")
        _check_range("override", self.id, self.start, self.end)
        _check_limit("override", self.id, self.monthly_limit)


@dataclass(frozen=True)
class PendingDeal:
    deal_id: str
    adviser_id: str
    week: dt.date

    def __post_init__(self) -> None:
        _trim(self, "deal_id", "adviser_id")


@dataclass(frozen=True)
class Deal:
    id: str
    service_package: str
    household_type: str | None = None
    agreement_start: dt.date | None = None

    def __post_init__(self) -> None:
        _trim(self, "id")


def _default_pod_limits() -> dict[str, float]:
    return {"Solo Adviser": 4}


def _default_weights() -> dict[str, float]:
    return {"clarify": 1.0}


@dataclass(frozen=True)
class Rules:
    timezone: str = "Australia/Sydney"
    buffer_weeks: int = 2
    agreement_lag_weeks: int = 1
    horizon_weeks: int = 52
    history_weeks: int = 2
    default_monthly_limit: float = 6
    pod_monthly_limits: Mapping[str, float] = field(default_factory=_default_pod_limits)
    burst_weeks: float = 2
    weekly_max_new: int = 2
    meeting_weights: Mapping[str, float] = field(default_factory=_default_weights)
    prestart_weeks: int = 3
    household_exempt_packages: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        try:
            zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise InvalidInput(f"rules: unknown timezone {self.timezone!r}") from exc
        for name in ("buffer_weeks", "agreement_lag_weeks", "history_weeks", "prestart_weeks"):
            if getattr(self, name) < 0:
                raise InvalidInput(f"rules: {name} must not be negative")
        if self.horizon_weeks < 1:
            raise InvalidInput("rules: horizon_weeks must be at least 1")
        if self.burst_weeks <= 0:
            raise InvalidInput("rules: burst_weeks must be positive")
        _check_limit("rules", "default", self.default_monthly_limit)
        for pod, limit in self.pod_monthly_limits.items():
            _check_limit("rules pod", pod, limit)
        for kind, weight in self.meeting_weights.items():
            if weight < 0:
                raise InvalidInput(f"rules: meeting weight for {kind!r} is negative")
        # Copies, so a caller's dict cannot change a frozen Rules behind its back.
        _set(self, "pod_monthly_limits", dict(self.pod_monthly_limits))
        _set(self, "meeting_weights", {normalise(k): v for k, v in self.meeting_weights.items()})
        _set(self, "household_exempt_packages", _frozen(self.household_exempt_packages))

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def pod_default(self, pod_type: str) -> float:
        wanted = normalise(pod_type)
        for pod, limit in self.pod_monthly_limits.items():
            if normalise(pod) == wanted:
                return limit
        return self.default_monthly_limit

    def limit_for(self, adviser: Adviser) -> float:
        if adviser.monthly_limit is not None:
            return adviser.monthly_limit
        return self.pod_default(adviser.pod_type)

    def household_exempt(self, package: str) -> bool:
        wanted = normalise(package)
        return any(normalise(p) == wanted for p in self.household_exempt_packages)
