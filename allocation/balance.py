"""The balance and absorb recurrences (rules §4 and §5.4) and the week reasons (§5.2-4).

Shared by the full ledger build and by the row-by-row updates of ``Ledger.with_load`` and
``Snapshot.with_pending``: both run exactly these operations, element by element, so an
updated row equals the row a full rebuild gives.
"""

from __future__ import annotations

import numpy as np

from allocation import reasons

TOLERANCE = 1e-9


def balance_and_absorb(
    earn: np.ndarray, cap: np.ndarray, load: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``bal(w) = min(cap, bal(w-1) + earn) - load`` and ``absorb`` (§5.4), rows × weeks.

    The recurrences step week by week over every row at once; they run on week-major copies
    so each step reads contiguous memory.
    """
    earn_t, cap_t, load_t = (np.ascontiguousarray(a.T) for a in (earn, cap, load))
    n_weeks, n_rows = earn_t.shape
    balance = np.empty_like(earn_t)
    waste = np.empty_like(earn_t)  # capacity the bank cap throws away in the week
    previous = np.zeros(n_rows)
    banked = np.empty(n_rows)
    for week in range(n_weeks):
        np.add(previous, earn_t[week], out=banked)
        np.subtract(banked, cap_t[week], out=waste[week])
        np.maximum(waste[week], 0.0, out=waste[week])
        np.minimum(cap_t[week], banked, out=balance[week])
        np.subtract(balance[week], load_t[week], out=balance[week])
        previous = balance[week]
    absorb = np.maximum(balance, 0.0)  # then capped by what later weeks can take
    for week in range(n_weeks - 2, -1, -1):
        np.add(waste[week + 1], absorb[week + 1], out=banked)
        np.minimum(absorb[week], banked, out=absorb[week])
    return np.ascontiguousarray(balance.T), np.ascontiguousarray(absorb.T)


def balance_and_absorb_row(
    earn: list[float], cap: list[float], load: list[float]
) -> tuple[list[float], list[float]]:
    """``balance_and_absorb`` for one row, in Python floats.

    The same IEEE operations in the same order as the array version (which pays a numpy call
    per operation per week: far slower for a single row), so the figures are equal.
    """
    n_weeks = len(earn)
    balance = [0.0] * n_weeks
    waste = [0.0] * n_weeks
    previous = 0.0
    for week in range(n_weeks):
        banked = previous + earn[week]
        ceiling = cap[week]
        over = banked - ceiling
        waste[week] = over if over > 0.0 else 0.0
        previous = (banked if banked < ceiling else ceiling) - load[week]
        balance[week] = previous
    absorb = [b if b > 0.0 else 0.0 for b in balance]
    later = absorb[-1] if n_weeks else 0.0
    for week in range(n_weeks - 2, -1, -1):
        room = waste[week + 1] + later
        if room < absorb[week]:
            absorb[week] = room
        later = absorb[week]
    return balance, absorb


def week_reason_codes(
    avail: np.ndarray,
    starts: np.ndarray,
    balance: np.ndarray,
    absorb: np.ndarray,
    weekly_max_new: int,
    current_index: int,
) -> np.ndarray:
    """Reason code per row-week from §5.2-4 (0: open), history weeks marked as such.

    §5.1 (the first allowed week) depends on the deal, so it is applied per deal on top.
    """
    codes = np.where(
        avail <= 0,
        reasons.AWAY_CODE,
        np.where(
            starts >= weekly_max_new - TOLERANCE,
            reasons.WEEKLY_MAX_CODE,
            np.where(
                balance < 1 - TOLERANCE,
                reasons.NO_BALANCE_CODE,
                np.where(absorb < 1 - TOLERANCE, reasons.OVERBOOKS_LATER_CODE, reasons.OPEN_CODE),
            ),
        ),
    ).astype(np.int8)
    codes[:, :current_index] = reasons.HISTORY_CODE
    return codes
