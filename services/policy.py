"""The bounds every setting keeps, checked where a person sets them and where any entry point
reads them, so no stored value can take a page or a decision down.

A horizon of 100,000 weeks once drew a 227 MB heatmap; a monthly limit of a billion was taken
as given; a write-back property of ``dealname`` would have overwritten deals' names in HubSpot.
Editing refuses such values, naming the field, the bound and the value (``problems``). Reading
clamps a stored value that is out of bounds to the nearest bound and says so (``bounded``):
settings saved before the bounds existed, or edited outside the console, still load.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from allocation import Rules
from services.errors import RowProblem
from services.ports import Store
from services.records import ConsoleSettings, Versioned

# (lowest, highest) of each number people set; a value outside is refused when typed.
RULE_BOUNDS: dict[str, tuple[float, float]] = {
    "horizon_weeks": (4, 104),
    "buffer_weeks": (0, 12),
    "agreement_lag_weeks": (0, 12),
    "history_weeks": (0, 12),
    "weekly_max_new": (1, 10),
    "default_monthly_limit": (0, 100),
    "burst_weeks": (0.5, 12),
    "prestart_weeks": (0, 26),
}
TABLE_BOUNDS: dict[str, tuple[float, float]] = {
    "pod_monthly_limits": (0, 100),
    "meeting_weights": (0, 10),
}
POLICY_BOUNDS: dict[str, tuple[float, float]] = {
    "stale_after_hours": (1, 24 * 30),
    "outlook_target_weeks": (1, 26),
    "outlook_min_places": (0, 100),
}
MONTHLY_LIMIT = (0.0, 100.0)  # an adviser's own limit and an override's, too
# Where the chosen adviser is written on a deal: the firm's own property, or the owner.
STANDARD_WRITEBACK = ("advisor", "hubspot_owner_id")
PROPERTY_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
# HubSpot's own deal properties a write-back must never overwrite, when HubSpot cannot be asked.
HUBSPOT_DEAL_PROPERTIES = frozenset({
    "dealname", "amount", "closedate", "dealstage", "pipeline", "dealtype", "description",
    "createdate", "hubspot_owner_id_assigned_date", "hs_object_id", "days_to_close",
    "num_associated_contacts", "hs_lastmodifieddate",
})  # fmt: skip
EMAIL = re.compile(r"^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
DOMAIN = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


@dataclass(frozen=True)
class DealProperty:
    """A deal property as HubSpot lists it."""

    name: str
    label: str = ""
    hubspot_defined: bool = False


def _range_words(low: float, high: float) -> str:
    return f"from {low:g} to {high:g}"


def out_of_bounds(field: str, value: float, bounds: tuple[float, float]) -> RowProblem | None:
    low, high = bounds
    if low <= value <= high:
        return None
    return RowProblem("settings", field, f"must be {_range_words(low, high)}; got {value:g}")


def problems(settings: ConsoleSettings) -> list[RowProblem]:
    """Every bound ``settings`` breaks, each naming the field, the bound and the value."""
    found = [
        out_of_bounds(field, float(value), bounds) for field, value, bounds in _numbers(settings)
    ]
    found += _emails("editors", settings.editors)
    found += _emails("allowed_emails", settings.allowed_emails)
    found += [
        RowProblem("settings", "allowed_domains", f"{d!r} is not a domain (like firm.com.au)")
        for d in settings.allowed_domains
        if not DOMAIN.match(d.lstrip("@"))
    ]
    found += writeback_problems(settings.writeback_property, None)
    return [p for p in found if p is not None]


def _numbers(settings: ConsoleSettings) -> list[tuple[str, float, tuple[float, float]]]:
    """(field, value, bounds) of every bounded number in ``settings``."""
    rules = settings.rules
    numbers = [(f, getattr(rules, f), b) for f, b in RULE_BOUNDS.items()]
    numbers += [
        (f"{f}[{name}]", value, b)
        for f, b in TABLE_BOUNDS.items()
        for name, value in getattr(rules, f).items()
    ]
    numbers += [(f, getattr(settings, f), b) for f, b in POLICY_BOUNDS.items()]
    return numbers


def _emails(field: str, values: Iterable[str]) -> list[RowProblem]:
    return [
        RowProblem("settings", field, f"{v!r} is not an email address")
        for v in values
        if not EMAIL.match(v)
    ]


def writeback_problems(prop: str, known: Sequence[DealProperty] | None) -> list[RowProblem]:
    """The write-back property must be one of the standard two, or a custom deal property:
    one HubSpot lists (when it can be asked: ``known``) and did not define itself."""
    if prop in STANDARD_WRITEBACK:
        return []
    why = None
    if not PROPERTY_NAME.match(prop):
        why = "is not a HubSpot property name"
    elif known is None and (prop in HUBSPOT_DEAL_PROPERTIES or prop.startswith("hs_")):
        why = "is one of HubSpot's own deal properties; the adviser would overwrite it"
    elif known is not None:
        found = {p.name: p for p in known}.get(prop)
        if found is None:
            why = "is not a property of deals in this HubSpot portal"
        elif found.hubspot_defined:
            why = f"is HubSpot's own deal property {found.label or prop!r}; it would be overwritten"
    if why is None:
        return []
    choices = " or ".join(STANDARD_WRITEBACK)
    message = f"{prop!r} {why}; use {choices}, or a custom deal property made for it"
    return [RowProblem("settings", "writeback_property", message)]


def bounded(settings: ConsoleSettings) -> tuple[ConsoleSettings, tuple[str, ...]]:
    """``settings`` with every stored number pulled inside its bounds, and what was changed,
    in words: what a reader uses, so an old or hand-edited value never takes a page down."""
    notes = [
        f"stored {field} {value:g} is outside {_range_words(*b)}: using {_clamped(value, *b):g}"
        for field, value, b in _numbers(settings)
        if _clamped(value, *b) != value
    ]
    if not notes:
        return settings, ()
    rules = settings.rules
    rule_changes: dict[str, Any] = {
        f: _clamped(getattr(rules, f), *b) for f, b in RULE_BOUNDS.items()
    }
    rule_changes |= {
        f: {name: _clamped(v, *b) for name, v in getattr(rules, f).items()}
        for f, b in TABLE_BOUNDS.items()
    }
    policy = {f: _clamped(getattr(settings, f), *b) for f, b in POLICY_BOUNDS.items()}
    clamped_rules = dataclasses.replace(rules, **rule_changes)
    return dataclasses.replace(settings, rules=clamped_rules, **policy), tuple(notes)


def _clamped(value: float, low: float, high: float) -> Any:
    kept = min(max(value, low), high)
    return int(kept) if isinstance(value, int) and float(kept).is_integer() else kept


def never_opens(monthly_limit: float, rules: Rules) -> str | None:
    """Why an adviser at this monthly limit can never take a new client, or None.

    A week opens only with one whole client banked, and the bank holds at most
    ``limit × 12/52 × burst_weeks``: under one, the adviser never opens (rules §4–5). A zero
    limit is a deliberate "stop" and needs no warning.
    """
    if monthly_limit <= 0:
        return None
    cap = monthly_limit * 12 / 52 * rules.burst_weeks
    if cap >= 1:
        return None
    return (
        f"at {monthly_limit:g} a month this adviser can never take a new client: the most "
        f"they can bank is {cap:.2f} of a client (one is needed)"
    )


def limit_problem(label: str, limit: float) -> RowProblem | None:
    """A monthly limit (an adviser's, an override's) outside its bounds."""
    low, high = MONTHLY_LIMIT
    if low <= limit <= high:
        return None
    return RowProblem(
        label, "monthly_limit", f"must be {_range_words(low, high)} a month; got {limit:g}"
    )


def stored_settings(store: Store) -> Versioned[ConsoleSettings]:
    """The stored settings as every reader uses them: inside their bounds."""
    held = store.get_settings()
    value, _ = bounded(held.value)
    return dataclasses.replace(held, value=value)
