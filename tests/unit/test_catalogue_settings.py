"""The firm's package and household catalogue is a setting: edited by editors, validated,
audited, and used by booking to tell an unknown package (refused) from a known one nobody
offers (recorded as unallocated)."""

from __future__ import annotations

from typing import Any

import pytest

from allocation import Deal
from services import Services
from services.errors import BadRequest, Forbidden, ValidationFailed
from services.records import UNALLOCATED, ConsoleSettings
from tests.builders import adviser
from tests.fake_ports import FakeCrm
from tests.unit.services_support import firm, services

EDITOR = "ann@firm.example"


def with_catalogue(svc: Services, **changes: Any) -> ConsoleSettings:
    version = svc.editing.console_settings().version
    return svc.editing.save_settings(changes, version, EDITOR, is_editor=True)


def test_the_catalogue_starts_as_the_firms_packages_and_households() -> None:
    settings = ConsoleSettings()
    assert settings.service_packages == ("Seed", "Series A", "Series B", "Series C", "IPO")
    assert settings.household_types == ("Single", "Couple")


def test_an_editor_replaces_the_catalogue_and_the_change_is_audited() -> None:
    svc, _ = services()
    with_catalogue(
        svc, service_packages=" Seed\nSeries A\nGrowth ", household_types="Single, Family"
    )
    stored = svc.editing.console_settings().value
    assert stored.service_packages == ("Seed", "Series A", "Growth")
    assert stored.household_types == ("Single", "Family")
    [entry] = svc.store.list_audit("settings")
    assert (entry.action, entry.actor) == ("settings.update", EDITOR)
    assert entry.before is not None
    assert entry.before["service_packages"] == ["Seed", "Series A", "Series B", "Series C", "IPO"]
    assert entry.after is not None
    assert entry.after["service_packages"] == ["Seed", "Series A", "Growth"]


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("service_packages", "  \n ", "needs at least one name"),
        ("service_packages", "Seed\nSeries A\n series a ", "'series a' is listed twice"),
        ("household_types", "Single, SINGLE", "'SINGLE' is listed twice (as 'Single')"),
        ("household_types", "", "needs at least one name"),
    ],
)
def test_an_empty_or_duplicated_catalogue_is_refused_by_field_and_nothing_saved(
    field: str, typed: str, message: str
) -> None:
    svc, _ = services()
    before = svc.editing.console_settings()
    with pytest.raises(ValidationFailed) as refused:
        with_catalogue(svc, **{field: typed})
    [problem] = refused.value.problems
    assert problem.column == field
    assert message in problem.message
    assert svc.editing.console_settings() == before
    assert svc.store.list_audit("settings") == []


def test_a_viewer_cannot_change_the_catalogue() -> None:
    svc, _ = services()
    version = svc.editing.console_settings().version
    with pytest.raises(Forbidden):
        svc.editing.save_settings({"service_packages": "Seed"}, version, "v@firm.example", False)
    assert (
        svc.editing.console_settings().value.service_packages == ConsoleSettings().service_packages
    )


def test_a_package_added_to_the_catalogue_is_recorded_unallocated_not_refused() -> None:
    svc, notifier = services(crm=FakeCrm())
    with_catalogue(svc, service_packages="Seed\nSeries A\nGrowth")
    outcome = svc.booking.allocate(Deal("d1", "  growth "))
    assert outcome.status == UNALLOCATED
    assert [r.deal_id for r in notifier.alerts] == ["d1"]


def test_a_package_dropped_from_the_catalogue_that_nobody_offers_is_refused() -> None:
    svc, _ = services(crm=FakeCrm())
    with_catalogue(svc, service_packages="Seed\nSeries A")
    version = svc.store.data_version()
    with pytest.raises(
        BadRequest, match=r"unknown service package 'IPO' \(known: Seed, Series A\)"
    ):
        svc.booking.allocate(Deal("d1", "IPO"))
    assert svc.store.get_allocation("d1") is None
    assert svc.store.data_version() == version


def test_a_package_an_adviser_offers_is_known_even_outside_the_catalogue() -> None:
    svc, _ = services(firm(adviser("dana", packages=("Family Office",))), crm=FakeCrm())
    with_catalogue(svc, service_packages="Seed")
    assert svc.booking.allocate(Deal("d1", "FAMILY OFFICE ")).record.adviser_id == "dana"
    assert svc.browsing.packages() == ["Seed", "Family Office"]


def test_pages_offer_the_catalogue_in_its_order() -> None:
    svc, _ = services()
    with_catalogue(svc, service_packages="IPO\nSeed", household_types="Couple\nSingle\nFamily")
    assert svc.browsing.packages() == ["IPO", "Seed", "Series A"]  # then what advisers offer
    assert svc.browsing.households() == ["Couple", "Single", "Family"]
