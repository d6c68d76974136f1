"""Google Chat notifications (``services.ports.Notifier``) through an incoming webhook.

Each message is one ``cardsV2`` card. Messages about one deal share a thread (``threadKey``
= the deal id, with ``messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD`` so the first
one opens the thread); sync failures are threaded per source. Cards read as the console does:
advisers by name (``adviser_names``), days as "7 Dec 2026", sources and reasons in words. A
failed post is logged and swallowed: a Chat outage must never fail an allocation. The webhook
URL's ``key`` and ``token`` are secrets and never reach a log line.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import requests

from integrations.http import DEFAULT_TIMEOUT, make_session, redact_url, send
from services import words
from services.errors import UpstreamError
from services.explanation import candidate_words
from services.folder_records import STEP_WORDS, FolderRecord
from services.records import (
    UNALLOCATED,
    WRITEBACK_FAILED,
    WRITEBACK_PENDING,
    AllocationRecord,
    ExcludedRecord,
    RejectedDelivery,
    SyncRun,
)

log = logging.getLogger(__name__)

REPLY_OPTION = "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD"
ATTEMPTS = 3  # a few quick tries; Chat is a courtesy, not worth holding a webhook reply for
MAX_REASONS = 5

Widget = dict[str, Any]


def _text(value: object) -> str:
    return html.escape(str(value), quote=False)


def _field(label: str, value: object) -> Widget:
    return {"decoratedText": {"topLabel": label, "text": _text(value)}}


def _paragraph(text: str) -> Widget:
    return {"textParagraph": {"text": text}}


def _card(card_id: str, title: str, subtitle: str, widgets: list[Widget]) -> dict[str, Any]:
    return {
        "cardsV2": [
            {
                "cardId": card_id,
                "card": {
                    "header": {"title": title, "subtitle": subtitle},
                    "sections": [{"widgets": widgets}],
                },
            }
        ]
    }


def _hubspot_words(record: AllocationRecord) -> str:
    """What HubSpot knows of the decision, as the card is posted (after the write-back)."""
    if record.status == WRITEBACK_PENDING:
        return "not yet written; the outbox will retry"
    if record.status == WRITEBACK_FAILED:
        return "write-back failed; retry it from the console"
    return "written" if record.writeback_attempts else "not configured"


class ChatNotifier:
    def __init__(
        self,
        webhook_url: str,
        console_url: str | None = None,
        session: requests.Session | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        attempts: int = ATTEMPTS,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        adviser_names: Callable[[], Mapping[str, str]] | None = None,
    ) -> None:
        """The webhook passes one attempt and a short timeout: a card is never worth making
        HubSpot wait (its answer has a budget of its own; see ``services.deadline``).
        ``adviser_names`` gives id → name; an adviser it does not know shows by id."""
        self._url = webhook_url
        self._console = console_url.rstrip("/") if console_url else None
        self._session = session or make_session("Google Chat")
        self._sleep = sleep
        self._attempts = attempts
        self._timeout = timeout
        self._names = adviser_names

    # -- the port --------------------------------------------------------------------------

    def decision(self, record: AllocationRecord) -> None:
        if record.status == UNALLOCATED:
            self._post(f"deal-{record.deal_id}", self._unallocated_card(record))
        else:
            self._post(f"deal-{record.deal_id}", self._decision_card(record))

    def writeback_failed(self, record: AllocationRecord, error: str) -> None:
        widgets = [
            _field("Adviser", self._adviser(record.adviser_id)),
            _field("Attempts", record.writeback_attempts),
            _field("Error", error),
            *self._button("Retry from the console", f"allocations?deal={quote(record.deal_id)}"),
        ]
        title = f"HubSpot write-back failed for deal {record.deal_id}"
        card = _card(f"writeback-{record.deal_id}", title, "The decision is kept", widgets)
        self._post(f"deal-{record.deal_id}", card)

    def rejected(self, rejection: RejectedDelivery) -> None:
        widgets = [
            _field("Why", rejection.reason),
            *[_field(name, value) for name, value in list(rejection.fields.items())[:MAX_REASONS]],
            *self._button("Open the rejected deliveries", "allocations?tab=rejected"),
        ]
        title = f"Delivery refused: deal {rejection.deal_id or 'unknown'}"
        subtitle = "Kept for ops: fix the deal or the catalogue, then re-run it"
        card = _card(f"rejected-{rejection.id}", title, subtitle, widgets)
        self._post(f"deal-{rejection.deal_id or rejection.id}", card)

    def sync_failed(self, run: SyncRun) -> None:
        widgets = [
            _field("Started", f"{words.moment(run.started_at, dt.UTC)} UTC"),
            _field("By", words.actor_words(run.actor)),
            *[_field("Error", e) for e in run.errors[:MAX_REASONS]],
            *self._button("Open the Sync page", "sync"),
        ]
        source = words.SYNC_NAMES.get(run.source, run.source)
        card = _card(f"sync-{run.id}", f"Sync failed: {source}", "Old data kept", widgets)
        self._post(f"sync-{run.source}", card)

    def bad_records(self, records: Sequence[ExcludedRecord]) -> None:
        widgets = [
            *[_field(f"{r.kind} {r.record_id}", r.reason) for r in records[:MAX_REASONS]],
            *self._button("Open the Sync page", "sync"),
        ]
        if len(records) > MAX_REASONS:
            widgets.insert(MAX_REASONS, _field("And", f"{len(records) - MAX_REASONS} more"))
        noun = "record" if len(records) == 1 else "records"
        title = f"{len(records)} {noun} left out of decisions"
        subtitle = "Everyone else is still allocated; fix these in HubSpot or the console"
        card = _card(f"excluded-{records[0].key}", title, subtitle, widgets)
        self._post("data-quality", card)

    def notice(
        self, thread: str, title: str, subtitle: str, facts: Sequence[tuple[str, str]]
    ) -> bool:
        widgets = [_field(label, value) for label, value in facts]
        widgets += self._button("Open the Capacity outlook", "outlook")
        return self._post(thread, _card(f"notice-{thread}", title, subtitle, widgets))

    def folder_provisioned(self, record: FolderRecord) -> None:
        widgets = [
            _field("Folder", record.folder_name),
            _field("Adviser", self._adviser(record.adviser_id)),
            *self._link("Open the folder in Box", record.folder_url),
        ]
        title = f"Client folder ready for deal {record.deal_id}"
        subtitle = "Copied, tagged, shared with the client and linked in HubSpot"
        self._post(f"deal-{record.deal_id}", _card(f"folder-{record.deal_id}", title, subtitle,
                                                   widgets))  # fmt: skip

    def folder_failed(self, record: FolderRecord, error: str) -> None:
        done = STEP_WORDS.get(record.step, record.step)
        widgets = [
            _field("Done so far", done),
            _field("Attempts", record.attempts),
            _field("What to fix" if record.needs_fix else "Error", error),
            *self._button("Open Client folders", f"folders?deal={quote(record.deal_id)}"),
        ]
        title = f"Client folder not made for deal {record.deal_id}"
        subtitle = "The allocation stands; retry from the console once fixed"
        self._post(f"deal-{record.deal_id}", _card(f"folder-failed-{record.deal_id}", title,
                                                   subtitle, widgets))  # fmt: skip

    # -- cards -----------------------------------------------------------------------------

    def _decision_card(self, record: AllocationRecord) -> dict[str, Any]:
        widgets = [
            _field("Adviser", self._adviser(record.adviser_id)),
            _field("First week", words.day(record.week) or "—"),
            _field("Package", record.service_package),
            _field("Household", record.household_type or "any"),
            _field("Source", words.source_words(record.source)),
        ]
        widgets.append(_field("HubSpot", _hubspot_words(record)))
        widgets += self._button("Open in the console", f"allocations?deal={quote(record.deal_id)}")
        title = f"Deal {record.deal_id} → {self._adviser(record.adviser_id)}"
        return _card(f"decision-{record.deal_id}", title, "Allocated", widgets)

    def _unallocated_card(self, record: AllocationRecord) -> dict[str, Any]:
        widgets = [
            _field("Package", record.service_package),
            _field("Household", record.household_type or "any"),
            *self._reasons(record),
            *self._button("Assign by hand", f"allocations?deal={quote(record.deal_id)}"),
        ]
        title = f"No adviser can take deal {record.deal_id}"
        return _card(f"unallocated-{record.deal_id}", title, "Needs a person", widgets)

    def _reasons(self, record: AllocationRecord) -> list[Widget]:
        lines = [
            f"<b>{_text(self._adviser(c.get('adviser_id')))}</b>: {_text(candidate_words(c))}"
            for c in record.explanation[:MAX_REASONS]
            if not c.get("eligible")
        ]
        return [_paragraph("<br>".join(lines))] if lines else []

    def _adviser(self, adviser_id: object) -> str:
        """The adviser's name; their id when the names cannot be read (never fails a card)."""
        if not adviser_id:
            return "—"
        try:
            names = self._names() if self._names is not None else {}
        except Exception:  # a store hiccup costs the name, never the card
            log.warning("adviser names unavailable for a Chat card", exc_info=True)
            names = {}
        return names.get(str(adviser_id)) or str(adviser_id)

    def _link(self, label: str, url: str) -> list[Widget]:
        if not url.startswith("https://"):
            return []
        button = {"text": label, "onClick": {"openLink": {"url": url}}}
        return [{"buttonList": {"buttons": [button]}}]

    def _button(self, label: str, path: str) -> list[Widget]:
        if not self._console:
            return []
        url = f"{self._console}/{path}"
        button = {"text": label, "onClick": {"openLink": {"url": url}}}
        return [{"buttonList": {"buttons": [button]}}]

    # -- transport -------------------------------------------------------------------------

    def _post(self, thread_key: str, message: dict[str, Any]) -> bool:
        """Post a card; False (logged) when Chat did not take it after the retries."""
        try:
            send(
                self._session,
                "POST",
                self._url,
                params={"threadKey": thread_key, "messageReplyOption": REPLY_OPTION},
                json=message,
                attempts=self._attempts,
                timeout=self._timeout,
                sleep=self._sleep,
                bounded=False,  # its own short timeout, outside the write-back's budget
            )
        except Exception as exc:  # never fail the caller; send()'s own messages are redacted
            detail = str(exc) if isinstance(exc, UpstreamError) else type(exc).__name__
            log.warning("Google Chat post to %s failed: %s", redact_url(self._url), detail)
            return False
        return True
