"""The HubSpot property mapping: one set of names for the sync and the webhook, adviser fields
synced from the firm's own user properties, and a name HubSpot does not have refused by name
when the sync runs, against the fake HubSpot with real-shaped gaps and typos."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import responses

import bootstrap
from services import Services
from services.deal_intake import DealFields
from services.errors import BadRequest, ConfigurationError
from services.hubspot_names import HubSpotNames
from services.syncing import ADVISERS
from settings import Settings
from tests.fakes import InMemoryStore
from tests.integration.fake_hubspot import BASE, TOKEN, FakeHubSpot

NOW = dt.datetime(2026, 3, 10, 23, 0, tzinfo=dt.UTC)
MAPPING = "region=adviser_region,pod_type=pod,monthly_limit=max_new_clients,end_date=leaving_on"


@pytest.fixture
def hubspot() -> Iterator[FakeHubSpot]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake = FakeHubSpot(mock)
        fake.user_properties += ["adviser_region", "pod", "max_new_clients", "leaving_on"]
        yield fake


def settings(mapping: str) -> Settings:
    return Settings.of(
        HUBSPOT_TOKEN=TOKEN, HUBSPOT_API_BASE=BASE, HUBSPOT_DEAL_PROPERTIES=mapping,
        HUBSPOT_ONBOARDING_PIPELINE="onboarding", HUBSPOT_ONBOARDING_STAGES="signed",
    )  # fmt: skip


def synced(mapping: str) -> tuple[Services, InMemoryStore]:
    store = InMemoryStore(clock=lambda: NOW)
    crm = bootstrap.build_crm(settings(mapping))
    return Services(store, crm=crm, clock=lambda: NOW), store


def user(hubspot: FakeHubSpot, owner: str, **props: str) -> None:
    base = {"hubspot_owner_id": owner, "hs_email": f"{owner}@firm.test", "hs_given_name": owner,
            "taking_on_clients": "true", "client_types": "Series A",
            "adviser_start_date": "2025-01-06"}  # fmt: skip
    hubspot.add_user(f"u{owner}", **(base | props))


def test_mapped_adviser_fields_are_synced_from_the_firms_own_properties(hubspot) -> None:
    user(hubspot, "71", adviser_region=" NSW ", pod="Solo Adviser", max_new_clients="3",
         leaving_on="2026-09-30")  # fmt: skip
    user(hubspot, "72", adviser_region="", max_new_clients="six")  # gaps and a typo
    svc, store = synced(MAPPING)

    run = svc.sync.run_sync(ADVISERS, "ann", is_editor=True)

    assert run.status == "ok", run.errors
    by_id = {a.id: a for a in store.list_advisers()}
    assert (by_id["71"].region, by_id["71"].pod_type) == ("NSW", "Solo Adviser")
    assert (by_id["71"].monthly_limit, by_id["71"].end_date) == (3, dt.date(2026, 9, 30))
    assert (by_id["72"].region, by_id["72"].monthly_limit, by_id["72"].pod_type) == (
        None, None, "Standard",
    )  # fmt: skip
    assert run.errors == (
        "adviser 72 (72): monthly limit 'six' is not a number from 0 to 100; their pod's "
        "default applies (set one on the Advisers page)",
    )


def test_a_mapped_property_hubspot_lacks_fails_the_sync_naming_it(hubspot) -> None:
    user(hubspot, "71", adviser_region="NSW")
    svc, store = synced("region=adviser_regon")  # a typo in the setting

    run = svc.sync.run_sync(ADVISERS, "ann", is_editor=True)

    assert run.status == "failed"
    [error] = run.errors
    assert "HubSpot has no user property 'adviser_regon'" in error
    assert "did you mean 'adviser_region'" in error
    assert store.list_advisers() == []  # nothing half-written


def test_an_empty_mapping_leaves_the_field_unsynced(hubspot) -> None:
    user(hubspot, "71", pod="Solo Adviser", pod_type="Team Pod")
    svc, store = synced("pod_type=")

    svc.sync.run_sync(ADVISERS, "ann", is_editor=True)

    assert store.list_advisers()[0].pod_type == "Standard"


def test_the_agreement_start_rename_reaches_the_deal_sync_as_well_as_the_webhook(
    hubspot,
) -> None:
    hubspot.add_deal("9", pipeline="onboarding", dealstage="signed", advisor="71",
                     signed_on="2026-04-06", createdate="2026-02-01T03:00:00Z")  # fmt: skip
    rename = "agreement_start=signed_on"
    crm = bootstrap.build_crm(settings(rename))
    assert crm is not None

    [deal] = crm.fetch_open_deals()

    assert deal.agreement_start == dt.date(2026, 4, 6)
    assert bootstrap.hubspot_names(settings(rename)).agreement_start == "signed_on"
    assert DealFields is HubSpotNames  # the webhook's names are the sync's


def test_a_malformed_mapping_is_a_configuration_error_naming_the_setting() -> None:
    with pytest.raises(ConfigurationError, match="HUBSPOT_DEAL_PROPERTIES: 'colour=x'"):
        bootstrap.hubspot_names(settings("colour=x"))


def test_the_write_back_property_is_checked_against_hubspots_deal_properties(
    hubspot: FakeHubSpot, tmp_path: Path
) -> None:
    """Wired as in production (bootstrap): saving `dealname` would overwrite every deal's name,
    and a property HubSpot does not have would fail every write-back; both are refused by
    name, a firm's own custom property is saved."""
    store = InMemoryStore(clock=lambda: NOW)
    production = Settings.of(
        HUBSPOT_TOKEN=TOKEN, HUBSPOT_API_BASE=BASE, CONSOLE_STORE=f"sqlite:///{tmp_path / 'x.db'}"
    )
    svc = bootstrap.build_services(production, clock=lambda: NOW, store=store)
    hubspot.deal_properties.append(("allocated_adviser", False))

    def save(name: str) -> None:
        version = svc.editing.console_settings().version
        svc.editing.save_settings({"writeback_property": name}, version, "ann", True)

    for refused in ("dealname", "advizor"):
        with pytest.raises(BadRequest, match=refused):
            save(refused)
    save("allocated_adviser")

    assert svc.editing.console_settings().value.writeback_property == "allocated_adviser"
