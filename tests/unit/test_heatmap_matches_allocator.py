"""The heatmap answers "who is free soonest?" as the allocator does, for any filters: its ◆,
counts and order equal the allocation preview for a deal of the package and household chosen
(issue 13, item 1). Checked on the demo firm, which has advisers not taking on clients."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocation import reasons
from console.heatmap import heatmap_data
from tests.demo_firm import demo_services

SVC = demo_services()
PACKAGES = SVC.browsing.packages()
HOUSEHOLDS = [None, *SVC.browsing.households()]
PODS = SVC.browsing.pods()
REGIONS = SVC.browsing.regions()

filters = st.fixed_dictionaries(
    {
        "package": st.sampled_from(PACKAGES),
        "household": st.sampled_from(HOUSEHOLDS),
        "pods": st.lists(st.sampled_from(PODS), unique=True, max_size=2),
        "regions": st.lists(st.sampled_from(REGIONS), unique=True, max_size=2),
        "taking_only": st.booleans(),
    }
)


def in_scope(adviser_id: str, chosen: dict) -> bool:
    """Whether the pod, region and taking filters keep the adviser (package and household
    are the deal's: the allocator answers those)."""
    adviser = next(a for a in SVC.browsing.advisers() if a.id == adviser_id)
    return (
        (not chosen["pods"] or adviser.pod_type in chosen["pods"])
        and (not chosen["regions"] or adviser.region in chosen["regions"])
        and (adviser.taking_on_clients or not chosen["taking_only"])
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(filters)
def test_the_heatmaps_earliest_weeks_counts_and_order_are_the_allocators(chosen: dict) -> None:
    data = heatmap_data(SVC.browsing.heatmap_frame(**chosen))
    decision = SVC.browsing.preview(chosen["package"], chosen["household"]).decision
    ranked = [c for c in decision.candidates if in_scope(c.adviser_id, chosen)]

    marked = {a: w for a, w in zip(data.adviser_ids, data.earliest, strict=True) if w}
    assert marked == {c.adviser_id: c.earliest_week for c in ranked if c.earliest_week}
    eligible = {c.adviser_id for c in ranked if c.eligible}
    assert eligible <= set(data.adviser_ids)  # nobody the allocator could pick is hidden
    reason = {c.adviser_id: c.reason for c in ranked}
    assert all(reason[a] == reasons.NOT_TAKING_CLIENTS for a in set(data.adviser_ids) - eligible)
    assert list(data.adviser_ids) == [c.adviser_id for c in ranked if c.adviser_id in marked] + [
        c.adviser_id
        for c in ranked
        if c.adviser_id in data.adviser_ids and c.adviser_id not in marked
    ]
    assert data.open_count == len(marked)
    assert data.soonest == min(marked.values(), default=None)
    if not (chosen["pods"] or chosen["regions"]):
        assert data.soonest == decision.week
        assert (data.adviser_ids[0] if marked else None) == decision.adviser_id
