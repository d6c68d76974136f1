"""The pure allocation core: which adviser takes a new client, and from which week.

Standard library, numpy and pandas only; no clock, no I/O. The rules are in
shared/spec/allocation-rules.md; this package is their single implementation.
"""

from allocation.decision import Candidate, Decision, allocate, exclusion_reason
from allocation.exceptions import InvalidInput
from allocation.ledger import build_ledger
from allocation.ledger_view import Ledger
from allocation.model import (
    Adviser,
    Closure,
    Deal,
    Leave,
    Meeting,
    Override,
    PendingDeal,
    Rules,
    Snapshot,
    normalise,
)
from allocation.reasons import explain
from allocation.weeks import week_of

__all__ = [
    "Adviser",
    "Candidate",
    "Closure",
    "Deal",
    "Decision",
    "InvalidInput",
    "Leave",
    "Ledger",
    "Meeting",
    "Override",
    "PendingDeal",
    "Rules",
    "Snapshot",
    "allocate",
    "build_ledger",
    "exclusion_reason",
    "explain",
    "normalise",
    "week_of",
]
