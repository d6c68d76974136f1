"""What a person does to allocations from the console: re-assign safely, allocate a deal by
its id, re-run the deals nobody could take (``svc.allocating``).

All three go through the webhook's own use cases (``services.booking``, the write-back
outbox): the same idempotency (a recorded deal is a replay, whoever delivered it first), the
same write-back to HubSpot, the same Chat card. What the console adds is the person: every
action is an editor's, audited under their name, and an action the allocator would not take
(an adviser who does not offer the package, a past or closed week) is refused unless the
person confirms it (``NeedsConfirmation``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from allocation import (
    Adviser,
    Deal,
    Decision,
    PendingDeal,
    Snapshot,
    allocate,
    build_ledger,
    exclusion_reason,
    explain,
    week_of,
)
from allocation import reasons as codes
from services import booking, folders, outbox
from services.booking import Outcome
from services.context import Context
from services.deal_intake import (
    DealFields,
    canonical_deal_id,
    clean_text,
    deal_from_properties,
    parse_agreement_start,
)
from services.editing import require_editor
from services.errors import (
    BadRequest,
    Conflict,
    MalformedReply,
    NeedsConfirmation,
    NotFound,
    UpstreamRejected,
    UpstreamUnavailable,
)
from services.explanation import candidate_words, day_words, tie_break_words
from services.history import allocations_frame
from services.notifiers import notify_decision
from services.records import (
    ALLOCATED,
    UNALLOCATED,
    WRITEBACK_PENDING,
    AllocationRecord,
    AuditEntry,
    candidates_to_dicts,
)

SOURCE = "console"
NOT_CONFIGURED = (
    "HubSpot is not configured (HUBSPOT_TOKEN), so deal {deal} cannot be read from it: "
    "type its package, household and agreement date in instead"
)


@dataclass(frozen=True)
class Ranked:
    """One adviser as the allocator ranks them for a deal now, in words."""

    rank: int
    adviser_id: str
    name: str
    eligible: bool
    earliest_week: dt.date | None
    utilisation: float | None
    why: str


@dataclass(frozen=True)
class ReassignPlan:
    """A recorded deal with the allocator's ranking for it today (its own booking left out),
    to pre-fill a re-assignment with."""

    record: AllocationRecord
    ranking: tuple[Ranked, ...]
    first_allowed_week: dt.date | None
    tie_break: str

    @property
    def suggested(self) -> Ranked | None:
        """The adviser the allocator would choose now, with their earliest week."""
        return next((r for r in self.ranking if r.earliest_week is not None), None)

    def frame(self) -> pd.DataFrame:
        """The ranking as the candidates table reads it."""
        rows = [
            {
                "rank": r.rank,
                "adviser_id": r.adviser_id,
                "adviser": r.name,
                "eligible": r.eligible,
                "earliest_week": r.earliest_week,
                "utilisation": r.utilisation,
                "why": r.why,
            }
            for r in self.ranking
        ]
        return pd.DataFrame(rows)


@dataclass(frozen=True)
class TypedDeal:
    """A deal's details typed in by a person (when HubSpot is not connected or not to be read)."""

    package: str
    household: str | None = None
    agreement_start: dt.date | None = None


@dataclass(frozen=True)
class RerunLine:
    """What one unallocated deal would get if re-run now (or what it got)."""

    deal_id: str
    adviser_id: str | None
    adviser: str | None
    week: dt.date | None
    words: str


def deal_of(record: AllocationRecord) -> Deal:
    return Deal(record.deal_id, record.service_package, record.household_type,
                record.agreement_start)  # fmt: skip


def without_own_booking(snapshot: Snapshot, record: AllocationRecord) -> Snapshot:
    """The firm as if this deal were not booked yet, so it does not compete with itself."""
    if not any(p.deal_id == record.deal_id for p in snapshot.pending):
        return snapshot
    return snapshot.with_pending(removed=(record.deal_id,))


def ranked(decision: Decision, advisers: Sequence[Adviser]) -> tuple[Ranked, ...]:
    names = {a.id: a.name for a in advisers}
    rows = candidates_to_dicts(decision)
    return tuple(
        Ranked(
            n,
            c.adviser_id,
            names.get(c.adviser_id, c.adviser_id),
            c.eligible,
            c.earliest_week,
            c.utilisation,
            candidate_words(row),
        )
        for n, (c, row) in enumerate(zip(decision.candidates, rows, strict=True), start=1)
    )


