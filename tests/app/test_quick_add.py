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


def quick_expander(at: Any, noun: str) -> Any:
    return next(e for e in at.expander if e.label == f"Quick add: one {noun}")


def test_a_quick_closure_without_a_first_day_names_the_pickers_range_and_keeps_the_input(
    firm: Firm,
) -> None:
    """An empty first day (also what the picker gives for a day typed outside its range)."""
    at = opened("pages/closures.py", firm)
    before = len(firm.store.list_closures())
    labelled(at.text_input, "Description").input("No date")
    at.button(key="FormSubmitter:closures.quick-Add closure").click().run()

    assert len(firm.store.list_closures()) == before
    assert [e.value for e in at.error] == [
        r"First closed day: choose a day from 1 Jan 2024 to 31 Dec 2036 \(the date picker "
        r"takes no day outside that range\)"
    ]
    assert labelled(at.text_input, "Description").value == "No date"  # kept
    assert quick_expander(at, "closure").error  # under the form, not at the top of the page


def test_a_quick_closure_ending_before_it_starts_stays_open_pointing_at_the_end_date(
    firm: Firm,
) -> None:
    at = opened("pages/closures.py", firm)
    before = len(firm.store.list_closures())
    labelled(at.date_input, "First closed day").set_value(d("2026-04-21"))
    labelled(at.date_input, "Last closed day").set_value(d("2026-04-20"))
    labelled(at.text_input, "Description").input("Backwards")
    at.button(key="FormSubmitter:closures.quick-Add closure").click().run()

    assert len(firm.store.list_closures()) == before
    assert [e.value for e in at.error] == [
        "End date 20 Apr 2026 is before the start date 21 Apr 2026"
    ]
    assert labelled(at.date_input, "First closed day").value == d("2026-04-21")
    assert labelled(at.text_input, "Description").value == "Backwards"
    assert quick_expander(at, "closure").error

    labelled(at.date_input, "Last closed day").set_value(d("2026-04-22"))
    at.button(key="FormSubmitter:closures.quick-Add closure").click().run()

    assert len(firm.store.list_closures()) == before + 1
    assert not at.error
    assert labelled(at.text_input, "Description").value == ""  # saved: the form starts empty


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
