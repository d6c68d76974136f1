"""Rules §2 and §7 as clarified: names and ids from people or HubSpot match trimmed and
case-insensitively, a closure scoped only to blank names is refused, a day's stacked leave is
a whole day at most, and an end before the start makes an adviser never available."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from allocation import (
    Closure,
    Deal,
    InvalidInput,
    MeetingTable,
    Rules,
    Snapshot,
    allocate,
    build_ledger,
)
from tests.builders import adviser, clarify, closure, d, leave

TODAY = d("2026-03-11")  # the current week is Monday 2026-03-09


def row(snapshot: Snapshot, adviser_id: str, column: str) -> np.ndarray:
    ledger = build_ledger(snapshot, TODAY)
    index = ledger.adviser_ids.index(adviser_id)
    values: np.ndarray = getattr(ledger, column)[index]
    return values


def test_an_adviser_id_with_stray_spaces_is_the_same_adviser() -> None:
    dana = adviser(" dana ")
    assert dana.id == "dana"
    snapshot = Snapshot((dana,), meetings=(clarify("dana ", "2026-03-17"),))
    assert row(snapshot, "dana", "load")[3] == 1.0  # the week of 03-16 carries the Clarify


def test_a_meeting_table_trims_adviser_ids_too() -> None:
    start = int(dt.datetime(2026, 3, 16, 23, tzinfo=dt.UTC).timestamp())  # Tue 17 in Sydney
    table = MeetingTable.from_columns(["m1"], [" dana"], [start], ["Clarify "], [None])
    snapshot = Snapshot((adviser("dana"),), meetings=table)
    assert row(snapshot, "dana", "load")[3] == 1.0


def test_regions_and_rule_tables_match_trimmed_and_case_insensitively() -> None:
    solo = adviser("solo", region="nsw ", pod_type=" solo adviser")
    rules = Rules(
        pod_monthly_limits={" SOLO ADVISER ": 2},
        meeting_weights={" Clarify ": 1.5},
        household_exempt_packages=frozenset({" series a "}),
    )
    snapshot = Snapshot(
        (solo, adviser("eli", households=("Single",))),
        meetings=(clarify("solo", "2026-03-17"),),
        closures=(closure("2026-03-23", "2026-03-27", regions=(" NSW",)),),
        rules=rules,
    )
    assert row(snapshot, "solo", "monthly_limit")[2] == 2
    assert row(snapshot, "solo", "load")[3] == 1.5
    assert row(snapshot, "solo", "avail")[4] == 0.0  # the regional closure reached "nsw "
    couple = allocate(Deal("d1", "Series A", "Couple"), snapshot, TODAY)
    assert {c.adviser_id for c in couple.candidates if c.eligible} == {"solo", "eli"}


@pytest.mark.parametrize("scope", [{"regions": frozenset({" "})}, {"adviser_ids": {"", "  "}}])
def test_a_closure_scoped_only_to_blank_names_is_refused(scope: dict[str, object]) -> None:
    with pytest.raises(InvalidInput, match="all blank"):
        Closure("c1", d("2026-03-23"), d("2026-03-23"), **scope)  # type: ignore[arg-type]


def test_a_closure_with_no_scope_at_all_still_applies_to_everyone() -> None:
    assert Closure("c1", d("2026-03-23"), d("2026-03-23")).is_global


def test_stacked_part_day_leave_is_a_whole_day_in_any_order() -> None:
    day = "2026-03-24"
    parts = (leave("dana", day, day, 0.7), leave("dana", day, day, 0.2),
             leave("dana", day, day, 0.1), leave("dana", day, day, 0.5))  # fmt: skip
    snapshot = Snapshot((adviser("dana"),), leave=parts)
    assert row(snapshot, "dana", "avail")[4] == pytest.approx(0.8, abs=1e-12)  # 1 day of 5


def test_an_end_before_the_start_is_never_available_not_an_error() -> None:
    typo = adviser("dana", start_date=d("2026-03-01"), end_date=d("2025-03-01"))
    snapshot = Snapshot((typo, adviser("eli")))
    decision = allocate(Deal("d1", "Series A"), snapshot, TODAY)
    assert decision.adviser_id == "eli"
    assert (row(snapshot, "dana", "avail") == 0).all()
