"""The Allocation preview page: the decision, every adviser ranked and explained, what-ifs."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.firm import Firm, page, small_firm

PAGE = "pages/preview.py"


@pytest.fixture
def firm() -> Firm:
    return small_firm()


def asked(firm: Firm, package: str, household: str = "Any") -> AppTest:
    at = page(PAGE, firm).run()
    at.selectbox(key="preview.package").select(package)
    at.selectbox(key="preview.household").select(household)
    at.button[0].click().run()  # the form's Preview button
    assert not at.exception
    return at


def ranking(at: AppTest) -> dict[str, str]:
    table = at.dataframe[0].value
    return dict(zip(table["adviser"], table["why"], strict=True))


def add_what_if(at: AppTest, kind: str, adviser: str, start: str, end: str) -> AppTest:
    at.radio(key="preview.what_if.kind").set_value(kind).run()
    next(s for s in at.selectbox if s.label == "Adviser").select(adviser)
    next(d for d in at.date_input if d.label == "From").set_value(dt.date.fromisoformat(start))
    next(d for d in at.date_input if d.label.startswith("To")).set_value(dt.date.fromisoformat(end))
    next(b for b in at.button if b.label.startswith("Add ")).click().run()
    return at


def test_nothing_is_shown_until_a_deal_is_asked_for(firm: Firm) -> None:
    at = page(PAGE, firm).run()

    assert not at.exception
    assert not at.success
    assert at.info[0].value.startswith("Choose a package")


def test_preview_names_the_adviser_and_week(firm: Firm) -> None:
    at = asked(firm, "Series A", "Couple")

    assert at.success[0].value == "**Eli** would take it, starting the week of 6 Apr 2026."


def test_every_adviser_is_ranked_with_the_reason_in_plain_words(firm: Firm) -> None:
    at = asked(firm, "Series A", "Couple")

    why = ranking(at)

    assert list(why) == ["Eli", "Dana", "Fay", "Gus"]
    assert why["Eli"].startswith("open from 6 Apr 2026 (before that: away all week")
    assert why["Fay"] == "not taking on new clients"
    assert why["Gus"] == "does not take this household type"


def test_blocked_weeks_of_the_top_candidates_are_explained(firm: Firm) -> None:
    at = asked(firm, "Series A", "Couple")

    labels = [e.label for e in at.expander]

    assert "Eli: 2 blocked week(s)" in labels
    eli = next(e for e in at.expander if e.label.startswith("Eli"))
    assert (
        list(eli.dataframe[0].value["why"])
        == ["away all week (leave, closure, not started or left)"] * 2
    )


def test_a_deal_nobody_offers_says_nobody_can_take_it(firm: Firm) -> None:
    at = asked(firm, "IPO")

    assert at.warning[0].value == "Nobody can take this deal in the planning horizon."
    assert set(ranking(at).values()) <= {
        "does not offer this service package",
        "not taking on new clients",
    }


def test_what_if_leave_shows_before_and_after_side_by_side(firm: Firm) -> None:
    at = asked(firm, "Series A", "Couple")

    add_what_if(at, "Leave", "eli", "2026-04-06", "2026-04-10")

    assert not at.exception
    assert [m.value for m in at.markdown if m.value.startswith("#####")] == [
        "##### Before (saved data)",
        "##### After the what-if",
    ]
    before, after = (s.value for s in at.success)
    assert "week of 6 Apr 2026" in before
    assert "week of 6 Apr 2026" not in after
    table = at.dataframe[1].value  # [0] lists the what-if records
    eli = table[table["adviser"] == "Eli"].iloc[0]
    assert str(eli["earliest_week_before"]) == "2026-04-06"
    assert str(eli["earliest_week"]) > "2026-04-06"


def test_a_what_if_is_never_saved(firm: Firm) -> None:
    version = firm.store.data_version()
    at = asked(firm, "Series A", "Couple")

    add_what_if(at, "Capacity override", "eli", "2026-03-01", "2026-12-31")

    assert firm.store.data_version() == version
    assert [v.value.adviser_id for v in firm.store.list_overrides()] == ["gus"]


def test_a_what_if_ending_before_it_starts_is_refused_with_a_message(firm: Firm) -> None:
    at = asked(firm, "Series A", "Couple")

    add_what_if(at, "Leave", "eli", "2026-04-10", "2026-04-06")

    assert "end 2026-04-06 is before start 2026-04-10" in at.error[0].value
    assert len(at.success) == 1  # still the plain preview


def test_clearing_the_what_if_returns_to_the_plain_preview(firm: Firm) -> None:
    at = asked(firm, "Series A", "Couple")
    add_what_if(at, "Leave", "eli", "2026-04-06", "2026-04-10")

    next(b for b in at.button if b.label == "Clear the what-if").click().run()

    assert len(at.success) == 1
    assert "week of 6 Apr 2026" in at.success[0].value


def test_the_deal_previewed_is_in_the_link_and_a_link_opens_that_preview(firm: Firm) -> None:
    at = asked(firm, "Series A", "Couple")

    assert at.query_params == {"package": "Series A", "household": "Couple"}

    shared = page(PAGE, firm, package="Series A", household="Couple").run()
    assert not shared.exception
    assert shared.success[0].value == at.success[0].value


def test_coming_back_to_the_page_keeps_the_deal_and_its_what_if(firm: Firm) -> None:
    at = asked(firm, "Series A", "Couple")
    add_what_if(at, "Leave", "eli", "2026-04-06", "2026-04-10")
    after = [s.value for s in at.success]

    # Back through the sidebar: no query string (the browser test also has the widgets
    # forgotten, which AppTest cannot do).
    at.query_params.clear()
    at.run()

    assert not at.exception
    assert [s.value for s in at.success] == after  # the what-if still applies to that deal
    assert at.selectbox(key="preview.household").value == "Couple"
    assert at.query_params["household"] == "Couple"


def test_a_link_to_a_package_not_offered_says_so(firm: Firm) -> None:
    at = page(PAGE, firm, package="Sereis A").run()

    assert not at.exception
    assert "service package “Sereis A” is not known" in at.warning[0].value
    assert not at.success


def test_an_agreement_date_past_the_horizon_says_so(firm: Firm) -> None:
    at = page(PAGE, firm, package="Series A", agreement="2028-06-01").run()

    assert not at.exception
    warning = at.warning[0].value
    assert warning.startswith("The agreement start 1 Jun 2028 is past the planning horizon")
    assert "Nobody can take this deal" not in warning
