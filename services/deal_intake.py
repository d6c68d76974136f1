"""What HubSpot sends the webhook, parsed and checked into typed requests (pure: no I/O).

Two shapes arrive:

- a workflow "Send a webhook" action: one JSON object with ``object.objectId`` and the deal's
  properties under ``fields``; it carries everything needed to decide;
- a CRM webhook subscription batch: a JSON array of events; each ``deal.creation`` event names
  a deal whose properties must be read from HubSpot (``Crm.read_deal``) before deciding.

Every problem raises ``services.errors.BadRequest`` with a message that says exactly what is
wrong, so the webhook can answer 400 and write nothing. Whether a package is *known* needs the
advisers, so that check stays with the booking use case (``booking.check_package_known``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from allocation import Deal
from services.errors import BadRequest

DEAL_CREATION = "deal.creation"
# HubSpot record ids are numbers; anything else would also be an unsafe store document id.
_DEAL_ID = re.compile(r"^[0-9]{1,20}$")
# Epoch values outside these years are far more likely seconds sent as milliseconds, or junk.
_EARLIEST = dt.date(2000, 1, 1)
_LATEST = dt.date(2100, 12, 31)
_SHOWN = 60  # characters of a bad value quoted back in an error message


@dataclass(frozen=True)
class DealFields:
    """The deal property names the firm's HubSpot uses (configurable; these are the defaults)."""

    service_package: str = "service_package"
    household_type: str = "household_type"
    agreement_start: str = "agreement_start_date"
    renewal_service_package: str = "renewal_service_package"
    renewal_household_type: str = "renewal_household_type"
    record_id: str = "hs_deal_record_id"

    @classmethod
    def parse(cls, overrides: str | None) -> DealFields:
        """Defaults, with ``name=property`` pairs (comma-separated) replacing some of them.

        Raises ``ValueError`` naming the bad pair; this is configuration, not request input.
        """
        known = set(cls.__dataclass_fields__)
        chosen: dict[str, str] = {}
        for pair in (overrides or "").split(","):
            if not pair.strip():
                continue
            name, sep, prop = (part.strip() for part in pair.partition("="))
            if not sep or name not in known or not prop:
                raise ValueError(
                    f"{pair.strip()!r} is not name=property with name one of {sorted(known)}"
                )
            chosen[name] = prop
        return cls(**chosen)

    def to_read(self) -> list[str]:
        """The properties to ask HubSpot for when only a deal id arrived."""
        return [
            self.service_package,
            self.household_type,
            self.agreement_start,
            self.renewal_service_package,
            self.renewal_household_type,
        ]


@dataclass(frozen=True)
class WorkflowDelivery:
    """A workflow call: the deal is complete and can be decided at once."""

    deal: Deal


@dataclass(frozen=True)
class CrmBatch:
    """A subscription batch: the ids of created deals, in order, each once."""

    deal_ids: tuple[str, ...]
    ignored_events: int = 0  # events of other subscription types, acknowledged and skipped


Delivery = WorkflowDelivery | CrmBatch


def parse_delivery(body: bytes, fields: DealFields | None = None) -> Delivery:
    """The request body (raw bytes, already size-checked) as a typed delivery."""
    fields = fields or DealFields()
    payload = _json(body)
    if isinstance(payload, list):
        return _crm_batch(payload)
    if isinstance(payload, dict):
        return WorkflowDelivery(_workflow_deal(payload, fields))
    raise BadRequest(
        "the body must be a JSON object (workflow webhook) or a JSON array (CRM subscription "
        f"events), not {_kind(payload)}"
    )


def deal_from_properties(
    deal_id: str, properties: Mapping[str, Any], fields: DealFields | None = None
) -> Deal:
    """A deal from its HubSpot properties (workflow ``fields`` or a ``read_deal`` reply)."""
    fields = fields or DealFields()
    package = _first_text(properties, fields.service_package, fields.renewal_service_package)
    if package is None:
        raise BadRequest(
            f"deal {deal_id}: the service package is missing "
            f"({fields.service_package} and {fields.renewal_service_package} are both blank)"
        )
    household = _first_text(properties, fields.household_type, fields.renewal_household_type)
    start = parse_agreement_start(properties.get(fields.agreement_start), fields.agreement_start)
    return Deal(
        id=deal_id, service_package=package, household_type=household, agreement_start=start
    )


