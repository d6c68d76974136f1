"""The ledger spreads closures by scope rows (everyone, a region, named advisers) with array
gathers; ``Closure.applies_to`` says the rule plainly, one closure and one adviser at a time.
Here it is the oracle: on any firm, the weekdays the ledger counts as closed for an adviser
are exactly the weekdays of the closures that apply to them."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocation import Closure, Rules, Snapshot, build_ledger
from tests.builders import adviser, d

TODAY = d("2026-03-11")
checks = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Regions as people type them: case and spaces vary, and some name no adviser's region.
REGIONS = [None, "", "NSW", " nsw ", "Vic", "VIC ", "Qld"]
IDS = ["a0", "a1", "a2", "a3"]


@st.composite
def firms(draw) -> Snapshot:
    n = draw(st.integers(min_value=1, max_value=len(IDS)))
    advisers = [adviser(i, region=draw(st.sampled_from(REGIONS))) for i in IDS[:n]]
    closures = []
    for k in range(draw(st.integers(min_value=0, max_value=5))):
        start = TODAY + dt.timedelta(days=draw(st.integers(min_value=-10, max_value=40)))
        named = draw(st.frozensets(st.sampled_from([*IDS, "nobody"]), max_size=2))
        regions = draw(st.frozensets(st.sampled_from([r for r in REGIONS if r]), max_size=2))
        end = start + dt.timedelta(days=draw(st.integers(min_value=0, max_value=9)))
        closures.append(Closure(f"c{k}", start, end, adviser_ids=named, regions=regions))
    rules = Rules(horizon_weeks=8)
    return Snapshot(tuple(advisers), closures=tuple(closures), rules=rules)


def closed_weekdays(snap: Snapshot, who, week: dt.date) -> int:
    days = [week + dt.timedelta(days=n) for n in range(5)]
    return sum(
        any(c.applies_to(who) and c.start <= day <= c.end for c in snap.closures) for day in days
    )


@checks
@given(firms())
def test_the_ledger_closes_exactly_the_days_of_the_closures_that_apply(snap: Snapshot) -> None:
    frame = build_ledger(snap, TODAY).to_frame(detail=True)
    advisers = {a.id: a for a in snap.advisers}

    for row in frame.itertuples():
        assert row.closure_days == closed_weekdays(snap, advisers[row.adviser_id], row.week)
