"""Reason codes (rules §3 and §5) and the plain words the console shows for them."""

from __future__ import annotations

NOT_TAKING_CLIENTS = "not_taking_clients"
PACKAGE_MISMATCH = "package_mismatch"
HOUSEHOLD_MISMATCH = "household_mismatch"
NO_CAPACITY_IN_HORIZON = "no_capacity_in_horizon"

BEFORE_START = "before_start"
AWAY = "away"
WEEKLY_MAX = "weekly_max"
NO_BALANCE = "no_balance"
OVERBOOKS_LATER = "overbooks_later"

# Integer codes used inside the ledger arrays; index = code.
WEEK_REASONS: tuple[str | None, ...] = (
    None,  # open
    BEFORE_START,
    AWAY,
    WEEKLY_MAX,
    NO_BALANCE,
    OVERBOOKS_LATER,
    None,  # history week: never open, no reason
)
OPEN_CODE = 0
BEFORE_START_CODE = 1
AWAY_CODE = 2
WEEKLY_MAX_CODE = 3
NO_BALANCE_CODE = 4
OVERBOOKS_LATER_CODE = 5
HISTORY_CODE = len(WEEK_REASONS) - 1

# Eligibility (§3.1-3) as integer codes per adviser; index = code, 0 = eligible.
EXCLUSIONS: tuple[str | None, ...] = (
    None,
    NOT_TAKING_CLIENTS,
    PACKAGE_MISMATCH,
    HOUSEHOLD_MISMATCH,
)

PLAIN_WORDS: dict[str, str] = {
    NOT_TAKING_CLIENTS: "not taking on new clients",
    PACKAGE_MISMATCH: "does not offer this service package",
    HOUSEHOLD_MISMATCH: "does not take this household type",
    NO_CAPACITY_IN_HORIZON: "no open week in the planning horizon",
    BEFORE_START: "too soon (inside the buffer or before the agreement allows)",
    AWAY: "away all week (leave, closure, not started or left)",
    WEEKLY_MAX: "already has the weekly maximum of new clients starting",
    NO_BALANCE: "not enough capacity banked that week",
    OVERBOOKS_LATER: "would overbook a later week",
}


def explain(code: str | None) -> str:
    """Plain words for a reason code; ``None`` means the adviser or week is open."""
    if code is None:
        return "open"
    return PLAIN_WORDS.get(code, code)
