"""How a page's filters are written into its link and read back (console.url_state)."""

from __future__ import annotations

import datetime as dt

from console.url_state import Field

PACKAGE = Field("k.package", "package", "Any", "service package")
REGIONS = Field("k.regions", "region", [], "region")
TAKING = Field("k.taking", "taking", False)
AGREED = Field("k.agreed", "agreement", None)


def test_defaults_stay_out_of_the_link() -> None:
    assert PACKAGE.encode("Any") == []
    assert REGIONS.encode([]) == []
    assert TAKING.encode(False) == []
    assert AGREED.encode(None) == []


def test_values_read_back_as_they_were_written() -> None:
    assert PACKAGE.decode(PACKAGE.encode("Series A"), ["Any", "Series A"]) == ("Series A", [])
    assert REGIONS.decode(REGIONS.encode(["NSW", "VIC"]), ["NSW", "VIC"]) == (["NSW", "VIC"], [])
    assert TAKING.decode(TAKING.encode(True), None) == (True, [])
    day = dt.date(2027, 1, 18)
    assert AGREED.decode(AGREED.encode(day), None) == (day, [])


def test_what_is_not_on_offer_is_dropped_and_named() -> None:
    assert PACKAGE.decode(["Series Z"], ["Any", "Series A"]) == ("Any", ["Series Z"])
    assert REGIONS.decode(["NSW", "QDL"], ["NSW", "VIC"]) == (["NSW"], ["QDL"])
    assert TAKING.decode(["maybe"], None) == (False, ["maybe"])
    assert AGREED.decode(["31/12/2026"], None) == (None, ["31/12/2026"])