def parse_agreement_start(value: Any, name: str = "agreement_start_date") -> dt.date | None:
    """Epoch milliseconds (number or digits, as HubSpot sends date properties) or an ISO date
    or date-time; blank means "no agreement date"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadRequest(f"{name} must be epoch milliseconds or an ISO date, not {_kind(value)}")
    if isinstance(value, int | float) or _looks_numeric(value):
        return _from_epoch_ms(value, name)
    return _from_iso(value.strip(), name)


def parse_deal_id(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadRequest(f"{where} must be a HubSpot deal id, not {_kind(value)}")
    text = str(value).strip()
    if not _DEAL_ID.match(text):
        raise BadRequest(f"{where} must be a numeric HubSpot deal id, got {_quote(text)}")
    return text


# --- the two shapes -------------------------------------------------------------------------


def _workflow_deal(payload: dict[str, Any], fields: DealFields) -> Deal:
    target = payload.get("object")
    if target is not None and not isinstance(target, dict):
        raise BadRequest(f"'object' must be a JSON object, not {_kind(target)}")
    properties = payload.get("fields")
    if properties is None:
        raise BadRequest("the 'fields' object with the deal's properties is missing")
    if not isinstance(properties, dict):
        raise BadRequest(f"'fields' must be a JSON object, not {_kind(properties)}")
    object_type = (target or {}).get("objectType")
    if object_type is not None and str(object_type).strip().upper() != "DEAL":
        raise BadRequest(f"object.objectType must be DEAL, got {_quote(str(object_type))}")
    deal_id = _workflow_deal_id(target or {}, properties, fields)
    return deal_from_properties(deal_id, properties, fields)


def _workflow_deal_id(
    target: dict[str, Any], properties: dict[str, Any], fields: DealFields
) -> str:
    from_object = target.get("objectId")
    from_fields = properties.get(fields.record_id)
    if _blank(from_object) and _blank(from_fields):
        raise BadRequest(f"the deal id is missing (object.objectId and fields.{fields.record_id})")
    ids = []
    if not _blank(from_object):
        ids.append(parse_deal_id(from_object, "object.objectId"))
    if not _blank(from_fields):
        ids.append(parse_deal_id(from_fields, f"fields.{fields.record_id}"))
    if len(set(ids)) > 1:
        raise BadRequest(
            f"object.objectId {ids[0]} and fields.{fields.record_id} {ids[1]} name different deals"
        )
    return ids[0]


def _crm_batch(events: list[Any]) -> CrmBatch:
    if not events:
        raise BadRequest("the event array is empty")
    deal_ids: dict[str, None] = {}  # insertion-ordered set: a batch may repeat a deal
    ignored = 0
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            raise BadRequest(f"event {index} must be a JSON object, not {_kind(event)}")
        kind = event.get("subscriptionType")
        if not isinstance(kind, str) or not kind.strip():
            raise BadRequest(f"event {index} has no subscriptionType")
        if kind.strip() != DEAL_CREATION:
            ignored += 1
            continue
        if "objectId" not in event:
            raise BadRequest(f"event {index} ({DEAL_CREATION}) has no objectId")
        deal_ids[parse_deal_id(event["objectId"], f"event {index} objectId")] = None
    return CrmBatch(tuple(deal_ids), ignored)


# --- small readers --------------------------------------------------------------------------


def _json(body: bytes) -> Any:
    if not body.strip():
        raise BadRequest("the body is empty; expected JSON")
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise BadRequest(f"the body is not valid JSON ({exc.msg} at character {exc.pos})") from None
    except RecursionError:
        raise BadRequest("the body's JSON is nested too deeply") from None


def _first_text(properties: Mapping[str, Any], *names: str) -> str | None:
    """The first of ``names`` holding non-blank text (HubSpot sends blanks as "" or null)."""
    for name in names:
        value = properties.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise BadRequest(f"{name} must be text, not {_kind(value)}")
        text = str(value).strip()
        if text:
            return text
    return None


def _looks_numeric(text: str) -> bool:
    stripped = text.strip()
    return bool(re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", stripped))


def _from_epoch_ms(value: str | int | float, name: str) -> dt.date:
    try:
        millis = float(value)
        day = dt.datetime.fromtimestamp(millis / 1000, tz=dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise BadRequest(f"{name} {_quote(str(value))} is not a usable timestamp") from None
    if not _EARLIEST <= day <= _LATEST:
        raise BadRequest(
            f"{name} {_quote(str(value))} is {day.isoformat()} as epoch milliseconds, "
            f"outside {_EARLIEST.year}–{_LATEST.year} (seconds sent instead of milliseconds?)"
        )
    return day


def _from_iso(text: str, name: str) -> dt.date:
    try:
        if len(text) <= 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise BadRequest(
            f"{name} {_quote(text)} is neither epoch milliseconds nor an ISO date (YYYY-MM-DD)"
        ) from None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "text", bool: "true/false"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _quote(text: str) -> str:
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")
