"""A decision's explanation, packed small enough to keep on its record whatever the firm's size.

The explanation names every adviser once, ranked, with their reason, earliest week,
utilisation and the weeks that blocked them. Kept as a list of dicts it costs about 200 bytes
per adviser (73 KB at 100 advisers, near Firestore's 1 MiB document limit at ~1,400), so
records store it packed instead:

- columns rather than one dict per adviser (ids, reasons, earliest weeks, utilisations);
- blocked weeks as one letter per week from the week the candidate's list starts, for the
  first ``FULL_BLOCKED`` ranked candidates (the ones a person compares); for the rest, how many
  weeks each reason blocked (``blocked_counts``), which is all the console shows of them;
- the whole thing as compact JSON, deflated and base64-encoded, so every store keeps it as text.

``unpack(pack(x))`` gives back ``x`` exactly for the first ``FULL_BLOCKED`` candidates and every
field but the week-by-week list for the others. About 8 KB at 2,000 advisers.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from allocation import explain
from services.words import day as day_text

FORMAT = 2
FULL_BLOCKED = 50
# One letter per week reason (allocation.reasons); lists with any other code are kept as pairs.
_LETTER = {
    "before_start": "b",
    "away": "a",
    "weekly_max": "w",
    "no_balance": "n",
    "overbooks_later": "o",
}
_REASON = {letter: reason for reason, letter in _LETTER.items()}

Explanation = tuple[dict[str, Any], ...]


def pack(explanation: Sequence[Mapping[str, Any]]) -> str:
    """The explanation as deflated, base64-encoded compact JSON."""
    columns: dict[str, Any] = {
        "v": FORMAT,
        "id": [c.get("adviser_id") for c in explanation],
        "ok": "".join("1" if c.get("eligible") else "0" for c in explanation),
        "why": [c.get("reason") for c in explanation],
        "week": [c.get("earliest_week") for c in explanation],
        "util": [c.get("utilisation") for c in explanation],
        "blocked": [
            _blocked_out(c.get("blocked_weeks") or ())
            if rank < FULL_BLOCKED
            else _counts_out(c.get("blocked_weeks") or (), c.get("blocked_counts"))
            for rank, c in enumerate(explanation)
        ],
    }
    text = json.dumps(columns, separators=(",", ":"))
    return base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")


def unpack(packed: str) -> Explanation:
    """The explanation ``pack`` was given; an unreadable value gives an empty explanation."""
    try:
        columns = json.loads(zlib.decompress(base64.b64decode(packed)).decode("utf-8"))
    except (ValueError, KeyError, zlib.error):
        return ()
    if not isinstance(columns, dict) or columns.get("v") != FORMAT:
        return ()
    rows = zip(
        columns["id"],
        columns["ok"],
        columns["why"],
        columns["week"],
        columns["util"],
        columns["blocked"],
        strict=True,
    )
    return tuple(
        {
            "adviser_id": adviser_id,
            "eligible": ok == "1",
            "reason": why,
            "earliest_week": week,
            "utilisation": util,
            **_blocked_in(blocked),
        }
        for adviser_id, ok, why, week, util, blocked in rows
    )


def blocked_count(candidate: Mapping[str, Any]) -> int:
    """How many weeks blocked this candidate, whichever way it was kept."""
    counts: Mapping[str, int] = candidate.get("blocked_counts") or {}
    return len(candidate.get("blocked_weeks") or ()) + sum(counts.values())


def _blocked_out(weeks: Sequence[Sequence[str]]) -> str | list[Sequence[str]] | None:
    """``"<first week>:<letters>"`` for consecutive weeks (always so for the core's lists);
    the explicit pairs otherwise."""
    if not weeks:
        return None
    first = dt.date.fromisoformat(weeks[0][0])
    expected = [(first + dt.timedelta(weeks=n)).isoformat() for n in range(len(weeks))]
    if [w for w, _ in weeks] != expected or any(r not in _LETTER for _, r in weeks):
        return [list(pair) for pair in weeks]
    return f"{weeks[0][0]}:{''.join(_LETTER[r] for _, r in weeks)}"


def _counts_out(
    weeks: Sequence[Sequence[str]], counts: Mapping[str, int] | None
) -> dict[str, int] | None:
    tally = dict(counts or {})
    for _, reason in weeks:
        tally[reason] = tally.get(reason, 0) + 1
    return tally or None


def _blocked_in(packed: str | list[list[str]] | dict[str, int] | None) -> dict[str, Any]:
    if not packed:
        return {"blocked_weeks": []}
    if isinstance(packed, dict):
        return {"blocked_weeks": [], "blocked_counts": dict(packed)}
    if isinstance(packed, list):
        return {"blocked_weeks": [list(pair) for pair in packed]}
    first_text, _, letters = packed.partition(":")
    first = dt.date.fromisoformat(first_text)
    return {
        "blocked_weeks": [
            [(first + dt.timedelta(weeks=n)).isoformat(), _REASON[letter]]
            for n, letter in enumerate(letters)
        ]
    }


class PackedExplanation(Sequence[dict[str, Any]]):
    """A stored explanation, unpacked only when someone reads it: listing thousands of
    decisions (history, queues) never pays for their explanations."""

    __slots__ = ("_rows", "packed")

    def __init__(self, packed: str) -> None:
        self.packed = packed
        self._rows: Explanation | None = None

    def _unpacked(self) -> Explanation:
        if self._rows is None:
            self._rows = unpack(self.packed)
        return self._rows

    def __getitem__(self, index: Any) -> Any:
        return self._unpacked()[index]

    def __len__(self) -> int:
        return len(self._unpacked())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedExplanation):
            return self.packed == other.packed or self._unpacked() == other._unpacked()
        if isinstance(other, tuple | list):
            return self._unpacked() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.packed)

    def __repr__(self) -> str:
        return f"PackedExplanation({len(self.packed)} characters)"


def packed_text(explanation: Sequence[Mapping[str, Any]]) -> str:
    """What a store keeps for ``explanation`` (already packed ones are kept as they are)."""
    if isinstance(explanation, PackedExplanation):
        return explanation.packed
    return pack(explanation)


def stored(value: Any) -> Sequence[dict[str, Any]]:
    """An explanation as a store hands it back: packed text (lazily unpacked), or the list of
    dicts that records written before packing hold."""
    if isinstance(value, str) and value.startswith("["):
        value = json.loads(value)  # a Firestore record written before packing
    if isinstance(value, str):
        return PackedExplanation(value)
    return tuple(dict(c) for c in value or ())


# --- the explanation in words ---------------------------------------------------------------

# Short words for the reason a week was closed, for counting them in one line.
_WEEK_WORDS = {
    "before_start": "too soon",
    "away": "away",
    "weekly_max": "weekly maximum of new clients reached",
    "no_balance": "not enough capacity banked",
    "overbooks_later": "would overbook a later week",
}


def day_words(day: dt.date | str | None) -> str:
    """A date as people here read it: "7 Dec 2026" (never a bare ``None``)."""
    if day is None or day == "":
        return "no date"
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return day_text(day)


def blocked_words(candidate: Mapping[str, Any]) -> str:
    """How many weeks each reason closed, most first: "away 2 weeks, too soon 1 week"."""
    tally: dict[str, int] = dict(candidate.get("blocked_counts") or {})
    for _, reason in candidate.get("blocked_weeks") or ():
        tally[reason] = tally.get(reason, 0) + 1
    ordered = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(
        f"{_WEEK_WORDS.get(reason, reason)} {n} week{'s' if n != 1 else ''}"
        for reason, n in ordered
    )


def candidate_words(candidate: Mapping[str, Any]) -> str:
    """The whole reason for one ranked adviser: why they are out, or from when they are open
    and what closed the weeks before."""
    reason = candidate.get("reason")
    blocked = blocked_words(candidate)
    if not candidate.get("eligible"):
        return explain(reason)
    if reason is not None:  # eligible, but no open week in the horizon
        return explain(reason) + (f" ({blocked})" if blocked else "")
    opened = f"open from {day_words(candidate.get('earliest_week'))}"
    return opened + (f"; earlier weeks closed: {blocked}" if blocked else "")


def tie_break_words(explanation: Sequence[Mapping[str, Any]], names: Mapping[str, str]) -> str:
    """Why #1 was chosen over #2 (rules §6: earliest week, then utilisation, then name)."""
    scheduled = [c for c in explanation if c.get("eligible") and c.get("earliest_week")]
    if not scheduled:
        return "Nobody had an open week in the planning horizon."
    first = scheduled[0]
    one = names.get(first.get("adviser_id") or "", first.get("adviser_id") or "?")
    if len(scheduled) == 1:
        return f"{one} was the only adviser with an open week."
    second = scheduled[1]
    two = names.get(second.get("adviser_id") or "", second.get("adviser_id") or "?")
    week_one, week_two = first.get("earliest_week"), second.get("earliest_week")
    if week_one != week_two:
        return (
            f"{one} was chosen over {two}: open sooner "
            f"({day_words(week_one)} against {day_words(week_two)})."
        )
    both = f"{one} and {two} are both open from {day_words(week_one)}"
    use_one, use_two = first.get("utilisation"), second.get("utilisation")
    if use_one != use_two:
        return (
            f"{both}; {one} was chosen on lower utilisation "
            f"({_percent(use_one)} against {_percent(use_two)})."
        )
    if one.casefold() != two.casefold():
        return (
            f"{both} with the same utilisation ({_percent(use_one)}); "
            f"{one} was chosen by name (alphabetical order)."
        )
    return f"{both} with the same utilisation and name; {one} was chosen by adviser id."


def _percent(value: Any) -> str:
    return "fully booked (nothing earned)" if value is None else f"{float(value):.0%}"
