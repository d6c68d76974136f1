"""The webhook's use cases, on top of ``services.booking``: allocate one delivered deal, or a
batch of created deal ids whose properties are read from HubSpot first.

Each call takes the CRM handle to use, so the webhook can pass one with a tighter time budget
(HubSpot gives a webhook a few seconds) wrapped in a ``CountingCrm`` for its log line.
A write-back that failed before is tried once more when the same deal is delivered again, so
HubSpot's own retries (or a manual replay) also heal pending write-backs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from allocation import Adviser, Deal, Meeting
from services import booking, deadline, folders, rejections
from services.booking import Outcome
from services.context import Context
from services.deal_intake import (
    CrmBatch,
    DealFields,
    Delivery,
    RejectedEvent,
    WorkflowDelivery,
    deal_from_properties,
    excerpt,
)
from services.errors import (
    BadRequest,
    Busy,
    MalformedReply,
    Unauthorized,
    UpstreamRejected,
    UpstreamUnavailable,
)
from services.ports import Crm
from services.records import OpenDeal

SOURCE = "webhook"
OUT_OF_TIME = "not handled within this request's time budget; HubSpot may resend the batch"
# The server's threads book one at a time: parallel decisions would only refuse each other as
# stale (every booking moves the data version); HubSpot write-backs still run in parallel.
_BOOKING = threading.Lock()


# What became of a delivery, for the entry point to put in its own terms (the webhook alone
# chooses HTTP statuses): handled (some deal decided or replayed); refused for its content
# (nothing handled; kept for ops); not handled now, HubSpot should send it again later (an
# outage, our own missing configuration, or too many simultaneous bookings — ``busy``).
Verdict = Literal["handled", "refused", "later", "busy"]


@dataclass(frozen=True)
class Reply:
    """The use case's answer to one delivery, with the figures its log line reports."""

    verdict: Verdict
    body: Any  # JSON-ready
    deal_ids: tuple[str, ...] = ()
    hubspot_calls: int = 0
    store_reads: int = 0  # approximate when requests overlap: the store counts for all threads
    # Events of a batch refused for their content (each also in the answer), for the log line
    # and for whoever keeps refused deliveries.
    rejected: tuple[RejectedEvent, ...] = ()

    def log_fields(self) -> dict[str, Any]:
        """Ids, decisions and costs for the request's log line (no client details, no secrets)."""
        rows = self.body if isinstance(self.body, list) else self.body.get("results", [self.body])
        return {
            "deal_ids": list(self.deal_ids),
            "decisions": [
                {k: r.get(k) for k in ("deal_id", "status", "adviser_id", "week", "replay")}
                for r in rows
                if isinstance(r, dict) and "status" in r
            ],
            "rejected_events": [r.to_json() for r in self.rejected],
            "hubspot_calls": self.hubspot_calls,
            "store_reads": self.store_reads,
        }


def answer(
    delivery: Delivery,
    *,
    context: Context,
    crm: Crm | None,
    fields: DealFields,
    budget: float | None = None,
    raw: bytes = b"",
) -> Reply:
    """Run the right use case for a parsed delivery and say what to answer HubSpot, within
    ``budget`` seconds for everything it asks of HubSpot (``services.deadline``). A deal
    refused for its content is kept in the Rejected queue (``raw``: the body, to key events
    without a deal id)."""
    counting = CountingCrm(crm) if crm is not None else None
    reads = context.store.reads
    verdict: Verdict
    with deadline.within(budget) if budget is not None else contextlib.nullcontext():
        try:
            verdict, body = _run(delivery, context=context, crm=counting, fields=fields, raw=raw)
        except BadRequest as exc:  # e.g. a package nobody has heard of
            verdict, body = "refused", {"error": str(exc)}
            if isinstance(delivery, WorkflowDelivery):
                _keep_deal(context, delivery.deal, str(exc), fields)
        except Busy as exc:
            verdict, body = "busy", {"error": str(exc)}
    ids = delivery.deal_ids if isinstance(delivery, CrmBatch) else (delivery.deal.id,)
    rejected = delivery.rejected if isinstance(delivery, CrmBatch) else ()
    calls = counting.calls if counting is not None else 0
    return Reply(verdict, body, ids, calls, context.store.reads - reads, rejected)


def _run(
    delivery: Delivery, *, context: Context, crm: Crm | None, fields: DealFields, raw: bytes
) -> tuple[Verdict, Any]:
    if not isinstance(delivery, CrmBatch):
        return "handled", allocate_delivered(delivery.deal, context=context, crm=crm).to_json()
    now = context.now()
    for event in delivery.rejected:
        refused = rejections.of_event(event.index, event.reason, event.excerpt, raw, now)
        rejections.keep(context.store, context.notifier, refused)
    if delivery.deal_ids and crm is None:
        return "later", {"error": "HUBSPOT_TOKEN is not set, so created deals cannot be read"}
    answers = (
        allocate_created(delivery.deal_ids, context=context, crm=crm, fields=fields)
        if crm is not None
        else []
    )
    for answered in (a for a in answers if a.refused):
        refused = rejections.of_deal(answered.deal_id, answered.error or "", (), now)
        rejections.keep(context.store, context.notifier, refused)
    # One answer per created deal, then one per event refused for its content.
    items = [a.to_json() for a in answers] + [r.to_json() for r in delivery.rejected]
    errors = [a.error for a in answers if a.error] + [r.reason for r in delivery.rejected]
    if any(a.retry_later for a in answers):
        # Recorded deals replay harmlessly, so HubSpot may resend the whole batch.
        return "later", {"error": "; ".join(errors), "results": items}
    if errors and all(a.error for a in answers):  # nothing in the batch could be handled
        return "refused", {"error": "; ".join(errors), "results": items}
    return "handled", items


