"""Eligibility (allocation-rules.md §3), choosing (§6) and the ranked explanation (§7)."""

import pytest

from allocation import Deal, Rules, allocate
from tests.builders import adviser, clarify, closure, d, snapshot

TODAY = d("2026-03-11")
FIRST = d("2026-03-23")


def candidate(decision, adviser_id):
    return next(c for c in decision.candidates if c.adviser_id == adviser_id)


@pytest.mark.parametrize(
    ("who", "reason"),
    [
        (adviser("a", taking_on_clients=False, packages=("Seed",)), "not_taking_clients"),
        (adviser("a", packages=("Seed",)), "package_mismatch"),
        (adviser("a", households=("Single",)), "household_mismatch"),
    ],
)
def test_each_exclusion_reason(who, reason):
    decision = allocate(Deal("x", "Series A", "Couple"), snapshot(who), TODAY)
    (only,) = decision.candidates
    assert (only.eligible, only.reason, only.earliest_week, only.utilisation) == (
        False,
        reason,
        None,
        None,
    )
    assert decision.adviser_id is None
    assert decision.week is None


def test_the_first_failing_rule_is_reported():
    who = adviser("a", taking_on_clients=False, packages=("Seed",), households=("Single",))
    decision = allocate(Deal("x", "Series A", "Couple"), snapshot(who), TODAY)
    assert decision.candidates[0].reason == "not_taking_clients"


def test_package_and_household_names_match_trimmed_and_case_insensitively():
    who = adviser("a", packages=(" series a ",), households=("COUPLE",))
    decision = allocate(Deal("x", "Series A", " couple"), snapshot(who), TODAY)
    assert decision.adviser_id == "a"


def test_an_adviser_listing_no_household_types_takes_every_household():
    decision = allocate(Deal("x", "Series A", "Couple"), snapshot(adviser("a")), TODAY)
    assert decision.adviser_id == "a"


def test_exempt_packages_skip_the_household_match():
    rules = Rules(household_exempt_packages=frozenset({"series a"}))
    who = adviser("a", households=("Single",))
    decision = allocate(Deal("x", "Series A", "Couple"), snapshot(who, rules=rules), TODAY)
    assert decision.adviser_id == "a"


def test_earliest_week_beats_lower_utilisation():
    snap = snapshot(
        adviser("busy"),
        adviser("later"),
        meetings=[clarify("busy", "2026-03-10")],
        closures=[closure("2026-03-23", "2026-03-27", advisers=("later",))],
    )
    decision = allocate(Deal("x", "Series A"), snap, TODAY)
    assert (decision.adviser_id, decision.week) == ("busy", FIRST)
    assert candidate(decision, "later").earliest_week == d("2026-03-30")
    assert candidate(decision, "later").utilisation < candidate(decision, "busy").utilisation


def test_on_the_same_week_the_less_utilised_adviser_wins():
    snap = snapshot(
        adviser("alpha"),
        adviser("bravo"),
        meetings=[clarify("alpha", "2026-03-10")],
    )
    decision = allocate(Deal("x", "Series A"), snap, TODAY)
    assert decision.adviser_id == "bravo"
    assert candidate(decision, "alpha").utilisation > candidate(decision, "bravo").utilisation


def test_full_ties_go_by_name_case_insensitively_then_id():
    snap = snapshot(adviser("z2", name="amy"), adviser("z1", name="Amy"), adviser("a", name="Bob"))
    decision = allocate(Deal("x", "Series A"), snap, TODAY)
    assert [c.adviser_id for c in decision.candidates] == ["z1", "z2", "a"]


def test_candidates_list_everyone_once_in_the_documented_groups():
    snap = snapshot(
        adviser("late", name="Late"),
        adviser("soon", name="Soon"),
        adviser("full", name="Full", monthly_limit=0),
        adviser("seed", name="Aaron", packages=("Seed",)),
        adviser("off", name="Off", taking_on_clients=False),
        closures=[closure("2026-03-23", "2026-03-27", advisers=("late",))],
    )
    decision = allocate(Deal("x", "Series A"), snap, TODAY)
    assert [c.adviser_id for c in decision.candidates] == ["soon", "late", "full", "seed", "off"]
    full = candidate(decision, "full")
    assert full.eligible
    assert full.reason == "no_capacity_in_horizon"
    assert full.blocked_weeks[0] == (FIRST, "no_balance")
    assert full.blocked_weeks[-1][0] == d("2027-03-01")  # the horizon's last week
    assert candidate(decision, "seed").blocked_weeks == ()


def test_the_same_inputs_always_give_the_same_decision():
    snap = snapshot(*(adviser(f"a{i}", name=f"Adviser {i % 3}") for i in range(9)))
    first = allocate(Deal("x", "Series A"), snap, TODAY)
    assert all(allocate(Deal("x", "Series A"), snap, TODAY) == first for _ in range(3))


def test_a_deal_for_a_package_nobody_offers_is_unallocated_with_reasons():
    decision = allocate(Deal("x", "IPO"), snapshot(adviser("a"), adviser("b")), TODAY)
    assert decision.adviser_id is None
    assert {c.reason for c in decision.candidates} == {"package_mismatch"}
