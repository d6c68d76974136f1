"""The pure allocation core: which adviser takes a new client, and from which week.

Standard library, numpy and pandas only; no clock, no I/O. The rules are in
shared/spec/allocation-rules.md; this package is their single implementation.

Beyond the records of rules §2 and ``allocate`` / ``build_ledger`` of §7:

- ``MeetingTable``: meetings as columns (``ids``, ``adviser_ids``, ``starts`` in UTC epoch
  seconds, ``kinds``, ``deal_ids``), accepted by ``Snapshot(meetings=...)`` in place of a
  tuple of ``Meeting``, so a store can hand tens of thousands of meetings over without
  making an object per meeting.
- ``Snapshot.memo`` (``SnapshotMemo``): what a snapshot has worked out (its records as
  arrays, eligibility arrays, its ledgers per current week), kept with it; see its docstring
  for what is cached, keyed on what, invalidated by what.
- ``Snapshot.with_pending(added=..., removed=...)``: bookings folded into a snapshot and its
  ledgers, recomputing only the touched advisers' rows.
- ``choose(deal, snapshot, ledger)`` and ``Ledger.with_load(row, week_index, delta)``: the
  choice of ``allocate`` without its explanation, and one more pending deal in one row, for
  booking hypothetical deals one after another.
"""

from allocation.decision import Candidate, Choice, Decision, allocate, choose, exclusion_reason
from allocation.exceptions import InvalidInput
from allocation.ledger import build_ledger
from allocation.ledger_view import Ledger
from allocation.meeting_table import MeetingTable
from allocation.model import (
    Adviser,
    Closure,
    Deal,
    Leave,
    Meeting,
    Override,
    PendingDeal,
    Rules,
    normalise,
)
from allocation.reasons import explain
from allocation.snapshot import Snapshot, SnapshotMemo
from allocation.weeks import week_of

__all__ = [
    "Adviser",
    "Candidate",
    "Choice",
    "Closure",
    "Deal",
    "Decision",
    "InvalidInput",
    "Leave",
    "Ledger",
    "Meeting",
    "MeetingTable",
    "Override",
    "PendingDeal",
    "Rules",
    "Snapshot",
    "SnapshotMemo",
    "allocate",
    "build_ledger",
    "choose",
    "exclusion_reason",
    "explain",
    "normalise",
    "week_of",
]