class CountingCrm:
    """A ``Crm`` that counts the calls made through it (one instance per request)."""

    def __init__(self, inner: Crm) -> None:
        self.inner = inner
        self.calls = 0
        self._lock = threading.Lock()

    def _count(self) -> None:
        with self._lock:
            self.calls += 1

    def fetch_advisers(self) -> list[Adviser]:
        self._count()
        return self.inner.fetch_advisers()

    def fetch_meetings(self, start: dt.date, end: dt.date) -> list[Meeting]:
        self._count()
        return self.inner.fetch_meetings(start, end)

    def fetch_open_deals(self) -> list[OpenDeal]:
        self._count()
        return self.inner.fetch_open_deals()

    def read_deal(self, deal_id: str, properties: Sequence[str]) -> dict[str, str | None]:
        self._count()
        return self.inner.read_deal(deal_id, properties)

    def contact_emails(self, deal_id: str) -> list[str]:
        self._count()
        return self.inner.contact_emails(deal_id)

    def write_adviser(self, deal_id: str, adviser_id: str, property_name: str) -> None:
        self._count()
        self.inner.write_adviser(deal_id, adviser_id, property_name)


@dataclass(frozen=True)
class DealAnswer:
    """What became of one deal of a batch: an outcome, or an error saying why not."""

    deal_id: str
    outcome: Outcome | None = None
    error: str | None = None
    retry_later: bool = False  # HubSpot or the store was unavailable; nothing was written
    refused: bool = False  # refused for its content: kept in the Rejected queue

    def to_json(self) -> dict[str, Any]:
        if self.outcome is not None:
            return self.outcome.to_json()
        return {"deal_id": self.deal_id, "error": self.error}


def allocate_delivered(deal: Deal, *, context: Context, crm: Crm | None) -> Outcome:
    """Decide, book, write back and notify one deal; a replay returns the recorded decision
    (and writes it back if its write-back was left behind)."""
    outcome = booking.allocate_and_record(
        deal,
        store=context.store,
        cache=context.cache,
        notifier=context.notifier,
        crm=crm,
        today=context.today(),
        clock=context.now,
        source=SOURCE,
        booking_lock=_BOOKING,
    )
    # Only queued: the folder is made by the next drain, so Box never delays this answer.
    folders.queue_if_on(context.box, context.store, outcome.record, context.now())
    return _heal_replay(outcome, context=context, crm=crm)


def allocate_created(
    deal_ids: Sequence[str], *, context: Context, crm: Crm, fields: DealFields
) -> list[DealAnswer]:
    """Each created deal in turn: a recorded one is a replay (no HubSpot read), a new one is
    read from HubSpot (one call) and allocated (one write-back call). Deals the request's time
    budget leaves no room for are answered "later" (HubSpot resends; the done ones replay)."""
    answers = []
    for deal_id in deal_ids:
        if deadline.expired():
            answers.append(DealAnswer(deal_id, error=f"deal {deal_id}: {OUT_OF_TIME}",
                                      retry_later=True))  # fmt: skip
            continue
        answers.append(_allocate_created_one(deal_id, context=context, crm=crm, fields=fields))
    return answers


def _allocate_created_one(
    deal_id: str, *, context: Context, crm: Crm, fields: DealFields
) -> DealAnswer:
    existing = context.store.get_allocation(deal_id)
    if existing is not None:
        return DealAnswer(deal_id, _heal_replay(Outcome(existing, True), context=context, crm=crm))
    try:
        properties = crm.read_deal(deal_id, fields.to_read())
        deal = deal_from_properties(deal_id, properties, fields, today=context.today())
        return DealAnswer(deal_id, allocate_delivered(deal, context=context, crm=crm))
    except (UpstreamUnavailable, MalformedReply, Unauthorized) as exc:
        # Our side or HubSpot's is down (or our token is wrong): nothing was written, and the
        # same delivery can safely be retried later.
        return DealAnswer(deal_id, error=f"deal {deal_id}: {exc}", retry_later=True)
    except UpstreamRejected as exc:
        return DealAnswer(deal_id, error=f"deal {deal_id}: HubSpot would not read it ({exc})")
    except Busy as exc:
        return DealAnswer(deal_id, error=str(exc), retry_later=True)
    except BadRequest as exc:
        return DealAnswer(deal_id, error=str(exc), refused=True)


def _keep_deal(context: Context, deal: Deal, reason: str, fields: DealFields) -> None:
    """A workflow's deal refused once its package was checked: kept with what it said."""
    said = {
        fields.service_package: deal.service_package,
        fields.household_type: deal.household_type,
        fields.agreement_start: deal.agreement_start.isoformat() if deal.agreement_start else None,
    }
    rejection = rejections.of_deal(deal.id, reason, excerpt(said), context.now())
    rejections.keep(context.store, context.notifier, rejection)


def _heal_replay(outcome: Outcome, *, context: Context, crm: Crm | None) -> Outcome:
    """A replayed deal whose write-back was left behind gets it done now (``booking``)."""
    return booking.heal_replay(
        outcome,
        store=context.store,
        crm=crm,
        settings=context.console_settings().value,
        notifier=context.notifier,
        clock=context.now,
    )
