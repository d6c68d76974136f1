"""What HubSpot sends the webhook, parsed and checked into typed requests (pure: no I/O, no
clock: the caller passes the firm's ``today``).

Two shapes arrive:

- a workflow "Send a webhook" action: one JSON object with ``object.objectId`` and the deal's
  properties under ``fields``; it carries everything needed to decide;
- a CRM webhook subscription batch: a JSON array of at most 100 events; each ``deal.creation``
  event names a deal whose properties must be read from HubSpot (``Crm.read_deal``) before
  deciding. An event refused for its content is reported on its own (``RejectedEvent``); the
  batch's other events go on.

Every problem with the body as a whole raises ``services.errors.BadRequest`` with a message that
says exactly what is wrong, so the webhook can answer 400 and write nothing; nothing else ever
escapes, whatever the bytes. What the parser accepts can be stored as it is: deal ids are
canonical digits, text is bounded and free of control, bidi-override and broken (lone surrogate)
characters, agreement dates are near today. Whether a package is *known* needs the advisers, so
that check stays with the booking use case (``booking.check_package_known``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from allocation import Deal
from services import words
from services.errors import BadRequest
from services.hubspot_names import HubSpotNames

DEAL_CREATION = "deal.creation"
MAX_BATCH_EVENTS = 100  # HubSpot sends at most 100 events in one request
MAX_TEXT_CHARACTERS = 200  # a package or household name; HubSpot's own labels are far shorter
AGREEMENT_WINDOW_YEARS = 5  # an agreement start further from today is a typo or junk
MAX_NUMBER_DIGITS = 4300  # Python's int-string limit: a longer JSON integer cannot be read
# HubSpot record ids are positive integers (64-bit); digits only is also a safe document id.
_DEAL_ID_DIGITS = 20
_DIGITS = re.compile(r"[0-9]+")
# Invisible characters that reorder or hide text (bidi marks, embeddings, overrides, isolates)
# or hide in it (zero-width space, byte-order mark); controls (category Cc) go too.
_INVISIBLE = frozenset(
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)
_SHOWN = 60  # characters of a bad value quoted back in an error message
_EXCERPT_FIELDS = 8  # top-level fields of a rejected event kept in its excerpt
_KEY_SHOWN = 40


# The webhook's deal property names are the sync's too: one class (``services.hubspot_names``).
DealFields = HubSpotNames


@dataclass(frozen=True)
class WorkflowDelivery:
    """A workflow call: the deal is complete and can be decided at once."""

    deal: Deal


@dataclass(frozen=True)
class RejectedEvent:
    """One event of a subscription batch refused for its content; the other events go on.

    ``excerpt`` keeps the event's first top-level fields as printable, shortened text (quoted
    values, escaped invisible characters), so it can be shown to people and stored anywhere.
    """

    index: int  # position in the batch, from 0
    reason: str  # what is wrong, for people; starts with "event <index>"
    excerpt: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The event's entry in the batch answer."""
        return {"event": self.index, "error": self.reason}


@dataclass(frozen=True)
class CrmBatch:
    """A subscription batch: the ids of created deals, in order, each once, and the events
    refused for their content (each reported on its own)."""

    deal_ids: tuple[str, ...]
    ignored_events: int = 0  # events of other subscription types, acknowledged and skipped
    rejected: tuple[RejectedEvent, ...] = ()


Delivery = WorkflowDelivery | CrmBatch


def parse_delivery(body: bytes, fields: DealFields | None = None, *, today: dt.date) -> Delivery:
    """The request body (raw bytes, already size-checked) as a typed delivery; ``today`` is the
    firm's date, which bounds agreement dates."""
    fields = fields or DealFields()
    payload = _json(body)
    if isinstance(payload, list):
        return _crm_batch(payload)
    if isinstance(payload, dict):
        return WorkflowDelivery(_workflow_deal(payload, fields, today))
    raise BadRequest(
        "the body must be a JSON object (workflow webhook) or a JSON array (CRM subscription "
        f"events), not {_kind(payload)}"
    )


def deal_from_properties(
    deal_id: str, properties: Mapping[str, Any], fields: DealFields | None = None, *, today: dt.date
) -> Deal:
    """A deal from its HubSpot properties (workflow ``fields`` or a ``read_deal`` reply)."""
    fields = fields or DealFields()
    deal_id = canonical_deal_id(deal_id)
    package = _first_text(properties, fields.service_package, fields.renewal_service_package)
    if package is None:
        raise BadRequest(
            f"deal {deal_id}: the service package is missing "
            f"({fields.service_package} and {fields.renewal_service_package} are both blank)"
        )
    household = _first_text(properties, fields.household_type, fields.renewal_household_type)
    start = parse_agreement_start(
        properties.get(fields.agreement_start), fields.agreement_start, today=today
    )
    return Deal(
        id=deal_id, service_package=package, household_type=household, agreement_start=start
    )


