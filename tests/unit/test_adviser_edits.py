"""What a submitted Advisers grid asks for: only changed cells are set here, a cleared cell
hands the field back to HubSpot, and values set here win wherever advisers are read."""

from __future__ import annotations

import pytest

from services.adviser_edits import advisers_frame, plan
from services.adviser_merge import merged
from services.errors import ValidationFailed
from services.records import AdviserEdit, Versioned
from services.rows import RowEdits
from tests.builders import adviser, d

LEAVER = adviser("ann", "Ann", region="NSW", end_date=d("2026-09-30"), start_date=d("2024-01-08"))


def shown_row(held: list[Versioned[AdviserEdit]] | None = None) -> dict[str, object]:
    return advisers_frame([LEAVER], held or []).to_dict("records")[0]


def test_dates_sent_back_as_text_unchanged_are_not_pinned() -> None:
    row = shown_row() | {"end_date": "2026-09-30T00:00:00.000", "notes": "moving to Perth"}

    batch = plan(RowEdits(updated=(row,)), [LEAVER], [])

    assert batch.added == (AdviserEdit("ann", notes="moving to Perth"),)


def test_clearing_every_cell_set_here_removes_the_edit() -> None:
    held = [Versioned(AdviserEdit("ann", region="VIC"), "v1")]
    row = shown_row(held) | {"region": None}

    batch = plan(RowEdits(updated=(row,)), [LEAVER], held)

    assert batch.deleted == (("ann", "v1"),)


def test_a_value_set_here_wins_over_the_synced_one() -> None:
    [ann] = merged([LEAVER], [AdviserEdit("ann", region="VIC", monthly_limit=2)])

    assert (ann.region, ann.monthly_limit, ann.end_date) == ("VIC", 2, d("2026-09-30"))


def test_rows_cannot_be_added_to_a_list_that_comes_from_hubspot() -> None:
    with pytest.raises(ValidationFailed, match="rows cannot be added or deleted"):
        plan(RowEdits(added=({"name": "Zed"},)), [LEAVER], [])
