"""Public holidays become weekday closures scoped to the subdivision's region."""

from __future__ import annotations

import datetime as dt

import pytest

from integrations.public_holidays import public_holidays
from services.errors import ConfigurationError


def test_nsw_holidays_are_weekday_closures_for_the_nsw_region_with_stable_ids():
    closures = {c.id: c for c in public_holidays("AU", "NSW", 2026)}

    australia_day = closures["ph-AU-NSW-2026-01-26"]
    assert australia_day.start == australia_day.end == dt.date(2026, 1, 26)
    assert australia_day.description == "Australia Day"
    assert australia_day.regions == {"NSW"}
    assert "ph-AU-NSW-2026-12-28" in closures  # Boxing Day observed on the Monday
    assert all(c.start.weekday() < 5 for c in closures.values())
    assert "ph-AU-NSW-2026-04-04" not in closures  # Easter Saturday closes nothing


def test_a_second_import_gives_the_same_ids():
    first = [c.id for c in public_holidays("AU", "NSW", 2026)]

    assert [c.id for c in public_holidays("au", "nsw", 2026)] == first


def test_subdivisions_differ_and_may_map_to_a_named_region():
    vic = {c.start for c in public_holidays("AU", "VIC", 2026, region="Melbourne")}
    nsw = {c.start for c in public_holidays("AU", "NSW", 2026)}

    assert dt.date(2026, 3, 9) in vic - nsw  # Labour Day in Victoria only
    assert all(
        c.regions == {"Melbourne"} for c in public_holidays("AU", "VIC", 2026, region="Melbourne")
    )


def test_national_holidays_without_a_subdivision_close_every_office():
    closures = public_holidays("NZ", None, 2026)

    assert closures
    assert all(c.regions == frozenset() and c.id.startswith("ph-NZ-2026-") for c in closures)


@pytest.mark.parametrize(
    ("country", "subdivision", "message"),
    [("ZZ", None, "unknown country code 'ZZ'"), ("AU", "XYZ", "AU has no subdivision 'XYZ'")],
)
def test_an_unknown_country_or_subdivision_is_a_clear_error(country, subdivision, message):
    with pytest.raises(ConfigurationError, match=message):
        public_holidays(country, subdivision, 2026)
