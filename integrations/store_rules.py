"""What every store does the same way: checking an edit batch, wording refusals, audit entries.

The in-memory fake, SQLite and Firestore stores read the current rows in their own way and
hand them here, so a stale edit is refused with the same message everywhere and every change
is audited with the same before/after shape.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Generic, Literal, TypeVar

from allocation import InvalidInput, PendingDeal
from services.errors import Conflict
from services.records import (
    UNALLOCATED,
    AllocationRecord,
    AuditEntry,
    ChangeCounts,
    EditBatch,
    ExcludedRecord,
    RejectedDelivery,
    SyncRun,
)

T = TypeVar("T")
R = TypeVar("R")
Json = dict[str, Any]
ChangeAction = Literal["create", "update", "delete"]

# Writes made by machines are not audited as edits; a person's re-assignment is.
SYSTEM_ACTORS = frozenset({"webhook", "system"})
# A sync still 'running' after this long died without finishing; it no longer blocks a new run.
ABANDONED_AFTER = dt.timedelta(hours=1)
SETTINGS_ID = "console"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    return uuid.uuid4().hex


def is_person(actor: str) -> bool:
    return actor not in SYSTEM_ACTORS and not actor.startswith("system")


def stale_message(kind: str, record_id: str) -> str:
    return (
        f"{kind} {record_id} was changed by someone else since you opened it; reload and try again"
    )


def gone_message(kind: str, record_id: str) -> str:
    return (
        f"{kind} {record_id} was deleted by someone else since you opened it; reload and try again"
    )


def exists_message(kind: str, record_id: str) -> str:
    return f"{kind} {record_id} already exists; reload and try again"


def stale_settings_message() -> str:
    return "settings were changed by someone else since you opened them; reload and try again"


def stale_decision_message(deal_id: str) -> str:
    return (
        f"the chosen adviser's bookings changed while deal {deal_id} was being decided; "
        "decide again"
    )


def stale_allocation_message(deal_id: str) -> str:
    return (
        f"the allocation of deal {deal_id} was changed by someone else since it was read; "
        "reload and try again"
    )


def abandoned(started_at: dt.datetime, now: dt.datetime) -> bool:
    return now - started_at > ABANDONED_AFTER


@dataclass(frozen=True)
class Change(Generic[T]):
    """One checked row of an edit batch, ready to write and to audit."""

    action: ChangeAction
    record_id: str
    before: Json | None
    after: Json | None
    value: T | None  # None for a delete


def plan_batch(
    kind: str,
    batch: EditBatch[T],
    current: Mapping[str, tuple[Json, str]],
    to_dict: Callable[[T], Json],
    id_of: Callable[[T], str],
) -> list[Change[T]]:
    """Check a batch against the stored rows (id → (dict, version)); raise ``Conflict`` naming
    the first record that is stale, so the caller writes nothing. Unchanged updates drop out."""
    changes: list[Change[T]] = []
    for value in batch.added:
        rid = id_of(value)
        if rid in current:
            raise Conflict(exists_message(kind, rid))
        changes.append(Change("create", rid, None, to_dict(value), value))
    for value, version in batch.updated:
        before = _checked(kind, id_of(value), version, current)
        after = to_dict(value)
        if after != before:
            changes.append(Change("update", id_of(value), before, after, value))
    for rid, version in batch.deleted:
        changes.append(Change("delete", rid, _checked(kind, rid, version, current), None, None))
    return changes


def _checked(kind: str, rid: str, version: str, current: Mapping[str, tuple[Json, str]]) -> Json:
    if rid not in current:
        raise Conflict(gone_message(kind, rid))
    stored, stored_version = current[rid]
    if str(version) != str(stored_version):
        raise Conflict(stale_message(kind, rid))
    return stored


def batch_ids(batch: EditBatch[Any], id_of: Callable[[Any], str]) -> list[str]:
    """Every record id a batch touches, to read their current rows in one go."""
    ids = [id_of(v) for v in batch.added]
    ids += [id_of(v) for v, _ in batch.updated]
    ids += [rid for rid, _ in batch.deleted]
    return ids


def audit_for(
    change: Change[Any], kind: str, entity: str, actor: str, at: dt.datetime
) -> AuditEntry:
    return AuditEntry(
        at=at,
        actor=actor,
        action=f"{kind}.{change.action}",
        entity=entity,
        entity_id=change.record_id,
        before=change.before,
        after=change.after,
        id=new_id(),
    )


def count_changes(
    in_scope: Mapping[str, Json], existing: Mapping[str, Json], incoming: Mapping[str, Json]
) -> tuple[ChangeCounts, list[str]]:
    """Counts for replacing ``in_scope`` rows by ``incoming`` (``existing``: stored rows with an
    incoming id, wherever they lie), and the ids to remove."""
    added = sum(1 for rid in incoming if rid not in existing)
    updated = sum(1 for rid, row in incoming.items() if rid in existing and existing[rid] != row)
    removed = [rid for rid in in_scope if rid not in incoming]
    return ChangeCounts(added=added, updated=updated, removed=len(removed)), removed


def changed(counts: ChangeCounts) -> bool:
    return bool(counts.added or counts.updated or counts.removed)


def by_id(
    rows: Iterable[T], id_of: Callable[[T], str], to_dict: Callable[[T], Json]
) -> dict[str, Json]:
    return {id_of(r): to_dict(r) for r in rows}


def with_id(entry: AuditEntry) -> AuditEntry:
    return entry if entry.id else replace(entry, id=new_id())


def pending_of(record: AllocationRecord) -> PendingDeal | None:
    """The load a recorded decision puts on its adviser's week, if it booked one."""
    if record.status == UNALLOCATED or record.adviser_id is None or record.week is None:
        return None
    return PendingDeal(record.deal_id, record.adviser_id, record.week)


