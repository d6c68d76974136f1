"""Deliveries refused for their content: kept for ops, raised to Chat once, re-run once fixed.

HubSpot does not retry a 4xx, so a deal whose package was renamed before the catalogue knew
it, or whose agreement date is a typo, would otherwise never get an adviser and nobody would
know. Each such delivery (or each bad event of a batch) is kept, keyed by its canonical deal
id when it has one, so the same deal refused twice is one entry counted twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from services.deal_intake import DealFields, canonical_deal_id, deal_from_properties, excerpt
from services.errors import BadRequest, NotFound
from services.notifiers import notify_rejected
from services.ports import Crm, Notifier, Store
from services.records import RejectedDelivery

SHOWN_FIELDS = 12


def keep(store: Store, notifier: Notifier | None, rejection: RejectedDelivery) -> None:
    """Keep it; Chat hears of it the first time (and again if it was resolved meanwhile)."""
    if store.record_rejection(rejection):
        notify_rejected(notifier, rejection)


def of_body(body: bytes, reason: str, now: dt.datetime) -> RejectedDelivery:
    """A whole delivery refused: what can be read of it, keyed by its deal id if it has one."""
    try:
        payload: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        payload = None
    fields: Any = payload.get("fields") if isinstance(payload, dict) else None
    shown = fields if isinstance(fields, dict) else payload
    deal_id = _deal_id_in(payload, fields)
    return RejectedDelivery(
        id=deal_id or _digest(body),
        reason=reason,
        received_at=now,
        deal_id=deal_id,
        fields=dict(excerpt(shown)[:SHOWN_FIELDS]) if shown is not None else {},
    )


def of_deal(
    deal_id: str, reason: str, fields: Iterable[tuple[str, str]], now: dt.datetime
) -> RejectedDelivery:
    """One deal refused (a batch's deal read from HubSpot, or a workflow's deal)."""
    return RejectedDelivery(id=deal_id, reason=reason, received_at=now, deal_id=deal_id,
                            fields=dict(list(fields)[:SHOWN_FIELDS]))  # fmt: skip


def of_event(index: int, reason: str, shown: Iterable[tuple[str, str]], batch: bytes,
             now: dt.datetime) -> RejectedDelivery:  # fmt: skip
    """One event of a batch refused for its content."""
    fields = dict(list(shown)[:SHOWN_FIELDS])
    deal_id = _deal_id_in({"object": {"objectId": _unquoted(fields.get("objectId"))}}, None)
    return RejectedDelivery(
        id=deal_id or _digest(batch + f"#{index}".encode()), reason=reason, received_at=now,
        deal_id=deal_id, fields=fields,
    )  # fmt: skip


def find(store: Store, rejection_id: str) -> RejectedDelivery:
    for rejection in store.list_rejections(status=None, limit=1000):
        if rejection.id == rejection_id:
            return rejection
    raise NotFound(f"no rejected delivery {rejection_id}")


def deal_to_rerun(
    rejection: RejectedDelivery, crm: Crm | None, fields: DealFields, today: dt.date
) -> Any:
    """The deal to decide again: read afresh from HubSpot when it can be, else from what was
    kept (a person may have fixed the catalogue rather than the deal)."""
    if rejection.deal_id is None:
        raise BadRequest(
            "this delivery named no deal id, so it cannot be re-run; allocate the deal by id"
        )
    if crm is not None:
        properties = crm.read_deal(rejection.deal_id, fields.to_read())
    else:
        properties = {k: _unquoted(v) for k, v in rejection.fields.items()}
    return deal_from_properties(rejection.deal_id, properties, fields, today=today)


def _deal_id_in(payload: Any, fields: Any) -> str | None:
    candidates = []
    if isinstance(payload, dict) and isinstance(payload.get("object"), dict):
        candidates.append(payload["object"].get("objectId"))
    if isinstance(fields, dict):
        candidates.append(fields.get(DealFields().record_id))
    for value in candidates:
        try:
            return canonical_deal_id(value)
        except BadRequest:
            continue
    return None


def _unquoted(text: str | None) -> str | None:
    """An excerpt's value back as text ('Series A' → Series A; numbers as they are)."""
    if text is None:
        return None
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return None if text == "null" else text


def _digest(raw: bytes) -> str:
    return "body-" + hashlib.sha256(raw).hexdigest()[:16]
