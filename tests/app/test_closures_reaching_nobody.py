"""Closures that apply to nobody are visible: a holiday import scoped to a region no adviser
has says so before saving (and can close everyone instead), the Closures page warns, and the
sidebar counts advisers without a region while regional closures exist."""

from __future__ import annotations

import dataclasses

from streamlit.testing.v1 import AppTest

from console import data_quality
from console.holidays_import import COUNTRY, PERIOD, SCOPE, SUBDIVISION
from services.records import EditBatch
from tests.app.firm import Firm, opened, small_firm, texts
from tests.builders import closure

PAGE = "pages/closures.py"
PREVIEW = "FormSubmitter:closures.holidays.form-Preview holidays"


def regionless() -> Firm:
    """The small firm after a HubSpot sync: nobody has a region."""
    firm = small_firm()
    advisers = [dataclasses.replace(a, region=None) for a in firm.store.list_advisers()]
    firm.store.replace_advisers(advisers)
    return firm


def preview_nsw(at: AppTest, scope: str = "region") -> AppTest:
    at.text_input(key=COUNTRY).set_value("AU")
    at.text_input(key=SUBDIVISION).set_value("NSW")
    at.selectbox(key=PERIOD).select(2026)
    at.radio(key=SCOPE).set_value(scope)
    return at.button(key=PREVIEW).click().run()


def test_a_holiday_preview_for_a_region_nobody_has_warns_before_saving() -> None:
    at = preview_nsw(opened(PAGE, regionless()))

    warning = texts(at, "warning")
    assert "closures apply to no adviser (no adviser has region NSW)" in warning


def test_holidays_imported_for_everyone_close_every_adviser() -> None:
    firm = regionless()
    at = preview_nsw(opened(PAGE, firm), scope="everyone")
    assert "apply to no adviser" not in texts(at, "warning")

    at.button(key="closures.holidays.save").click().run()

    saved = [v.value for v in firm.store.list_closures() if v.value.id.startswith("ph-AU")]
    assert saved
    assert all(c.is_global for c in saved)


def test_the_closures_page_warns_about_stored_closures_that_close_nobody() -> None:
    firm = small_firm()
    tas = closure("2026-06-01", "2026-06-01", regions=("TAS",))
    firm.store.save_closures(EditBatch(added=(tas,)), "seed")

    at = opened(PAGE, firm)

    assert "1 closure applies to no adviser (no adviser has region TAS)" in texts(at, "warning")


def test_the_sidebar_counts_advisers_without_a_region_while_regional_closures_exist() -> None:
    firm = small_firm()
    gus_gone = [
        dataclasses.replace(a, region=None) if a.id == "gus" else a
        for a in firm.store.list_advisers()
    ]
    firm.store.replace_advisers(gus_gone)
    assert data_quality.region_line(firm.services) is None  # no regional closure yet

    nsw = closure("2026-06-08", "2026-06-08", regions=("NSW",))
    firm.store.save_closures(EditBatch(added=(nsw,)), "seed")

    line = data_quality.region_line(firm.services)
    assert line is not None
    assert line.startswith("1 adviser has no region")