def pending_moved(before: AllocationRecord, after: AllocationRecord) -> bool:
    """Whether changing ``before`` into ``after`` adds, moves or removes the deal's pending load
    (a write-back outcome does not; a re-assignment or an unallocation does)."""
    return pending_of(before) != pending_of(after)


def allocation_audit(
    before: Json, after: Json, actor: str, reason: str, at: dt.datetime
) -> AuditEntry:
    """A person's change to a recorded decision; the reason they gave rides in ``after``."""
    action = (
        "allocation.reassign"
        if before.get("adviser_id") != after.get("adviser_id")
        else ("allocation.update")
    )
    return AuditEntry(
        at=at,
        actor=actor,
        action=action,
        entity="allocations",
        entity_id=str(after["deal_id"]),
        before=before,
        after={**after, "reason": reason} if reason else after,
        id=new_id(),
    )


def sync_busy_message(run: SyncRun) -> str:
    return (
        f"a {run.source} sync started by {run.actor} at {run.started_at:%H:%M} UTC is still "
        "running; try again when it has finished"
    )


def abandon(run: SyncRun, now: dt.datetime) -> SyncRun:
    return replace(
        run,
        status="failed",
        finished_at=now,
        errors=(*run.errors, "abandoned: still running after an hour"),
    )


def rejected_again(kept: RejectedDelivery, again: RejectedDelivery) -> RejectedDelivery:
    """A rejection seen before arrives once more: counted, with the latest reason and fields,
    and open again if it had been resolved."""
    return replace(
        kept,
        reason=again.reason,
        fields=again.fields or kept.fields,
        times=kept.times + 1,
        status="open",
        resolution="" if kept.status != "open" else kept.resolution,
    )


def resolved(rejection: RejectedDelivery, resolution: str) -> RejectedDelivery:
    return replace(rejection, status="resolved", resolution=resolution)


def rejection_audit(
    before: RejectedDelivery, after: RejectedDelivery, actor: str, at: dt.datetime
) -> AuditEntry:
    return AuditEntry(
        at=at,
        actor=actor,
        action="rejection.resolve",
        entity="rejections",
        entity_id=after.id,
        before={"status": before.status, "reason": before.reason},
        after={"status": after.status, "resolution": after.resolution},
        id=new_id(),
    )


# What decoding a stored row raises when the row is bad (cattrs groups its errors).
UNREADABLE = (InvalidInput, ValueError, TypeError, KeyError, AttributeError, ExceptionGroup)


class Unreadable:
    """Rows a store could not turn back into records, by collection, as its last read of each
    collection found them.

    One bad row (a hand-edited document, a record an older console wrote under looser rules)
    must not make every read of its collection fail, and with it every page and decision: the
    row is skipped and kept here, so the console can say which one and why
    (``services.ports.Health.unreadable``).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._found: dict[str, tuple[ExcludedRecord, ...]] = {}

    def decode(
        self,
        kind: str,
        rows: Iterable[R],
        decode: Callable[[R], T],
        id_of: Callable[[R], object],
    ) -> list[T]:
        """Every row that decodes; the others are remembered for ``kind`` (replacing what the
        previous read of ``kind`` found)."""
        kept: list[T] = []
        bad: list[ExcludedRecord] = []
        for row in rows:
            try:
                kept.append(decode(row))
            except (
                InvalidInput,
                ValueError,
                TypeError,
                KeyError,
                AttributeError,
                ExceptionGroup,
            ) as exc:
                bad.append(ExcludedRecord(kind, _row_id(row, id_of), unreadable_reason(exc)))
        with self._lock:
            self._found[kind] = tuple(bad)
        return kept

    def rows(self) -> list[ExcludedRecord]:
        with self._lock:
            return [r for found in self._found.values() for r in found]


def _row_id(row: Any, id_of: Callable[[Any], object]) -> str:
    try:
        found = id_of(row)
    except (KeyError, TypeError, AttributeError, IndexError):
        found = None
    return str(found).strip() if found not in (None, "") else "without an id"


def unreadable_reason(exc: Exception) -> str:
    """A decoding failure in words (cattrs nests the record's own message in its groups)."""
    leaves = list(_leaf_errors(exc))
    detail = "; ".join(str(e) or type(e).__name__ for e in leaves[:3])
    if any(isinstance(e, KeyError) for e in leaves):
        detail = f"a required field is missing ({detail})"
    return f"stored row cannot be read: {detail}"


def _leaf_errors(exc: BaseException) -> Iterable[BaseException]:
    nested = getattr(exc, "exceptions", None)
    if isinstance(nested, (list, tuple)) and nested:
        for inner in nested:
            yield from _leaf_errors(inner)
    elif exc.__cause__ is not None and not str(exc):
        yield from _leaf_errors(exc.__cause__)
    else:
        yield exc
