"""The one-record quick-add forms beside the closures and overrides grids."""

from __future__ import annotations

from typing import Any

import pytest

from tests.app.firm import VIEWER_USER, Firm, opened, small_firm
from tests.builders import d


@pytest.fixture
def firm() -> Firm:
    return small_firm()


def labelled(widgets: Any, label: str) -> Any:
    return next(w for w in widgets if w.label == label)


def test_a_closure_for_two_advisers_is_added_from_the_quick_form(firm: Firm) -> None:
    at = opened("pages/closures.py", firm)
    labelled(at.date_input, "First closed day").set_value(d("2026-04-20"))
    labelled(at.date_input, "Last closed day").set_value(d("2026-04-21"))
    labelled(at.text_input, "Description").input("Offsite")
    labelled(at.multiselect, "Advisers").select("Dana").select("Eli")
    at.button(key="FormSubmitter:closures.quick-Add closure").click().run()
    assert not at.exception, at.exception

    (offsite,) = [v.value for v in firm.store.list_closures() if v.value.description == "Offsite"]
    assert (offsite.start, offsite.end) == (d("2026-04-20"), d("2026-04-21"))
    assert offsite.adviser_ids == {"dana", "eli"}
    assert "closure.create" in {e.action for e in firm.store.list_audit("closures")}


def test_a_quick_closure_without_a_first_day_is_refused_and_nothing_is_saved(firm: Firm) -> None:
    at = opened("pages/closures.py", firm)
    before = len(firm.store.list_closures())
    labelled(at.text_input, "Description").input("No date")
    at.button(key="FormSubmitter:closures.quick-Add closure").click().run()

    assert len(firm.store.list_closures()) == before
    assert [e.value for e in at.error] == [
        "Nothing was saved: fix these rows and save again. Your edits are kept below."
    ]
    problems = next(t.value for t in at.dataframe if "problem" in t.value.columns)
    assert problems.to_dict("records") == [
        {"row": "new row 1", "column": "start", "problem": "the start date is missing"}
    ]


def test_an_override_is_added_from_the_quick_form(firm: Firm) -> None:
    at = opened("pages/overrides.py", firm)
    labelled(at.selectbox, "Adviser").select("Dana")
    labelled(at.number_input, "Monthly limit").set_value(2.0)
    labelled(at.date_input, "From").set_value(d("2026-05-04"))
    at.button(key="FormSubmitter:overrides.quick-Add override").click().run()
    assert not at.exception, at.exception

    added = [v.value for v in firm.store.list_overrides() if v.value.adviser_id == "dana"]
    assert [(o.start, o.monthly_limit, o.end) for o in added] == [(d("2026-05-04"), 2.0, None)]


def test_viewers_get_no_quick_forms(firm: Firm) -> None:
    for script in ("pages/closures.py", "pages/overrides.py"):
        at = opened(script, firm, user=VIEWER_USER)
        assert not [b for b in at.button if "quick" in str(b.key)]
