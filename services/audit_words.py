"""The audit log in words: "Added closure", "Christmas Day, 25 Dec 2026 – 26 Dec 2026, everyone".

An ``AuditEntry`` keeps the stored rows before and after a change (JSON-ready dicts, adviser
ids, ISO dates). People read who did what, when in the firm's timezone, and what changed,
with adviser names and the one date format (``services.words``); never the raw rows, the
record's id or an action code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import tzinfo
from typing import Any

from services import words
from services.records import AuditEntry

Row = Mapping[str, Any]
Names = Mapping[str, str]

VERBS = {"create": "Added", "update": "Changed", "delete": "Deleted"}
NOUNS = {
    "closure": "closure",
    "override": "capacity override",
    "settings": "settings",
    "allocation": "decision",
    "rejection": "refused delivery",
}
ACTIONS = {
    "settings.update": "Changed settings",
    "allocation.reassign": "Re-assigned deal",
    "allocation.update": "Changed decision",
    "writeback.retry": "Retried HubSpot write-back",
    "rejection.resolve": "Dealt with refused delivery",
    "integration.connect": "Connected Employment Hero",
}
FIELD_WORDS = {
    "start": "Start",
    "end": "End",
    "description": "Description",
    "adviser_ids": "Advisers",
    "adviser_id": "Adviser",
    "regions": "Regions",
    "monthly_limit": "Monthly limit",
    "week": "Week",
    "status": "Status",
    "note": "Note",
    "reason": "Reason",
    "resolution": "Resolution",
    "source": "Source",
    "last_error": "Last error",
}
# Stored keys that say nothing a person needs (ids, bookkeeping, the explanation's detail).
UNSHOWN = frozenset({"id", "version", "explanation", "decided_at", "writeback_attempts"})


def action_words(action: str) -> str:
    """'Added closure' for ``closure.create``; 'Ran HubSpot advisers sync' for a sync."""
    if action in ACTIONS:
        return ACTIONS[action]
    noun, _, verb = action.partition(".")
    if noun == "sync":
        return f"Ran {words.SYNC_NAMES.get(verb, verb.replace('_', ' '))} sync"
    thing = NOUNS.get(noun, noun.replace("_", " "))
    done = VERBS.get(verb, verb.replace("_", " ").capitalize())
    return f"{done} {thing}".strip()


def change_words(entry: AuditEntry, names: Names) -> str:
    """What changed, in a sentence or a list of 'Field: before → after'."""
    kind = entry.action.partition(".")[0]
    describe = DESCRIBERS.get(kind)
    before, after = entry.before, entry.after
    if kind == "sync":
        return _sync(after or {})
    if kind == "writeback":
        return _retry(entry.entity_id, after or {})
    if kind == "settings":
        return _settings(before or {}, after or {})
    if kind == "allocation":
        return _allocation(before or {}, after or {}, names)
    if describe is not None and (before is None or after is None):
        return describe(after or before or {}, names)
    return _differences(before or {}, after or {}, names)


def audit_rows(entries: list[AuditEntry], names: Names, zone: tzinfo) -> list[dict[str, str]]:
    return [
        {
            "When": words.moment(e.at, zone),
            "Who": words.actor_words(e.actor),
            "What": action_words(e.action),
            "Change": change_words(e, names),
        }
        for e in entries
    ]


# --- one record as words ---------------------------------------------------------------------


def _span(row: Row) -> str:
    start, end = words.day(row.get("start")), words.day(row.get("end"))
    if not end:
        return f"from {start}"
    return start if end == start else f"{start} – {end}"


def _people(ids: object, names: Names) -> str:
    listed = ids if isinstance(ids, list | tuple | set | frozenset) else []
    return ", ".join(sorted((names.get(str(i), str(i)) for i in listed), key=str.casefold))


def _closure(row: Row, names: Names) -> str:
    who = _people(row.get("adviser_ids"), names)
    regions = ", ".join(sorted(str(r) for r in row.get("regions") or ()))
    scope = who or (f"regions {regions}" if regions else "everyone")
    about = str(row.get("description") or "").strip() or "Closure"
    return f"{about}, {_span(row)}, {scope}"


def _override(row: Row, names: Names) -> str:
    who = names.get(str(row.get("adviser_id")), str(row.get("adviser_id") or "an adviser"))
    limit = words.number(row.get("monthly_limit"))
    until = f" until {words.day(row['end'])}" if row.get("end") else ""
    return f"{who}: {limit} a month from {words.day(row.get('start'))}{until}"


DESCRIBERS: dict[str, Callable[[Row, Names], str]] = {
    "closure": _closure,
    "override": _override,
}


def _value(key: str, value: object, names: Names) -> str:
    if words.missing(value) or value in ("", [], {}):
        return "none"
    if key == "adviser_id":
        return names.get(str(value), str(value))
    if key == "adviser_ids":
        return _people(value, names) or "none"
    if key == "status":
        return words.status_words(value)
    if key == "source":
        return words.source_words(value)
    if key in ("start", "end", "week", "agreement_start") and isinstance(value, str):
        return words.day(value)
    return words.text(value)


def _label(key: str) -> str:
    return (
        FIELD_WORDS.get(key) or words.SETTING_LABELS.get(key) or key.replace("_", " ").capitalize()
    )


def _differences(before: Row, after: Row, names: Names) -> str:
    keys = [k for k in (*before, *(k for k in after if k not in before)) if k not in UNSHOWN]
    parts = [
        f"{_label(k)}: {_value(k, before.get(k), names)} → {_value(k, after.get(k), names)}"
        for k in keys
        if before.get(k) != after.get(k)
    ]
    return "; ".join(parts) or "no visible change"


def _settings(before: Row, after: Row) -> str:
    flat_before = {**{k: v for k, v in before.items() if k != "rules"}, **before.get("rules", {})}
    flat_after = {**{k: v for k, v in after.items() if k != "rules"}, **after.get("rules", {})}
    return _differences(flat_before, flat_after, {})


def _allocation(before: Row, after: Row, names: Names) -> str:
    deal = after.get("deal_id") or before.get("deal_id") or ""
    old = _placed(before, names)
    new = _placed(after, names)
    why = f"; reason: {after['reason']}" if after.get("reason") else ""
    moved = f"{old} → {new}" if old != new else _differences(before, after, names)
    return f"Deal {deal}: {moved}{why}"


def _placed(row: Row, names: Names) -> str:
    if not row.get("adviser_id"):
        return "nobody"
    who = str(row["adviser_id"])
    return f"{names.get(who, who)}, {words.week(row.get('week'))}"


def _sync(after: Row) -> str:
    status = {"ok": "Succeeded", "failed": "Failed", "skipped": "Skipped"}.get(
        str(after.get("status")), words.status_words(after.get("status"))
    )
    counts = (
        f"{after.get('added', 0)} added, {after.get('updated', 0)} updated, "
        f"{after.get('removed', 0)} removed"
    )
    errors = "; ".join(str(e) for e in after.get("errors") or ())
    return f"{status}: {counts}" + (f" ({errors})" if errors else "")


def _retry(deal: str, after: Row) -> str:
    which = "every waiting deal" if deal == "all" else f"deal {deal}"
    busy = f", {after['busy']} busy elsewhere" if after.get("busy") else ""
    return f"For {which}: {after.get('written', 0)} written, {after.get('failed', 0)} failed{busy}"
