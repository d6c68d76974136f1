"""What a person reads on the Availability page, for any filters in its link, is what the
allocator would do with a deal of that package and household (issue 13, item 1): the ◆ on the
chart, "With an open week", "Soonest start" and the order of the rows. On the demo firm, which
has advisers not taking on clients and advisers tied on their earliest week."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from console import state
from console.text import date_words
from settings import Settings
from tests.app.firm import EDITOR_USER, ROOT
from tests.demo_firm import demo_services

SVC = demo_services()
MARKS = "earliest week (click ◆ to open the schedule)"

links = st.fixed_dictionaries(
    {
        "package": st.sampled_from(SVC.browsing.packages()),
        "household": st.sampled_from(["Any", *SVC.browsing.households()]),
        "pod": st.lists(st.sampled_from(SVC.browsing.pods()), unique=True, max_size=2),
        "region": st.lists(st.sampled_from(SVC.browsing.regions()), unique=True, max_size=2),
    }
)


def opened(link: dict[str, Any]) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages/availability.py"), default_timeout=30)
    at.session_state[state.SERVICES] = SVC
    at.session_state[state.SETTINGS] = Settings.of()
    at.session_state[state.USER] = EDITOR_USER
    for name, value in link.items():
        if value not in ("Any", []):
            at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def diamonds(at: AppTest) -> dict[str, str]:
    """Adviser id → the week its ◆ is drawn in, as the chart sends it to the browser (no
    chart: nobody matches the filters, so no ◆ at all)."""
    charts = at.get("plotly_chart")
    if not charts:
        return {}
    spec = json.loads(charts[0].proto.spec)
    marks = next(t for t in spec["data"] if t["name"] == MARKS)
    return {a: str(x)[:10] for a, x in zip(marks["customdata"], marks["x"], strict=True)}


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(links)
def test_the_pages_diamonds_counts_and_rows_are_the_allocation_preview(link: dict) -> None:
    at = opened(link)
    household = None if link["household"] == "Any" else link["household"]
    decision = SVC.browsing.preview(link["package"], household).decision
    pods, regions = set(link["pod"]), set(link["region"])
    about = {a.id: a for a in SVC.browsing.advisers()}
    ranked = [
        c
        for c in decision.candidates
        if (not pods or about[c.adviser_id].pod_type in pods)
        and (not regions or about[c.adviser_id].region in regions)
    ]
    expected = {c.adviser_id: c.earliest_week.isoformat() for c in ranked if c.earliest_week}

    assert diamonds(at) == expected
    if not at.dataframe:  # nobody offers this package and household in these pods/regions
        assert not expected
        return
    rows = list(at.dataframe[0].value["adviser_id"])
    assert rows == [c.adviser_id for c in ranked if c.adviser_id in rows]  # allocator's order
    assert {c.adviser_id for c in ranked if c.eligible} <= set(rows)
    counts = at.markdown[0].value
    assert f"**{len(expected)}** with an open week" in counts
    soonest = min((dt.date.fromisoformat(w) for w in expected.values()), default=None)
    start = date_words(soonest) if soonest else "none in the horizon"
    assert f"soonest start **{start}**" in counts
    if not (pods or regions):  # the whole firm: the top row is the allocator's choice
        assert soonest == decision.week
        assert (rows[0] if expected else None) == decision.adviser_id