def reassign_warnings(
    record: AllocationRecord, adviser_id: str, week: dt.date, snapshot: Snapshot, today: dt.date
) -> tuple[str, ...]:
    """Everything the allocator would object to in giving ``record``'s deal to this adviser
    from this week; empty when it is a choice the allocator could have made."""
    adviser = next((a for a in snapshot.advisers if a.id == adviser_id), None)
    if adviser is None:
        raise BadRequest(f"deal {record.deal_id}: unknown adviser {adviser_id!r}")
    deal, monday = deal_of(record), week_of(week)
    warnings = []
    excluded = exclusion_reason(adviser, deal, snapshot.rules)
    if excluded == codes.NOT_TAKING_CLIENTS:
        warnings.append(f"{adviser.name} is not taking on new clients")
    elif excluded == codes.PACKAGE_MISMATCH:
        warnings.append(f"{adviser.name} does not offer {deal.service_package}")
    elif excluded == codes.HOUSEHOLD_MISMATCH:
        warnings.append(f"{adviser.name} does not take {deal.household_type} households")
    warnings += _week_warnings(deal, adviser, monday, without_own_booking(snapshot, record), today)
    return tuple(warnings)


def _week_warnings(
    deal: Deal, adviser: Adviser, monday: dt.date, snapshot: Snapshot, today: dt.date
) -> list[str]:
    ledger = build_ledger(snapshot, today)
    week = f"the week of {day_words(monday)}"
    if monday < ledger.current_week:
        return [f"{week} is in the past"]
    if monday not in ledger.weeks:
        return [f"{week} is beyond the planning horizon"]
    column = ledger.weeks.index(monday)
    buffer_ends = ledger.current_index + ledger.buffer_weeks
    if column < buffer_ends:
        earliest = day_words(ledger.weeks[min(buffer_ends, len(ledger.weeks) - 1)])
        return [f"{week} is inside the buffer (the earliest start for a new client is {earliest})"]
    if column < ledger.first_allowed_index(deal.agreement_start):
        return [f"{week} is earlier than the agreement date allows"]
    code = int(ledger.week_codes[ledger.row(adviser.id), column])
    if code == codes.OPEN_CODE:
        return []
    return [f"{week} is not open for {adviser.name}: {explain(codes.WEEK_REASONS[code])}"]


def unallocated_words(record: AllocationRecord) -> str:
    """Why nobody could take the deal, from the ranking kept when it was decided."""
    reasons = Counter(c.get("reason") for c in record.explanation)
    total = sum(reasons.values())
    if not total:
        return "no adviser was on record when it was decided"
    package, household = record.service_package, record.household_type
    if reasons[codes.PACKAGE_MISMATCH] == total:
        return f"no adviser offers {package}"
    words = {
        codes.PACKAGE_MISMATCH: f"do not offer {package}",
        codes.HOUSEHOLD_MISMATCH: f"do not take {household} households",
        codes.NOT_TAKING_CLIENTS: "not taking on new clients",
        codes.NO_CAPACITY_IN_HORIZON: "no open week in the planning horizon",
    }
    parts = [f"{n} {words.get(reason or '', explain(reason))}" for reason, n in
             sorted(reasons.items(), key=lambda item: -item[1])]  # fmt: skip
    return f"of {total} advisers: " + ", ".join(parts)


@dataclass(frozen=True)
class CheckedReassignment:
    """A re-assignment cleared to go: the reason to record and, when the allocator had no
    objection, the adviser's load version that finding rests on (``based_on``: a booking
    landing meanwhile must not slip it past the week's maximum unseen)."""

    reason: str
    based_on: str | None
    version: str  # of the record as checked: a change by someone else since shows in it


def checked_reassignment(
    context: Context,
    deal_id: str,
    adviser_id: str,
    week: dt.date,
    reason: str,
    confirmed: bool,
) -> CheckedReassignment:
    """``NeedsConfirmation`` when the allocator objects and the person has not confirmed
    (what they overrode is recorded with the reason)."""
    if not reason.strip():
        raise BadRequest(f"deal {deal_id}: a reason for the re-assignment is required")
    record = context.store.get_allocation(deal_id)
    if record is None:
        raise NotFound(f"deal {deal_id} has no recorded allocation to re-assign")
    prepared = context.prepared()
    warnings = reassign_warnings(record, adviser_id, week, prepared.snapshot, context.today())
    if warnings and not confirmed:
        raise NeedsConfirmation(f"deal {deal_id}", warnings)
    if warnings:
        said = f"{reason.strip()} (confirmed although {'; '.join(warnings)})"
        # overridden knowingly: the load is not checked
        return CheckedReassignment(said, None, record.version)
    return CheckedReassignment(reason.strip(), prepared.load_version(adviser_id), record.version)


