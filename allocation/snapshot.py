"""The core's input (rules §2 ``Snapshot``) and what it remembers of its own (``SnapshotMemo``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from allocation.exceptions import InvalidInput
from allocation.meeting_table import MeetingTable
from allocation.model import Adviser, Closure, Leave, Meeting, Override, PendingDeal, Rules

if TYPE_CHECKING:
    from allocation.columns import Columns
    from allocation.eligibility import Eligibility
    from allocation.ledger_view import Ledger

LEDGERS_KEPT = 4


class SnapshotMemo:
    """What a snapshot has already worked out, kept with it so it is worked out only once.

    What is cached:

    - ``columns``: the snapshot's records as arrays (``allocation.columns.Columns``). They
      depend on the snapshot's fields and nothing else: not on ``today``.
    - ``eligibility``: the advisers' packages, household types and name order as arrays, for
      rules §3 and the tie-break of §6.
    - ``ledgers``: the ``Ledger`` per current week (the Monday of ``today``'s week, the only
      way a ledger depends on ``today``), for the ``LEDGERS_KEPT`` weeks most recently asked.

    Keyed on: the snapshot object itself. A memo belongs to exactly one ``Snapshot`` and is
    not part of its value (not compared, not shown, not a constructor argument).

    Invalidated by: nothing, because a snapshot never changes. Every new snapshot, from its
    constructor or ``dataclasses.replace``, starts with an empty memo; ``Snapshot.with_pending``
    starts the new snapshot's memo from the old one's, brought up to date row by row.

    Entries are replaced whole, never changed in place, so threads sharing a snapshot can at
    worst compute an entry twice; they never see half of one.
    """

    __slots__ = ("columns", "eligibility", "ledgers")

    def __init__(self) -> None:
        self.columns: Columns | None = None
        self.eligibility: Eligibility | None = None
        self.ledgers: Mapping[dt.date, Ledger] = {}

    def remember_ledger(self, current_week: dt.date, ledger: Ledger) -> None:
        kept = list(self.ledgers.items())[-(LEDGERS_KEPT - 1) :]
        self.ledgers = {**dict(kept), current_week: ledger}


@dataclass(frozen=True)
class Snapshot:
    """Everything the core decides from (rules §2).

    ``meetings`` is a tuple of ``Meeting`` or a ``MeetingTable`` (the columnar form a store
    can hand over without making a ``Meeting`` per row); both give the same ledger.
    """

    advisers: tuple[Adviser, ...]
    meetings: tuple[Meeting, ...] | MeetingTable = ()
    leave: tuple[Leave, ...] = ()
    closures: tuple[Closure, ...] = ()
    overrides: tuple[Override, ...] = ()
    pending: tuple[PendingDeal, ...] = ()
    rules: Rules = field(default_factory=Rules)
    memo: SnapshotMemo = field(init=False, repr=False, compare=False, default_factory=SnapshotMemo)

    def __post_init__(self) -> None:
        for name in ("advisers", "leave", "closures", "overrides", "pending"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not isinstance(self.meetings, MeetingTable):
            object.__setattr__(self, "meetings", tuple(self.meetings))
        seen: set[str] = set()
        for adviser in self.advisers:
            if adviser.id in seen:
                raise InvalidInput(f"adviser {adviser.id}: listed twice in the snapshot")
            seen.add(adviser.id)

    def meetings_of(self, adviser_id: str) -> tuple[Meeting, ...]:
        """One adviser's meetings, whichever form the snapshot holds them in."""
        if isinstance(self.meetings, MeetingTable):
            return self.meetings.for_adviser(adviser_id)
        return tuple(m for m in self.meetings if m.adviser_id == adviser_id)

    def with_pending(
        self, added: Iterable[PendingDeal] = (), removed: Iterable[str] = ()
    ) -> Snapshot:
        """This snapshot with bookings folded in, without rebuilding what they do not touch.

        The pending deals whose ``deal_id`` is in ``removed`` are dropped, then ``added`` are
        appended (moving a deal: remove its id and add it again). The result equals
        ``dataclasses.replace(self, pending=...)`` with those pending deals, figure for
        figure, but its memo starts from this one's: the columns and every ledger already
        built are brought up to date by recomputing only the rows of the advisers whose
        pending deals changed.
        """
        # Imported here because the ledger code imports this module.
        from allocation.incremental import fold_pending

        gone = frozenset((removed,) if isinstance(removed, str) else removed)
        return fold_pending(self, tuple(added), gone)
