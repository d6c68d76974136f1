"""Client folders in Box: every allocated deal gets its folder, copied from the template,
tagged, shared and linked back to HubSpot — once, whoever works on it, resumably.

The deal's ``FolderRecord`` (``store.folders``) is its provisioning outbox entry, beside the
write-back outbox (``services.outbox``), and is drained by the same command and schedule
(``python -m cli sync writebacks``): an allocation only queues it (one store write), so Box
never holds up a webhook's answer, and Box being down only delays the folder.

- **Idempotent by deal id**: a deal is queued once (``add_folder`` refuses a second); the
  folder's name is fixed and stored before anything is copied; the copy step looks for the
  stored folder id, then the exact name in the parent, and Box's 409 ``item_name_in_use``
  hands back the folder that has the name. A replay, a retry or a worker that died after the
  copy therefore finds the folder instead of making ``name (1)``.
- **Exclusive**: a worker claims the record's lease by compare-and-set on its version (as the
  write-back outbox does), so two drainers never work on one deal at once.
- **Resumable**: each step done (``copied``, ``tagged``, ``shared``, ``linked``) is recorded at
  once; a retry starts at the first step not done. A re-assignment steps the record back to
  ``copied``, so the metadata and the adviser's collaboration are done again: the new adviser
  is added, then the previous one (``shared_adviser``) removed.
- **Failures**: Box or HubSpot down is retried with the outbox's backoff, then given up on
  (``MAX_ATTEMPTS``); input a person must fix (no client email, a missing template, a folder
  the service account cannot see) gives up at once with a message saying what to fix. Chat
  hears of a finished folder and of a give-up, in the deal's thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from services import outbox
from services.errors import (
    AlreadyRecorded,
    BadRequest,
    Conflict,
    ConsoleError,
    MalformedReply,
    UpstreamRejected,
    UpstreamUnavailable,
)
from services.folder_records import (
    COPIED,
    FOLDER_GAVE_UP,
    FOLDER_PENDING,
    FOLDER_PROVISIONED,
    LINKED,
    SHARED,
    STEPS,
    TAGGED,
    BoxSettings,
    FolderRecord,
)
from services.notifiers import safely
from services.ports import DealLinks, FolderHost, Notifier, Store
from services.records import AllocationRecord

log = logging.getLogger("console.folders")

MAX_ATTEMPTS = outbox.MAX_ATTEMPTS
# Longer than a holder's Box calls take (a big template copies in seconds; the HTTP policy
# bounds each call's retries), so a lease only runs out when its holder died.
LEASE = dt.timedelta(minutes=5)
MAX_ROUNDS = 3  # "the record changed under us (a re-assignment): carry on from the latest"
# Allocations this recent with no folder are queued by a drain (one lost between booking and
# queueing, or made while Box was not yet configured... within the window).
SWEEP_WINDOW = dt.timedelta(days=14)
NAME_LIMIT = 255
_FORBIDDEN = re.compile(r"[/\\\x00-\x1f]+")
_EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")
FIX = (UpstreamRejected, BadRequest)
RETRY = (UpstreamUnavailable, MalformedReply)


class DealReader(Protocol):
    """HubSpot, for the deal's name and client email(s) (``Crm.read_deal``), and the emails
    of its contacts when the deal has none of its own (``Crm.contact_emails``)."""

    def read_deal(self, deal_id: str, properties: Sequence[str]) -> dict[str, str | None]: ...

    def contact_emails(self, deal_id: str) -> list[str]: ...


class _SteppedBack(Exception):
    def __init__(self, latest: FolderRecord) -> None:
        super().__init__(latest.deal_id)
        self.latest = latest


@dataclass(frozen=True)
class Provisioned:
    """What one drain did: folders finished, attempts that failed, folders given up on."""

    done: int = 0
    failed: int = 0
    gave_up: int = 0
    skipped: int = 0  # someone else holds it, or not due yet
    queued: int = 0  # allocations found with no folder, queued by this drain
    errors: tuple[str, ...] = ()


# --- names and addresses ---------------------------------------------------------------------


def folder_name(deal_name: str | None, deal_id: str) -> str:
    """``<household or deal name> (deal <id>)``, within Box's rules: no ``/`` or ``\\``, no
    control characters, no leading or trailing spaces or dots, at most 255 characters."""
    suffix = f" (deal {_FORBIDDEN.sub('-', deal_id).strip(' .')})"
    stem = " ".join(_FORBIDDEN.sub(" ", deal_name or "").split()).strip(" .")
    stem = stem[: NAME_LIMIT - len(suffix)].rstrip(" .") or "Client"
    return f"{stem}{suffix}"


def client_emails(
    raw: str | None, deal_id: str, prop: str, contacts: Sequence[str] = ()
) -> tuple[str, ...]:
    """The client's address(es) from the deal property (separated by commas, semicolons or
    spaces), else from the deal's associated contacts; ``BadRequest`` naming the deal and
    where the address was looked for when there is none, or one is malformed."""
    parts = [p for p in re.split(r"[,;\s]+", raw or "") if p]
    where = f"HubSpot property {prop!r}"
    fix = "correct it on the deal"
    if not parts:
        parts = [c.strip() for c in contacts if c.strip()]
        where, fix = "on an associated contact", "correct it on the contact"
    if not parts:
        raise BadRequest(
            f"deal {deal_id} has no client email (HubSpot property {prop!r}, nor a contact "
            "associated with the deal): add the client's email address to the deal or its "
            "contact, then retry"
        )
    bad = [p for p in parts if not _EMAIL.fullmatch(p)]
    if bad:
        raise BadRequest(
            f"deal {deal_id}'s client email {bad[0]!r} ({where}) is not an email address: "
            f"{fix}, then retry"
        )
    return tuple(dict.fromkeys(p.casefold() for p in parts))


def box_date(day: dt.date | None) -> str | None:
    """Box metadata dates are RFC 3339 date-times at midnight UTC."""
    return None if day is None else f"{day.isoformat()}T00:00:00.000Z"


# --- queueing --------------------------------------------------------------------------------


def queue(store: Store, record: AllocationRecord, now: dt.datetime) -> FolderRecord | None:
    """Queue the folder of a deal that books an adviser (once; a replay gets the stored one,
    brought up to a re-assignment). Never raises: a store hiccup leaves it to the sweep."""
    if not record.books:
        return None
    try:
        try:
            return store.folders.add_folder(
                FolderRecord(record.deal_id, now, record.adviser_id, updated_at=now)
            )
        except AlreadyRecorded as exc:
            held: FolderRecord = exc.record  # type: ignore[assignment]
            if held.adviser_id == record.adviser_id:
                return held
            return reassigned(store, held, record.adviser_id, now)
    except ConsoleError as exc:
        log.warning("client folder of deal %s not queued (a drain will): %s", record.deal_id, exc)
        return None


def queue_if_on(
    box: FolderHost | None, store: Store, record: AllocationRecord, now: dt.datetime
) -> None:
    """What an allocation or re-assignment does about the folder: nothing while Box is off."""
    if box is not None:
        queue(store, record, now)


def reassigned(
    store: Store, record: FolderRecord, adviser_id: str | None, now: dt.datetime
) -> FolderRecord:
    """The deal has a new adviser: the metadata and the adviser's collaboration are done
    again (the copy stands). A lease held is kept: its holder carries on from the latest."""
    for _ in range(MAX_ROUNDS):
        moved = replace(
            record,
            adviser_id=adviser_id,
            shared_adviser=_shared_with(store, record),
            step=COPIED if record.done(COPIED) else record.step,
            status=FOLDER_PENDING,
            attempts=0,
            needs_fix=False,
            last_error=None,
            next_attempt_at=None,
            updated_at=now,
        )
        try:
            return store.folders.update_folder(moved)
        except Conflict:
            latest = store.folders.get_folder(record.deal_id)
            if latest is None:
                break
            record = latest
    raise Conflict(f"deal {record.deal_id}'s client folder kept changing; try again")


def _shared_with(store: Store, record: FolderRecord) -> str:
    """The adviser the folder is shared with. Records shared before the address was kept
    name only the adviser: their address is looked up, for the sharing step to remove."""
    if record.shared_adviser or not record.done(SHARED):
        return record.shared_adviser
    found = (a.email for a in store.list_advisers() if a.id == record.adviser_id)
    return next(found, None) or ""


# --- working ---------------------------------------------------------------------------------


def leased(record: FolderRecord, now: dt.datetime) -> bool:
    return record.lease_until is not None and record.lease_until > now


def due(record: FolderRecord, now: dt.datetime) -> bool:
    return (
        record.status == FOLDER_PENDING
        and not leased(record, now)
        and (record.next_attempt_at is None or record.next_attempt_at <= now)
    )


@dataclass
class Provisioner:
    """Works the folders outbox against one Box, for one set of Box settings."""

    store: Store
    host: FolderHost
    settings: BoxSettings
    deals: DealReader | None
    links: DealLinks | None
    notifier: Notifier | None
    clock: Callable[[], dt.datetime]
    _unavailable: bool = False  # an outage met during this drain: stop, leave the rest

    def drain(self, deal_id: str | None = None, forced: bool = False) -> Provisioned:
        """Every due folder (or ``deal_id``'s). ``forced`` (a person's Retry) ignores the
        backoff and takes up folders given up on; a held lease is always respected."""
        self._unavailable = False
        queued = self.sweep() if deal_id is None else 0
        if deal_id is not None:
            found = self.store.folders.get_folder(deal_id)
            candidates = [found] if found is not None else []
        else:
            candidates = self.store.folders.list_folders(status=FOLDER_PENDING)
            if forced:
                candidates += self.store.folders.list_folders(status=FOLDER_GAVE_UP)
        done = failed = gave_up = skipped = 0
        errors: list[str] = []
        for n, record in enumerate(candidates):
            if self._unavailable:  # the rest would only wait out the same outage one by one
                skipped += len(candidates) - n
                errors.append(f"Box or HubSpot is unavailable: {len(candidates) - n} left for "
                              "the next drain")  # fmt: skip
                break
            now = self.clock()
            wanted = record.status in (FOLDER_PENDING, FOLDER_GAVE_UP) and not leased(record, now)
            if not (wanted if forced else due(record, now)):
                skipped += 1
                continue
            if record.status == FOLDER_GAVE_UP:
                record = replace(record, status=FOLDER_PENDING, attempts=0, needs_fix=False)
            claimed = self.claim(record, now)
            if claimed is None:
                skipped += 1
                continue
            result = self.work(claimed)
            if result.status == FOLDER_PROVISIONED:
                done += 1
            else:
                failed += 1
                gave_up += result.status == FOLDER_GAVE_UP
                errors.append(f"deal {result.deal_id}: {result.last_error or 'not done'}")
        return Provisioned(done, failed, gave_up, skipped, queued, tuple(errors))

    def sweep(self) -> int:
        """Queue recent allocations that have no folder (one lost between booking and
        queueing); a deal's folder is never queued twice (``add_folder`` refuses)."""
        now = self.clock()
        recent = self.store.list_allocations(since=now - SWEEP_WINDOW)
        known = {f.deal_id for f in self.store.folders.list_folders(limit=5000)}
        queued = 0
        for record in recent:
            if record.books and record.deal_id not in known:
                queued += queue(self.store, record, now) is not None
        return queued

    def claim(self, record: FolderRecord, now: dt.datetime) -> FolderRecord | None:
        try:
            return self.store.folders.update_folder(replace(record, lease_until=now + LEASE))
        except Conflict:
            return None

    def work(self, record: FolderRecord) -> FolderRecord:
        """Do the steps left of a record whose lease we hold; record each as it is done."""
        error: Exception | None = None
        try:
            record = self._steps(record)
        except (*FIX, *RETRY) as exc:
            error = exc
            self._unavailable = isinstance(exc, UpstreamUnavailable)
        except Conflict as exc:  # it kept changing under us: leave it to the next drain
            log.warning("client folder of deal %s: %s", record.deal_id, exc)
            return record
        latest = self.store.folders.get_folder(record.deal_id) or record
        outcome = self._succeeded(latest) if error is None else self._failed(latest, error)
        try:
            stored = self.store.folders.update_folder(outcome)
        except Conflict:
            return self.store.folders.get_folder(record.deal_id) or outcome
        self._tell(stored, error)
        return stored

    def _steps(self, record: FolderRecord) -> FolderRecord:
        for _ in range(MAX_ROUNDS):
            try:
                return self._steps_left(record)
            except _SteppedBack as back:  # re-assigned while we worked: again from there
                record = back.latest
        raise Conflict(f"deal {record.deal_id}'s client folder kept changing under us")

    def _steps_left(self, record: FolderRecord) -> FolderRecord:
        deal: dict[str, str | None] | None = None
        for step in STEPS:
            if record.done(step):
                continue
            needs_deal = step == SHARED or (step == COPIED and not record.folder_name)
            if deal is None and needs_deal:
                deal = self._read_deal(record.deal_id)
            record = self._do(step, record, deal or {})
        return record

    def _do(self, step: str, record: FolderRecord, deal: dict[str, str | None]) -> FolderRecord:
        box = self.settings
        if step == COPIED:
            if not record.folder_name:  # fixed before the copy, so a retry looks for this name
                name = folder_name(deal.get(box.name_property), record.deal_id)
                record = self._save(record, folder_name=name)
            folder = self._find_or_copy(record, record.folder_name)
            return self._save(
                record, step=COPIED, folder_id=folder, folder_url=self.host.folder_url(folder)
            )
        folder_id = str(record.folder_id)
        if step == TAGGED:
            values = self._values(record)
            self.host.tag(folder_id, box.metadata_scope, box.metadata_template, values)
        elif step == SHARED:
            adviser = self._share(record, folder_id, deal)
            return self._save(record, step=step, shared_adviser=adviser)
        elif step == LINKED:
            if self.links is None:
                raise BadRequest(
                    "HubSpot is not configured (HUBSPOT_TOKEN): the folder link cannot be written"
                )
            self.links.write_deal_property(record.deal_id, box.url_property, record.folder_url)
        return self._save(record, step=step)

    def _find_or_copy(self, record: FolderRecord, name: str) -> str:
        box = self.settings
        if record.folder_id:
            return record.folder_id
        found = self.host.find_folder(box.parent_folder_id, name, "clients parent folder")
        if found is None:
            found = self.host.copy_folder(box.template_folder_id, box.parent_folder_id, name)
        return found.id

    def _share(self, record: FolderRecord, folder_id: str, deal: dict[str, str | None]) -> str:
        """Share with the clients and the deal's adviser; a previous adviser (the deal was
        re-assigned) is removed once the new one is added, so the folder always has one.
        Returns the adviser's address now shared with."""
        box = self.settings
        raw = deal.get(box.email_property)
        # Many firms keep the client's address on the deal's contacts, not the deal itself.
        contacts: list[str] = []
        if not (raw or "").strip() and self.deals is not None:
            contacts = self.deals.contact_emails(record.deal_id)
        emails = client_emails(raw, record.deal_id, box.email_property, contacts)
        target = folder_id
        if box.shared_subfolder:
            sub = self.host.find_folder(folder_id, box.shared_subfolder, "client folder")
            if sub is None:
                raise UpstreamRejected(
                    f"the client folder has no subfolder {box.shared_subfolder!r} to share: add "
                    "it to the template folder, or correct the subfolder name in Settings"
                )
            target = sub.id
        for email in emails:
            self.host.share(target, email, box.client_role)
        adviser = self._adviser_email(record.adviser_id)
        self.host.share(folder_id, adviser, box.adviser_role)
        previous = record.shared_adviser
        if previous and previous.casefold() != adviser.casefold():
            self.host.unshare(folder_id, previous)
        return adviser

    def _adviser_email(self, adviser_id: str | None) -> str:
        """The allocated adviser's address; ``BadRequest`` saying what to fix when there is
        none (the folder must not go unshared, nor stay with a previous adviser, silently)."""
        found = next((a for a in self.store.list_advisers() if a.id == adviser_id), None)
        if found is None:
            raise BadRequest(
                f"adviser {adviser_id} is not among the synced advisers: sync HubSpot, then retry"
            )
        if not found.email.strip():
            raise BadRequest(
                f"{found.name} has no email address in HubSpot, so the folder cannot be shared "
                "with them: add it to their HubSpot user, sync, then retry"
            )
        return found.email.strip()

    def _values(self, record: FolderRecord) -> dict[str, Any]:
        allocation = self.store.get_allocation(record.deal_id)
        names = {a.id: a.name for a in self.store.list_advisers()}
        values: dict[str, Any] = {
            "dealId": record.deal_id,
            "adviser": names.get(record.adviser_id or "", record.adviser_id or ""),
        }
        if allocation is not None:
            values |= {
                "servicePackage": allocation.service_package,
                "householdType": allocation.household_type,
                "agreementStart": box_date(allocation.agreement_start),
                "allocationWeek": box_date(allocation.week),
            }
        return {k: v for k, v in values.items() if v not in (None, "")}

    def _read_deal(self, deal_id: str) -> dict[str, str | None]:
        if self.deals is None:
            raise BadRequest(
                "HubSpot is not configured (HUBSPOT_TOKEN): the deal's name and client email "
                "cannot be read"
            )
        box = self.settings
        return self.deals.read_deal(deal_id, [box.name_property, box.email_property])

    def _save(self, record: FolderRecord, **changes: Any) -> FolderRecord:
        """Record progress at once. A record re-assigned meanwhile (stepped back, or another
        adviser) is worked again from where it now stands (``_SteppedBack``)."""
        for _ in range(MAX_ROUNDS):
            try:
                return self.store.folders.update_folder(
                    replace(record, updated_at=self.clock(), **changes)
                )
            except Conflict:
                latest = self.store.folders.get_folder(record.deal_id)
                if latest is None:
                    raise
                if latest.steps_done < record.steps_done or latest.adviser_id != record.adviser_id:
                    kept = {k: v for k, v in changes.items() if k != "step"}
                    if changes.get("step") == COPIED:  # the copy stands, whoever re-assigned
                        kept["step"] = COPIED
                    raise _SteppedBack(
                        self.store.folders.update_folder(replace(latest, **kept))
                    ) from None
                record = latest
        raise Conflict(f"deal {record.deal_id}'s client folder kept changing under us")

    def _succeeded(self, record: FolderRecord) -> FolderRecord:
        if record.steps_done < len(STEPS):  # stepped back meanwhile: the next drain goes on
            return replace(record, lease_until=None, next_attempt_at=None)
        return replace(
            record, status=FOLDER_PROVISIONED, attempts=record.attempts + 1, last_error=None,
            needs_fix=False, lease_until=None, next_attempt_at=None, updated_at=self.clock(),
        )  # fmt: skip

    def _failed(self, record: FolderRecord, error: Exception) -> FolderRecord:
        now = self.clock()
        attempts = record.attempts + 1
        needs_fix = isinstance(error, FIX)
        gave_up = needs_fix or attempts >= MAX_ATTEMPTS
        return replace(
            record,
            status=FOLDER_GAVE_UP if gave_up else FOLDER_PENDING,
            attempts=attempts,
            last_error=str(error) or type(error).__name__,
            needs_fix=needs_fix,
            lease_until=None,
            next_attempt_at=None if gave_up else now + outbox.backoff(attempts),
            updated_at=now,
        )

    def _tell(self, record: FolderRecord, error: Exception | None) -> None:
        notifier = self.notifier
        if notifier is None:
            return
        if record.status == FOLDER_PROVISIONED:
            safely(lambda: notifier.folder_provisioned(record), f"folder of {record.deal_id}")
        elif record.status == FOLDER_GAVE_UP and error is not None:
            text = record.last_error or ""
            safely(lambda: notifier.folder_failed(record, text), f"folder of {record.deal_id}")
        else:
            log.warning(
                "client folder of deal %s failed (attempt %d): %s",
                record.deal_id,
                record.attempts,
                record.last_error,
            )
