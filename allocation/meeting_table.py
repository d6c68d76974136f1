"""Meetings as columns: the form a store can hand the core without making a Meeting per row.

A firm's ledger window holds tens of thousands of meetings. Reading each one into a frozen
``Meeting`` and back out into arrays costs far more than the ledger itself, so a store may
hand ``Snapshot(meetings=MeetingTable(...))`` instead of a tuple of ``Meeting``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from allocation.exceptions import InvalidInput
from allocation.model import Meeting, normalise

CLARIFY = "clarify"  # the meeting kind that starts a new client (rules §4 and §5.3)


def _strings(values: Iterable[Any]) -> np.ndarray:
    array = np.array(list(values) if not isinstance(values, np.ndarray) else values, dtype=object)
    array.flags.writeable = False
    return array


def _codes(values: list[Any]) -> tuple[np.ndarray, tuple[Any, ...]]:
    """Each value's position among the distinct values (in first-seen order), and those values.

    One pass of dict lookups in C: values read from a store are fresh string objects, and
    hashing each once is the least any coding of them can cost.
    """
    first_seen: dict[Any, int] = {}
    # setdefault keeps the first position it was offered for a value: codes with gaps...
    spread = np.fromiter(
        map(first_seen.setdefault, values, itertools.count()), dtype=np.int64, count=len(values)
    )
    # ...closed up to 0..k-1 by one lookup table.
    closed = np.zeros(len(values) + 1, dtype=np.int32)
    closed[list(first_seen.values())] = np.arange(len(first_seen), dtype=np.int32)
    codes = closed[spread]
    codes.flags.writeable = False
    return codes, tuple(first_seen)


def _epoch_seconds(values: Iterable[Any]) -> np.ndarray:
    array = np.asarray(values if isinstance(values, np.ndarray) else list(values))
    if array.dtype == object:  # Python ints held as objects: let numpy read them again
        array = np.asarray(array.tolist())
    if array.size == 0:
        array = np.zeros(0, dtype=np.int64)
    if array.dtype.kind not in "iu":
        raise InvalidInput(
            f"meeting table: starts must be whole seconds since 1970-01-01 UTC (int64), "
            f"not {array.dtype}"
        )
    array = array.astype(np.int64, copy=True)
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class MeetingTable:
    """The meetings of rules §2, one array per field and one position per meeting.

    - ``ids``, ``adviser_ids``, ``deal_ids``: object arrays of ``str`` (``None`` in
      ``deal_ids`` when the meeting carries no deal);
    - ``starts``: ``int64`` seconds since 1970-01-01 UTC (the instant; local dates are read in
      ``Rules.timezone`` like a ``Meeting``'s);
    - ``kinds``: object array of ``str``, normalised on construction (trimmed, case-folded).

    Construction does every per-meeting step in Python once (copying, normalising kinds,
    coding adviser ids and kinds against small vocabularies, collecting the deals Clarify
    meetings carry), so a snapshot built on the table, and every snapshot derived from it,
    does only array work with it. The arrays are read-only; the table never changes.

    A table equals another table, or a sequence of ``Meeting``, holding the same meetings in
    the same order. Iterating it (or ``for_adviser``) makes ``Meeting`` objects with UTC
    starts, for views that show a few of them.
    """

    ids: np.ndarray
    adviser_ids: np.ndarray
    starts: np.ndarray
    kinds: np.ndarray
    deal_ids: np.ndarray
    # Derived on construction, for the core's array work:
    adviser_codes: np.ndarray = field(init=False, repr=False)  # into adviser_vocabulary
    adviser_vocabulary: tuple[str | None, ...] = field(init=False, repr=False)
    kind_codes: np.ndarray = field(init=False, repr=False)  # into kind_vocabulary
    kind_vocabulary: tuple[str, ...] = field(init=False, repr=False)
    clarified_deal_ids: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        ids = _strings(self.ids)
        # Kinds are read once as they come; the normalised array replaces them below.
        kinds = self.kinds.tolist() if isinstance(self.kinds, np.ndarray) else list(self.kinds)
        columns = {
            "adviser_ids": _strings(self.adviser_ids),
            "starts": _epoch_seconds(self.starts),
            "kinds": np.empty(len(kinds), dtype=object),
            "deal_ids": _strings(self.deal_ids),
        }
        for name, column in columns.items():
            if column.ndim != 1 or ids.ndim != 1 or len(column) != len(ids):
                raise InvalidInput(
                    f"meeting table: {name} has {column.shape} entries for {ids.shape} ids"
                )
        object.__setattr__(self, "ids", ids)
        for name, column in columns.items():
            object.__setattr__(self, name, column)

        codes, vocabulary = _codes(self.adviser_ids.tolist())
        trimmed = tuple(v.strip() if isinstance(v, str) else v for v in vocabulary)
        if trimmed != vocabulary:  # ids compare trimmed (rules §2); only the distinct ones
            object.__setattr__(
                self, "adviser_ids", _strings(np.array(trimmed, dtype=object)[codes])
            )
            codes, vocabulary = _codes(self.adviser_ids.tolist())
        object.__setattr__(self, "adviser_codes", codes)
        object.__setattr__(self, "adviser_vocabulary", vocabulary)
        self._normalise_kinds(kinds)
        clarify = np.flatnonzero(self.kind_codes == self.kind_code(CLARIFY))
        carried = self.deal_ids.take(clarify).tolist()
        object.__setattr__(self, "clarified_deal_ids", frozenset(filter(None, carried)))

    def _normalise_kinds(self, kinds: list[Any]) -> None:
        """Code kinds against their normalised names ("Clarify " and "clarify" are one kind)."""
        raw_codes, raw_names = _codes(kinds)
        vocabulary: dict[str, int] = {}
        to_vocabulary = [
            vocabulary.setdefault(normalise(k) if isinstance(k, str) else "", len(vocabulary))
            for k in raw_names
        ]
        codes = np.asarray(to_vocabulary, dtype=np.int32)[raw_codes]
        codes.flags.writeable = False
        names = tuple(vocabulary)
        object.__setattr__(self, "kind_codes", codes)
        object.__setattr__(self, "kind_vocabulary", names)
        object.__setattr__(self, "kinds", _strings(np.array(names, dtype=object)[codes]))

    def kind_code(self, kind: str) -> int:
        """Position of a (normalised) kind in ``kind_vocabulary``, or -1 when none has it."""
        try:
            return self.kind_vocabulary.index(normalise(kind))
        except ValueError:
            return -1

    @classmethod
    def from_columns(
        cls,
        ids: Sequence[str],
        adviser_ids: Sequence[str | None],
        starts: Sequence[int],
        kinds: Sequence[str],
        deal_ids: Sequence[str | None],
    ) -> MeetingTable:
        """The table of five columns as a store reads them (lists, tuples or arrays)."""
        # The constructor makes its own read-only array of every column.
        columns = (ids, adviser_ids, starts, kinds, deal_ids)
        return cls(*(cast(np.ndarray, column) for column in columns))

    @classmethod
    def from_meetings(cls, meetings: Iterable[Meeting]) -> MeetingTable:
        """The table of ``Meeting`` records (starts kept to the whole second)."""
        rows = tuple(meetings)
        return cls.from_columns(
            [m.id for m in rows],
            [m.adviser_id for m in rows],
            [math.floor(m.start.timestamp()) for m in rows],
            [m.kind for m in rows],
            [m.deal_id for m in rows],
        )

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, position: int) -> Meeting:
        return self._meeting(int(position))

    def __iter__(self) -> Iterator[Meeting]:
        return iter(self._meetings(range(len(self))))

    def for_adviser(self, adviser_id: str) -> tuple[Meeting, ...]:
        """The adviser's meetings, in table order."""
        try:
            code = self.adviser_vocabulary.index(adviser_id)
        except ValueError:
            return ()
        return self._meetings(np.flatnonzero(self.adviser_codes == code).tolist())

    def _meeting(self, k: int) -> Meeting:
        start = dt.datetime.fromtimestamp(int(self.starts[k]), dt.UTC)
        return Meeting(self.ids[k], self.adviser_ids[k], start, self.kinds[k], self.deal_ids[k])

    def _meetings(self, positions: Sequence[int]) -> tuple[Meeting, ...]:
        return tuple(self._meeting(k) for k in positions)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MeetingTable):
            return len(self) == len(other) and all(
                np.array_equal(getattr(self, name), getattr(other, name))
                for name in ("ids", "adviser_ids", "starts", "kinds", "deal_ids")
            )
        if isinstance(other, tuple | list):
            return len(self) == len(other) and tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal tables may be built apart