class Allocating:
    """``svc.allocating``: the console's allocation actions (re-assign plans and checks,
    allocate by id, re-run unallocated deals)."""

    def __init__(self, context: Context, deal_fields: Callable[[], DealFields]) -> None:
        self._context = context
        self._deal_fields = deal_fields

    # --- re-assign ---------------------------------------------------------------------------

    def reassign_plan(self, deal_id: str) -> ReassignPlan:
        record = self._recorded(deal_id)
        snapshot = self._context.snapshot()
        decision = allocate(deal_of(record), without_own_booking(snapshot, record),
                            self._context.today())  # fmt: skip
        names = {a.id: a.name for a in snapshot.advisers}
        return ReassignPlan(
            record, ranked(decision, snapshot.advisers), decision.first_allowed_week,
            tie_break_words(candidates_to_dicts(decision), names),
        )  # fmt: skip

    def reassign_warnings(self, deal_id: str, adviser_id: str, week: dt.date) -> tuple[str, ...]:
        record = self._recorded(deal_id)
        return reassign_warnings(
            record, adviser_id, week, self._context.snapshot(), self._context.today()
        )

    # --- allocate by id ----------------------------------------------------------------------

    def allocate_by_id(
        self, deal_id: str, actor: str, is_editor: bool, typed: TypedDeal | None = None
    ) -> Outcome:
        """Decide a deal the webhook never saw, exactly as the webhook would: a deal already
        recorded (by either) is a replay that changes nothing (but finishes a write-back left
        behind). The deal is read from HubSpot unless ``typed`` gives its details; when
        HubSpot cannot be read, nothing is written."""
        require_editor(is_editor, actor, "allocations")
        context = self._context
        deal_id = canonical_deal_id(deal_id.strip(), "the deal id")
        existing = context.store.get_allocation(deal_id)
        if existing is not None:
            return self._heal(Outcome(existing, replay=True))
        deal = self._typed_deal(deal_id, typed) if typed else self._read_deal(deal_id)
        outcome = booking.allocate_and_record(
            deal, store=context.store, cache=context.cache, notifier=context.notifier,
            crm=context.crm, today=context.today(), clock=context.now, source=SOURCE,
        )  # fmt: skip
        folders.queue_if_on(context.box, context.store, outcome.record, context.now())
        if outcome.replay:  # the webhook recorded it a moment ago
            return self._heal(outcome)
        done = outcome.record
        after = {"status": done.status, "adviser_id": done.adviser_id,
                 "week": done.week.isoformat() if done.week else None,
                 "read_from": "typed in" if typed else "HubSpot"}  # fmt: skip
        entry = AuditEntry(context.now(), actor, "allocation.console", "allocations", deal_id)
        context.store.append_audit(replace(entry, after=after))
        self._close_refusals(deal_id, actor, done.status)
        return outcome

    def _close_refusals(self, deal_id: str, actor: str, status: str) -> None:
        """A refused delivery of this deal needs no more action once it is decided here."""
        store = self._context.store
        for refused in store.list_rejections(status="open"):
            if refused.deal_id == deal_id:
                words = status.replace("_", " ")
                store.resolve_rejection(refused.id, f"allocated by id by {actor}: {words}", actor)

    def _read_deal(self, deal_id: str) -> Deal:
        crm = self._context.crm
        if crm is None:
            raise BadRequest(NOT_CONFIGURED.format(deal=deal_id))
        fields = self._deal_fields()
        try:
            properties = crm.read_deal(deal_id, fields.to_read())
        except UpstreamUnavailable as exc:
            raise UpstreamUnavailable(
                f"HubSpot could not be reached to read deal {deal_id} ({exc}); nothing was "
                "written. Try again later, or type the deal's details in."
            ) from exc
        except (UpstreamRejected, MalformedReply) as exc:
            raise UpstreamRejected(
                f"HubSpot would not give deal {deal_id} ({exc}); nothing was written. Check "
                "the id, or type the deal's details in."
            ) from exc
        return deal_from_properties(deal_id, properties, fields, today=self._context.today())

    def _typed_deal(self, deal_id: str, typed: TypedDeal) -> Deal:
        package = clean_text(typed.package or "", "the service package")
        if not package:
            raise BadRequest(f"deal {deal_id}: choose the service package")
        household = clean_text(typed.household or "", "the household type") or None
        start = typed.agreement_start
        if start is not None:
            start = parse_agreement_start(
                start.isoformat(), "the agreement start", today=self._context.today()
            )
        return Deal(deal_id, package, household, start)

    def _heal(self, outcome: Outcome) -> Outcome:
        context = self._context
        return booking.heal_replay(
            outcome, store=context.store, crm=context.crm,
            settings=context.console_settings().value, notifier=context.notifier,
            clock=context.now,
        )  # fmt: skip

    # --- unallocated deals -------------------------------------------------------------------

    def unallocated_frame(self) -> pd.DataFrame:
        """The unallocated queue with why each deal is in it."""
        records = self._unallocated()
        frame = allocations_frame(records, self._context.snapshot().advisers)
        return frame.assign(why=[unallocated_words(r) for r in records])

    def rerun_preview(self, deal_ids: Sequence[str] | None = None) -> list[RerunLine]:
        """What each unallocated deal (or each of ``deal_ids``) would get now, oldest first,
        each booked in turn so two deals are never promised the same last place."""
        snapshot = self._context.snapshot()
        today = self._context.today()
        names = {a.id: a.name for a in snapshot.advisers}
        lines = []
        for record in self._to_rerun(deal_ids):
            decision = allocate(deal_of(record), snapshot, today)
            lines.append(_line(record, decision, names))
            if decision.adviser_id is not None and decision.week is not None:
                booked = PendingDeal(record.deal_id, decision.adviser_id, decision.week)
                snapshot = snapshot.with_pending(added=(booked,))
        return lines

    def rerun(self, deal_ids: Sequence[str] | None, actor: str, is_editor: bool) -> list[RerunLine]:
        """Decide the unallocated deals again on today's picture and book those somebody can
        now take (written back to HubSpot, announced in Chat, audited under ``actor``)."""
        require_editor(is_editor, actor, "allocations")
        return [self._rerun_one(record, actor) for record in self._to_rerun(deal_ids)]

    def _rerun_one(self, record: AllocationRecord, actor: str) -> RerunLine:
        """Decide again and book, conditional on the chosen adviser's load as the decision
        saw it (as a new booking is): a booking landing meanwhile makes it decide again on
        the news, so a re-run never takes a week past its maximum."""
        context, crm = self._context, self._context.crm
        for _ in range(booking.MAX_DECISION_ATTEMPTS):
            prepared = context.prepared()
            names = {a.id: a.name for a in prepared.snapshot.advisers}
            decision = allocate(deal_of(record), prepared.snapshot, context.today())
            if decision.adviser_id is None:
                return _line(record, decision, names)
            now = context.now()
            moved = replace(
                record, status=WRITEBACK_PENDING if crm is not None else ALLOCATED,
                adviser_id=decision.adviser_id, week=decision.week, decided_at=now,
                source=SOURCE, explanation=candidates_to_dicts(decision), writeback_attempts=0,
                last_error=None, next_attempt_at=None, note=f"re-run by {actor}",
                lease_until=now + outbox.LEASE if crm is not None else None,
            )  # fmt: skip
            try:
                stored = context.store.update_allocation(
                    moved, actor=actor, reason="re-run",
                    based_on=prepared.load_version(decision.adviser_id),
                )  # fmt: skip
                break
            except Conflict:
                latest = context.store.get_allocation(record.deal_id)
                if latest is None or latest.version != record.version:
                    return RerunLine(record.deal_id, None, None, None,
                                     "changed by someone else meanwhile; not re-run")  # fmt: skip
                # that adviser was booked since our picture: decide again on the news
        else:
            busy = "too many bookings at once; not re-run, try again shortly"
            return RerunLine(record.deal_id, None, None, None, busy)
        if crm is not None:
            stored = outbox.write_back(
                stored, store=context.store, crm=crm, settings=context.console_settings().value,
                notifier=context.notifier, clock=context.now,
            )  # fmt: skip
        folders.queue_if_on(context.box, context.store, stored, context.now())
        notify_decision(context.notifier, stored)
        return _line(stored, decision, names)

    def _to_rerun(self, deal_ids: Sequence[str] | None) -> list[AllocationRecord]:
        records = self._unallocated()
        if deal_ids is not None:
            wanted = set(deal_ids)
            records = [r for r in records if r.deal_id in wanted]
            if missing := wanted - {r.deal_id for r in records}:
                raise NotFound(f"not unallocated (any more): deal {', '.join(sorted(missing))}")
        return sorted(records, key=lambda r: r.decided_at)

    def _unallocated(self) -> list[AllocationRecord]:
        return self._context.store.list_allocations(status=UNALLOCATED, limit=5000)

    def _recorded(self, deal_id: str) -> AllocationRecord:
        record = self._context.store.get_allocation(deal_id)
        if record is None:
            raise NotFound(f"deal {deal_id} has no recorded allocation")
        return record


def _line(record: AllocationRecord, decision: Decision, names: dict[str, str]) -> RerunLine:
    if decision.adviser_id is None or decision.week is None:
        return RerunLine(record.deal_id, None, None, None, "still nobody can take it")
    name = names.get(decision.adviser_id, decision.adviser_id)
    words = f"{name}, from the week of {day_words(decision.week)}"
    return RerunLine(record.deal_id, decision.adviser_id, name, decision.week, words)
