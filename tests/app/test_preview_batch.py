"""The preview page's batch what-if: N deals like the previewed one, where each would land."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.firm import Firm, small_firm
from tests.app.test_preview_page import add_what_if, asked


@pytest.fixture
def firm() -> Firm:
    return small_firm()


def place(at: AppTest, deals: int, weeks: int) -> AppTest:
    at.number_input(key="preview.batch.count").set_value(deals)
    at.number_input(key="preview.batch.weeks").set_value(weeks)
    next(b for b in at.button if b.label == "Place them").click().run()
    assert not at.exception, at.exception
    return at


def batch_table(at: AppTest):
    return at.dataframe[-1].value


def test_each_deal_of_a_batch_lands_after_the_ones_before_it(firm: Firm) -> None:
    at = place(asked(firm, "Series A", "Couple"), deals=6, weeks=2)
    table = batch_table(at)
    assert list(table["Deal"]) == [1, 2, 3, 4, 5, 6]
    first = table.iloc[0]
    # the same answer as the single preview: Eli from 6 April
    assert (first["Adviser"], str(first["Starts"])[:10]) == ("Eli", "2026-04-06")
    # capacity runs out: later deals wait longer than the first
    waits = [w for w in table["Wait (weeks)"] if w == w]
    assert max(waits) > waits[0]
    assert "Download the batch (CSV)" in [b.proto.label for b in at.get("download_button")]


def test_a_batch_with_a_what_if_shows_before_and_after_side_by_side(firm: Firm) -> None:
    at = asked(firm, "Series A", "Couple")
    add_what_if(at, "Leave", "Eli", "2026-04-06", "2026-05-29")
    at = place(at, deals=4, weeks=2)
    table = batch_table(at)
    assert "Adviser after what-if" in table.columns
    assert table.iloc[0]["Adviser"] == "Eli"
    assert table.iloc[0]["Adviser after what-if"] == "Dana"  # Eli away in the what-if


def test_without_a_what_if_there_is_only_the_saved_data(firm: Firm) -> None:
    at = place(asked(firm, "Series A", "Couple"), deals=2, weeks=1)
    assert "Adviser after what-if" not in batch_table(at).columns
