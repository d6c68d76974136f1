"""Editing the console settings (the core's rules, console policy and the firm's catalogue),
validated and audited."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from allocation import InvalidInput, Rules, normalise
from services import policy
from services.editing import require_editor
from services.errors import Conflict, RowProblem, ValidationFailed
from services.ports import Store
from services.records import ConsoleSettings
from services.rows import parse_names, parse_number

INT_RULES = (
    "buffer_weeks", "agreement_lag_weeks", "horizon_weeks", "history_weeks", "weekly_max_new",
    "prestart_weeks",
)  # fmt: skip
NUMBER_RULES = ("default_monthly_limit", "burst_weeks")
MAPPING_RULES = ("pod_monthly_limits", "meeting_weights")
LIST_POLICY = ("editors", "allowed_emails", "allowed_domains")
CATALOGUE = ("service_packages", "household_types")


def _number(key: str, value: Any, out: list[RowProblem], whole: bool = False) -> Any:
    try:
        number = parse_number(value)
    except (TypeError, ValueError):
        out.append(RowProblem("settings", key, f"{value!r} is not a number"))
        return None
    if whole and number != int(number):
        out.append(RowProblem("settings", key, f"{value!r} must be a whole number"))
        return None
    return int(number) if whole else number


def _mapping(key: str, value: Any, out: list[RowProblem]) -> dict[str, float] | None:
    if not isinstance(value, Mapping):
        out.append(RowProblem("settings", key, "expected a table of name → number"))
        return None
    result = {}
    for name, raw in value.items():
        number = _number(f"{key}[{name}]", raw, out)
        if number is not None and str(name).strip():
            result[str(name).strip()] = number
    return result


def _rule_value(key: str, value: Any, out: list[RowProblem]) -> Any:
    if key in INT_RULES:
        return _number(key, value, out, whole=True)
    if key in NUMBER_RULES:
        return _number(key, value, out)
    if key in MAPPING_RULES:
        return _mapping(key, value, out)
    if key == "household_exempt_packages":
        return frozenset(parse_names(value))
    return str(value).strip()  # timezone


def _catalogue(key: str, value: Any, out: list[RowProblem]) -> tuple[str, ...]:
    """Names as typed (trimmed, in order); at least one, none twice whatever its case."""
    names = tuple(parse_names(value))
    if not names:
        out.append(RowProblem("settings", key, "needs at least one name"))
    seen: dict[str, str] = {}
    for name in names:
        first = seen.get(normalise(name))
        if first is None:
            seen[normalise(name)] = name
        else:
            out.append(RowProblem("settings", key, f"{name!r} is listed twice (as {first!r})"))
    return names


def _policy_value(key: str, value: Any, out: list[RowProblem]) -> Any:
    if key in CATALOGUE:
        return _catalogue(key, value, out)
    if key in LIST_POLICY:
        return tuple(n.casefold() for n in parse_names(value))
    if key in ("outlook_target_weeks", "outlook_min_places"):
        return _number(key, value, out, whole=True)
    if key == "outlook_alerts":
        if not isinstance(value, bool):
            out.append(RowProblem("settings", key, f"{value!r} is not yes or no"))
        return bool(value)
    if key == "stale_after_hours":
        hours = _number(key, value, out, whole=True)
        if hours is not None and hours < 1:
            out.append(RowProblem("settings", key, "must be at least 1 hour"))
        return hours
    return str(value).strip()  # the write-back property, judged with the others by policy


def apply_changes(current: ConsoleSettings, changes: Mapping[str, Any]) -> ConsoleSettings:
    """``current`` with ``changes`` applied; every bad value is reported at once."""
    rule_fields = {f.name for f in dataclasses.fields(Rules)}
    policy_fields = {f.name for f in dataclasses.fields(ConsoleSettings)} - {"rules"}
    problems: list[RowProblem] = []
    rule_changes, policy_changes = {}, {}
    for key, value in changes.items():
        if key in rule_fields:
            rule_changes[key] = _rule_value(key, value, problems)
        elif key in policy_fields:
            policy_changes[key] = _policy_value(key, value, problems)
        else:
            problems.append(RowProblem("settings", key, "is not a setting"))
    if problems:
        raise ValidationFailed(tuple(problems))
    try:
        rules = dataclasses.replace(current.rules, **rule_changes)
    except InvalidInput as exc:
        raise ValidationFailed((RowProblem("settings", None, str(exc)),)) from exc
    updated = dataclasses.replace(current, rules=rules, **policy_changes)
    # Only what this edit changed is judged: a stored value out of bounds (saved before the
    # bounds existed) does not block an unrelated edit; readers clamp it meanwhile.
    broken = [p for p in policy.problems(updated) if _touched(p, changes)]
    if broken:
        raise ValidationFailed(tuple(broken))
    return updated


def _touched(problem: RowProblem, changes: Mapping[str, Any]) -> bool:
    return (problem.column or "").split("[", 1)[0] in changes


def save_settings(
    changes: Mapping[str, Any],
    version: str,
    *,
    store: Store,
    actor: str,
    is_editor: bool,
    deal_properties: Callable[[], Sequence[policy.DealProperty]] | None = None,
) -> ConsoleSettings:
    """Save an edit of the settings. ``deal_properties`` lists HubSpot's deal properties when
    HubSpot is configured, so a custom write-back property is checked to exist there."""
    require_editor(is_editor, actor, "settings")
    updated = apply_changes(store.get_settings().value, changes)
    if deal_properties is not None and "writeback_property" in changes:
        known = deal_properties()
        broken = policy.writeback_problems(updated.writeback_property, known)
        if broken:
            raise ValidationFailed(tuple(broken))
    try:
        store.save_settings(updated, version, actor)
    except Conflict as exc:
        raise Conflict(f"{exc} — reload the page to see the latest, then edit again") from exc
    return updated