def agreement_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last agreement start dates accepted on ``today`` (both included)."""
    return _years_after(today, -AGREEMENT_WINDOW_YEARS), _years_after(today, AGREEMENT_WINDOW_YEARS)


def parse_agreement_start(
    value: Any, name: str = "agreement_start_date", *, today: dt.date
) -> dt.date | None:
    """Epoch milliseconds (number or digits, as HubSpot sends date properties) or an ISO date
    or date-time, within ``AGREEMENT_WINDOW_YEARS`` of ``today``; blank means "no agreement
    date"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadRequest(f"{name} must be epoch milliseconds or an ISO date, not {_kind(value)}")
    if isinstance(value, int | float) or _looks_numeric(value):
        return _from_epoch_ms(value, name, today)
    return _within_window(_from_iso(value.strip(), name), name, _quote(value.strip()), today)


def canonical_deal_id(value: Any, where: str = "the deal id") -> str:
    """A HubSpot deal id as the one spelling every store and HubSpot call uses: digits without
    leading zeros or surrounding spaces (``" 00123 "``, ``"0123"`` and ``123`` are all
    ``"123"``). Decimal numbers (``123.0``) are refused: HubSpot ids are integers, and a JSON
    decimal over 2**53 no longer names one exactly. Raises ``BadRequest`` naming ``where``."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadRequest(f"{where} must be a HubSpot deal id, not {_kind(value)}")
    if isinstance(value, float):
        raise BadRequest(
            f"{where} must be a whole-number HubSpot deal id, not the decimal number "
            f"{value!r} (send the id as digits)"
        )
    if isinstance(value, int):
        return _deal_id_of_int(value, where)
    text = value.strip()
    if not _DIGITS.fullmatch(text):
        raise BadRequest(f"{where} must be a numeric HubSpot deal id (digits), got {_quote(text)}")
    digits = text.lstrip("0")
    if not digits:
        raise BadRequest(f"{where} {_quote(text)} is not a HubSpot deal id (ids start at 1)")
    if len(digits) > _DEAL_ID_DIGITS:
        raise BadRequest(
            f"{where} {_quote(text)} is too long for a HubSpot deal id "
            f"(at most {_DEAL_ID_DIGITS} digits)"
        )
    return digits


def _deal_id_of_int(value: int, where: str) -> str:
    if value < 1:
        raise BadRequest(
            f"{where} {_shortened_int(value)} is not a HubSpot deal id (ids start at 1)"
        )
    if value >= 10**_DEAL_ID_DIGITS:
        raise BadRequest(
            f"{where} {_shortened_int(value)} is too long for a HubSpot deal id "
            f"(at most {_DEAL_ID_DIGITS} digits)"
        )
    return str(value)


# --- the two shapes -------------------------------------------------------------------------


def _workflow_deal(payload: dict[str, Any], fields: DealFields, today: dt.date) -> Deal:
    target = payload.get("object")
    if target is not None and not isinstance(target, dict):
        raise BadRequest(f"'object' must be a JSON object, not {_kind(target)}")
    properties = payload.get("fields")
    if properties is None:
        raise BadRequest("the 'fields' object with the deal's properties is missing")
    if not isinstance(properties, dict):
        raise BadRequest(f"'fields' must be a JSON object, not {_kind(properties)}")
    object_type = (target or {}).get("objectType")
    if object_type is not None and not (
        isinstance(object_type, str) and object_type.strip().upper() == "DEAL"
    ):
        raise BadRequest(f"object.objectType must be DEAL, got {_shown(object_type)}")
    deal_id = _workflow_deal_id(target or {}, properties, fields)
    return deal_from_properties(deal_id, properties, fields, today=today)


def _workflow_deal_id(
    target: dict[str, Any], properties: dict[str, Any], fields: DealFields
) -> str:
    from_object = target.get("objectId")
    from_fields = properties.get(fields.record_id)
    if _blank(from_object) and _blank(from_fields):
        raise BadRequest(f"the deal id is missing (object.objectId and fields.{fields.record_id})")
    ids = []
    if not _blank(from_object):
        ids.append(canonical_deal_id(from_object, "object.objectId"))
    if not _blank(from_fields):
        ids.append(canonical_deal_id(from_fields, f"fields.{fields.record_id}"))
    if len(set(ids)) > 1:
        raise BadRequest(
            f"object.objectId {ids[0]} and fields.{fields.record_id} {ids[1]} name different deals"
        )
    return ids[0]


def _crm_batch(events: list[Any]) -> CrmBatch:
    if not events:
        raise BadRequest("the event array is empty")
    if len(events) > MAX_BATCH_EVENTS:
        # Refused whole, before any HubSpot read: HubSpot itself never sends this many.
        raise BadRequest(
            f"the batch has {len(events)} events; HubSpot sends at most {MAX_BATCH_EVENTS} "
            "in one request, so none was read"
        )
    deal_ids: dict[str, None] = {}  # insertion-ordered set: a batch may repeat a deal
    ignored = 0
    rejected: list[RejectedEvent] = []
    for index, event in enumerate(events):
        try:
            deal_id = _created_deal_id(index, event)
        except BadRequest as exc:
            rejected.append(RejectedEvent(index, str(exc), excerpt(event)))
            continue
        if deal_id is None:
            ignored += 1
        else:
            deal_ids[deal_id] = None
    return CrmBatch(tuple(deal_ids), ignored, tuple(rejected))


def _created_deal_id(index: int, event: Any) -> str | None:
    """The deal a ``deal.creation`` event names; None for an event of another type."""
    if not isinstance(event, dict):
        raise BadRequest(f"event {index} must be a JSON object, not {_kind(event)}")
    kind = event.get("subscriptionType")
    if not isinstance(kind, str) or not kind.strip():
        raise BadRequest(f"event {index} has no subscriptionType")
    if kind.strip() != DEAL_CREATION:
        return None
    if "objectId" not in event:
        raise BadRequest(f"event {index} ({DEAL_CREATION}) has no objectId")
    return canonical_deal_id(event["objectId"], f"event {index} objectId")


def excerpt(event: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(event, dict):
        return (("event", _shown(event)),)
    first = itertools.islice(event.items(), _EXCERPT_FIELDS)
    return tuple((_printable(str(key), _KEY_SHOWN), _shown(value)) for key, value in first)


# --- small readers --------------------------------------------------------------------------


def _json(body: bytes) -> Any:
    if not body.strip():
        raise BadRequest("the body is empty; expected JSON")
    try:
        return json.loads(
            body.decode("utf-8"),
            parse_int=_json_int,
            parse_float=_json_float,
            parse_constant=_json_constant,
        )
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise BadRequest(f"the body is not valid JSON ({exc.msg} at character {exc.pos})") from None
    except RecursionError:
        raise BadRequest("the body's JSON is nested too deeply") from None
    except ValueError as exc:  # a number Python will not read (its own limits may be lower)
        raise BadRequest(f"the body holds a number that cannot be read ({exc})") from None


def _json_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_NUMBER_DIGITS:
        raise BadRequest(
            f"the body holds an integer of {digits} digits; at most {MAX_NUMBER_DIGITS} are read"
        )
    return int(text)


def _json_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise BadRequest(f"the body holds the number {_quote(text)}, too large to read")
    return number


def _json_constant(name: str) -> Any:
    raise BadRequest(f"the body holds {name}, which is not JSON (send null or a number)")


def _first_text(properties: Mapping[str, Any], *names: str) -> str | None:
    """The first of ``names`` holding non-blank text (HubSpot sends blanks as "" or null),
    cleaned (``clean_text``)."""
    for name in names:
        value = properties.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise BadRequest(f"{name} must be text, not {_kind(value)}")
        text = clean_text(value if isinstance(value, str) else _number_text(value, name), name)
        if text:
            return text
    return None


def clean_text(value: str, name: str) -> str:
    """``value`` ready to keep: whitespace controls (tab, newline…) become spaces, other
    controls and invisible bidi / zero-width characters go, the ends are trimmed. Blank stays
    blank (""). Refused (``BadRequest`` naming ``name``) when it holds a lone surrogate (no
    store can keep it), when nothing but such characters remains, or when it is longer than
    ``MAX_TEXT_CHARACTERS``."""
    broken = next((i for i, ch in enumerate(value) if "\ud800" <= ch <= "\udfff"), None)
    if broken is not None:
        raise BadRequest(
            f"{name} holds a broken character (a lone surrogate, \\u{ord(value[broken]):04x}, "
            f"at position {broken + 1}); send the text as proper UTF-8"
        )
    kept = "".join(_kept(ch) for ch in value).strip()
    if not kept and value.strip():
        raise BadRequest(f"{name} holds only control or invisible characters: {_quote(value)}")
    if len(kept) > MAX_TEXT_CHARACTERS:
        raise BadRequest(
            f"{name} is {len(kept)} characters long; at most {MAX_TEXT_CHARACTERS} are accepted "
            f"(it starts {_quote(kept)})"
        )
    return kept


def _kept(ch: str) -> str:
    if ch in _INVISIBLE:
        return ""
    if unicodedata.category(ch) == "Cc":
        return " " if ch.isspace() else ""
    return ch


def _number_text(value: int | float, name: str) -> str:
    if isinstance(value, int) and abs(value) >= 10**MAX_TEXT_CHARACTERS:
        raise BadRequest(
            f"{name} is a number of more than {MAX_TEXT_CHARACTERS} digits; "
            f"at most {MAX_TEXT_CHARACTERS} characters are accepted"
        )
    return str(value)


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text.strip()))


def _from_epoch_ms(value: str | int | float, name: str, today: dt.date) -> dt.date:
    shown = _quote(value.strip() if isinstance(value, str) else _shortened_number(value))
    day = _epoch_day(value, 1000)
    if day is None:
        raise BadRequest(f"{name} {shown} is not a usable timestamp")
    earliest, latest = agreement_window(today)
    if earliest <= day <= latest:
        return day
    as_seconds = _epoch_day(value, 1)
    hint = (
        " (seconds sent instead of milliseconds?)"
        if as_seconds is not None and earliest <= as_seconds <= latest
        else ""
    )
    raise BadRequest(
        f"{name} {shown} is {words.day(day)} as epoch milliseconds, {_outside(today)}{hint}"
    )


def hubspot_instant(value: str | int | float, per_second: int = 1000) -> dt.datetime:
    """The instant a HubSpot date or date-time value names, the one reading of them both the
    webhook and the syncs use: epoch milliseconds (digits or a number; ``per_second=1`` reads
    seconds) or ISO 8601, a value without a zone meaning UTC. ``ValueError`` when it is
    neither (or out of any calendar)."""
    if isinstance(value, int | float) or _looks_numeric(value):
        try:
            return dt.datetime.fromtimestamp(float(value) / per_second, tz=dt.UTC)
        except (OverflowError, OSError) as exc:
            raise ValueError(f"{value!r} is not a usable timestamp") from exc
    moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _epoch_day(value: str | int | float, per_second: int) -> dt.date | None:
    try:
        return hubspot_instant(value, per_second).date()
    except ValueError:
        return None


def _from_iso(text: str, name: str) -> dt.date:
    try:
        return hubspot_instant(text).date()
    except ValueError:
        raise BadRequest(
            f"{name} {_quote(text)} is neither epoch milliseconds nor an ISO date (YYYY-MM-DD)"
        ) from None


def _within_window(day: dt.date, name: str, shown: str, today: dt.date) -> dt.date:
    earliest, latest = agreement_window(today)
    if not earliest <= day <= latest:
        raise BadRequest(f"{name} {shown} is {_outside(today)}")
    return day


def _outside(today: dt.date) -> str:
    earliest, latest = agreement_window(today)
    return (
        f"outside the accepted range {words.day(earliest)} to {words.day(latest)} "
        f"(within {AGREEMENT_WINDOW_YEARS} years of today, {words.day(today)})"
    )


def _years_after(day: dt.date, years: int) -> dt.date:
    year = min(max(day.year + years, dt.MINYEAR), dt.MAXYEAR)
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=year, day=28)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "text", bool: "true/false"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    """A JSON value as short, printable text for an excerpt."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float):
        return _printable(_shortened_number(value), _SHOWN)
    if isinstance(value, str):
        return _quote(value)
    return _kind(value)


def _shortened_int(value: int) -> str:
    if abs(value) < 10**_SHOWN:
        return str(value)
    try:
        return f"{str(value)[:_SHOWN]}…"
    except ValueError:  # over Python's int-string limit: not even writable as digits
        return "a number too long to show"


def _shortened_number(value: int | float) -> str:
    return _shortened_int(value) if isinstance(value, int) else repr(value)


def _printable(text: str, limit: int) -> str:
    cut = text if len(text) <= limit else text[:limit] + "…"
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in cut)


def _quote(text: str) -> str:
    # repr escapes every unprintable character (controls, bidi overrides, lone surrogates).
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")
