"""No settings value can take a page down: edits outside the bounds are refused by name, and
values stored before the bounds existed are read inside them."""

from __future__ import annotations

import dataclasses

import pytest

from allocation import Rules
from services import policy, settings_edit
from services.errors import ValidationFailed
from services.records import ConsoleSettings
from services.snapshots import load_prepared
from tests.builders import adviser
from tests.fakes import InMemoryStore
from tests.unit.services_support import TODAY


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"horizon_weeks": 100000}, "horizon_weeks: must be from 4 to 104; got 100000"),
        ({"buffer_weeks": 13}, "buffer_weeks: must be from 0 to 12; got 13"),
        ({"weekly_max_new": 0}, "weekly_max_new: must be from 1 to 10; got 0"),
        ({"default_monthly_limit": 1e9}, "default_monthly_limit: must be from 0 to 100; got 1e+09"),
        ({"pod_monthly_limits": {"Solo": 500}}, "pod_monthly_limits[Solo]: must be from 0 to 100"),
        ({"meeting_weights": {"clarify": 11}}, "meeting_weights[clarify]: must be from 0 to 10"),
        ({"timezone": "Mars/Olympus"}, "unknown timezone 'Mars/Olympus'"),
        ({"writeback_property": "dealname"}, "'dealname' is one of HubSpot's own deal properties"),
        ({"writeback_property": "Advisor Name"}, "is not a HubSpot property name"),
        ({"editors": "ann@firm.au, bob"}, "editors: 'bob' is not an email address"),
        ({"allowed_domains": "firm"}, "allowed_domains: 'firm' is not a domain"),
    ],
)
def test_an_edit_out_of_bounds_is_refused_naming_field_bound_and_value(
    change: dict[str, object], words: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        settings_edit.apply_changes(ConsoleSettings(), change)
    assert words in str(refused.value)


def test_values_within_the_bounds_are_saved() -> None:
    updated = settings_edit.apply_changes(
        ConsoleSettings(),
        {"horizon_weeks": 104, "weekly_max_new": 10, "writeback_property": "hubspot_owner_id",
         "editors": "ann@firm.au", "allowed_domains": "firm.com.au"},
    )  # fmt: skip
    assert (updated.rules.horizon_weeks, updated.writeback_property) == (104, "hubspot_owner_id")


def test_a_custom_write_back_property_must_exist_in_hubspot_and_be_the_firms_own() -> None:
    known = [policy.DealProperty("adviser_id", "Adviser"),
             policy.DealProperty("dealname", "Deal name", hubspot_defined=True)]  # fmt: skip
    assert policy.writeback_problems("adviser_id", known) == []
    [missing] = policy.writeback_problems("adviser_idd", known)
    assert "is not a property of deals in this HubSpot portal" in missing.message
    [theirs] = policy.writeback_problems("dealname", known)
    assert "HubSpot's own deal property 'Deal name'" in theirs.message


def test_a_horizon_stored_before_the_bounds_is_read_inside_them() -> None:
    store = InMemoryStore()
    store.replace_advisers([adviser("dana")])
    huge = dataclasses.replace(ConsoleSettings(), rules=Rules(horizon_weeks=100_000))
    store.save_settings(huge, store.get_settings().version, "before the bounds")
    prepared = load_prepared(store, TODAY)  # used to build a 227 MB heatmap and time out
    assert prepared.snapshot.rules.horizon_weeks == 104
    _, notes = policy.bounded(huge)
    assert notes == ("stored horizon_weeks 100000 is outside from 4 to 104: using 104",)


def test_an_override_too_small_to_bank_one_client_is_flagged_as_never_opening() -> None:
    words = policy.never_opens(2, Rules())
    assert words == (
        "at 2 a month this adviser can never take a new client: the most they can bank is "
        "0.92 of a client (one is needed)"
    )
    assert policy.never_opens(0, Rules()) is None  # a deliberate stop
    assert policy.never_opens(3, Rules()) is None
