"""The data-quality panel: records left out of decisions are named, in words, at the top of
Availability and on the Sync page; the pages keep working for everyone else."""

from __future__ import annotations

from tests.app.firm import Firm, opened, small_firm, texts
from tests.builders import adviser, d


def with_bad_records() -> Firm:
    firm = small_firm()
    advisers = [*firm.store.list_advisers()]
    typo = adviser("71289", "Hana", start_date=d("2026-02-02"), end_date=d("2025-02-02"))
    firm.store.replace_advisers([*advisers, typo])
    firm.store.state.overrides["o-bad"] = ({"id": "o-bad", "adviser_id": "dana"}, "9")
    return firm


def test_availability_names_each_excluded_record_and_still_shows_everyone_else() -> None:
    at = opened("pages/availability.py", with_bad_records())

    warning = texts(at, "warning")
    assert "2 records excluded from decisions" in warning
    assert "adviser 71289: Hana ends on 2 Feb 2025, before starting on 2 Feb 2026" in warning
    assert "override o-bad: stored row cannot be read" in warning
    assert sorted(at.dataframe[0].value["adviser"]) == ["Dana", "Eli", "Fay", "Gus"]


def test_the_sync_page_shows_the_same_panel() -> None:
    at = opened("pages/sync.py", with_bad_records())

    assert "2 records excluded from decisions" in texts(at, "warning")


def test_no_panel_when_every_record_is_usable() -> None:
    at = opened("pages/availability.py", small_firm())

    assert "excluded from decisions" not in texts(at, "warning")
