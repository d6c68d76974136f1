"""Bookings folded into a snapshot without rebuilding it (``Snapshot.with_pending``).

A booking changes one adviser's pending deals, so it changes one row of the ledger. The new
snapshot reuses the old one's columns (only the pending-deal columns change) and every ledger
the old one had built, recomputing the touched advisers' rows with the same operations a
full build uses.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence

import numpy as np

from allocation.columns import Columns, pending_columns
from allocation.ledger import pending_load_of
from allocation.ledger_view import Ledger
from allocation.model import PendingDeal
from allocation.snapshot import Snapshot


def fold_pending(
    snapshot: Snapshot, added: Sequence[PendingDeal], removed: Collection[str]
) -> Snapshot:
    old = snapshot.pending
    keep = [p.deal_id not in removed for p in old] if removed else [True] * len(old)
    kept = tuple(p for p, k in zip(old, keep, strict=True) if k)
    folded = dataclasses.replace(snapshot, pending=kept + tuple(added))
    columns = snapshot.memo.columns
    if columns is None:  # nothing worked out yet, so nothing to carry over
        return folded

    added_rows, added_days = pending_columns(added, columns.adviser_rows, columns.clarified)
    mask = np.asarray(keep, dtype=bool)
    new_columns = dataclasses.replace(
        columns,
        pending_adviser=np.concatenate([columns.pending_adviser[mask], added_rows]),
        pending_day=np.concatenate([columns.pending_day[mask], added_days]),
    )
    touched = np.union1d(columns.pending_adviser[~mask], added_rows)
    touched = touched[touched >= 0]

    memo = folded.memo
    memo.columns = new_columns
    memo.eligibility = snapshot.memo.eligibility  # advisers and rules are unchanged
    memo.ledgers = {
        week: _refold(ledger, new_columns, touched)
        for week, ledger in snapshot.memo.ledgers.items()
    }
    return folded


def _refold(ledger: Ledger, columns: Columns, rows: np.ndarray) -> Ledger:
    """``ledger`` with the pending load of ``rows`` worked out again from ``columns``."""
    if len(rows) == 0:
        return ledger
    # Number the touched advisers 0..k-1 and drop every other adviser's pending deals.
    local = np.full(len(ledger.adviser_ids) + 1, -1, dtype=np.int64)  # index -1: not counted
    local[rows] = np.arange(len(rows))
    pending = pending_load_of(
        local[columns.pending_adviser],
        columns.pending_day,
        (len(rows), len(ledger.weeks)),
        ledger.weeks[0].toordinal(),
        ledger.current_index,
    )
    return ledger.with_pending_rows(rows, pending)
