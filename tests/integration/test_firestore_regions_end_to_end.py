"""End to end on the Firestore emulator: a real-shaped HubSpot (no regions, a typo'd end date)
is synced, regions are set the way the Advisers page sets them, public holidays are imported,
and exactly the right advisers' weeks close; the bad record is left out, everyone else is
allocatable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import responses

import bootstrap
from allocation import Deal
from integrations.firestore import FirestoreStore
from integrations.public_holidays import public_holidays
from services import Services
from services.records import ALLOCATED
from services.rows import RowEdits
from services.syncing import ADVISERS
from settings import Settings
from tests.integration.fake_hubspot import BASE, TOKEN, FakeHubSpot

pytestmark = pytest.mark.emulator

NOW = dt.datetime(2026, 3, 10, 23, 0, tzinfo=dt.UTC)  # 11 March in Sydney
EASTER_WEEK = dt.date(2026, 3, 30)  # Good Friday 3 April
AFTER_EASTER = dt.date(2026, 4, 6)  # Easter Monday 6 April


@pytest.fixture
def hubspot() -> Iterator[FakeHubSpot]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake = FakeHubSpot(mock)
        fake.user_properties.append("office")
        yield fake


def add(hubspot: FakeHubSpot, owner: str, name: str, **props: str) -> None:
    base = {"hubspot_owner_id": owner, "hs_email": f"{name.lower()}@firm.test",
            "hs_given_name": name, "taking_on_clients": "true", "client_types": "Series A",
            "adviser_start_date": "2024-01-08"}  # fmt: skip
    hubspot.add_user(f"u{owner}", **(base | props))


def closed_days(svc: Services, adviser_id: str, week: dt.date) -> float:
    weeks = svc.browsing.schedule(adviser_id).weeks
    row = weeks[weeks["week"] == week]
    return float(row["closure_days"].iloc[0])


def test_synced_advisers_given_regions_here_are_closed_by_imported_holidays(
    firestore_project: str, hubspot: FakeHubSpot
) -> None:
    add(hubspot, "71", "Ann", office="NSW")  # HubSpot knows Ann's office
    add(hubspot, "72", "Ben", office="")  # a gap: Ben is in Sydney, set here
    add(hubspot, "73", "Cat")  # Melbourne, set here
    add(hubspot, "74", "Dan")  # nobody set a region: holidays cannot reach him
    add(hubspot, "75", "Eve", leaving_on="2023-01-01")  # ends before starting: a typo
    hubspot.user_properties.append("leaving_on")
    config = Settings.of(HUBSPOT_TOKEN=TOKEN, HUBSPOT_API_BASE=BASE,
                         HUBSPOT_DEAL_PROPERTIES="region=office,end_date=leaving_on")  # fmt: skip
    store = FirestoreStore(firestore_project, clock=lambda: NOW)
    svc = Services(
        store, crm=bootstrap.build_crm(config), clock=lambda: NOW,
        holiday_calendar=public_holidays,
    )  # fmt: skip

    assert svc.sync.run_sync(ADVISERS, "ops", is_editor=True).status == "ok"
    frame = svc.advisers.frame("missing_region")
    assert sorted(frame["name"]) == ["Ben", "Cat", "Dan", "Eve"]
    rows = {r["name"]: r for r in frame.to_dict("records")}
    edits = RowEdits(updated=(rows["Ben"] | {"region": "NSW"}, rows["Cat"] | {"region": "VIC"}))
    svc.advisers.save(edits, "ops@firm.test", is_editor=True)

    found = svc.editing.holiday_closures("AU", "NSW", 2026)
    svc.editing.import_holidays(found, "ops@firm.test", is_editor=True)
    # A later sync (Ben's office still blank in HubSpot) keeps what was set here.
    assert svc.sync.run_sync(ADVISERS, "ops", is_editor=True).status == "ok"

    assert closed_days(svc, "71", EASTER_WEEK) == 1  # Good Friday
    assert closed_days(svc, "72", AFTER_EASTER) == 1  # Easter Monday
    assert closed_days(svc, "73", EASTER_WEEK) == 0  # VIC: not an NSW closure
    assert closed_days(svc, "74", EASTER_WEEK) == 0
    assert [(r.record_id, r.kind) for r in svc.quality.excluded()] == [("75", "adviser")]
    assert svc.quality.advisers_without_region() == 1  # Dan
    hubspot.add_deal("901", service_package="Series A")
    outcome = svc.booking.allocate(Deal("901", "Series A"), source="webhook")
    assert outcome.status == ALLOCATED
    assert outcome.record.adviser_id in {"71", "72", "73", "74"}
