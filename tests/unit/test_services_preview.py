from __future__ import annotations

import datetime as dt

from allocation import Closure, Leave, Override
from services.preview import WhatIf
from tests.builders import adviser
from tests.unit.services_support import firm, services


def test_preview_ranks_every_adviser_with_reasons_in_plain_words() -> None:
    svc, _ = services(firm(adviser("dana"), adviser("eli", packages=("Seed",))))
    result = svc.browsing.preview("Series A", "Any", None)
    assert result.decision.adviser_id == "dana"
    assert result.before is None
    table = result.candidates
    assert list(table["adviser"]) == ["Dana", "Eli"]
    assert table.loc[1, "why"] == "does not offer this service package"


def test_what_if_shows_before_and_after_side_by_side_and_writes_nothing() -> None:
    svc, _ = services()
    version = svc.store.data_version()
    away = Leave("w1", "dana", dt.date(2026, 3, 23), dt.date(2026, 4, 24))
    result = svc.browsing.preview("Series A", None, None, WhatIf(leave=(away,)))
    assert result.before is not None
    assert (result.before.adviser_id, result.before.week) == ("dana", dt.date(2026, 3, 23))
    assert (result.decision.adviser_id, result.decision.week) == ("eli", dt.date(2026, 3, 23))
    assert result.changed
    assert "earliest_week_before" in result.candidates.columns
    assert svc.store.data_version() == version


def test_a_what_if_closure_and_override_push_the_start_later() -> None:
    svc, _ = services(firm(adviser("dana")))
    shut = Closure("w2", dt.date(2026, 3, 23), dt.date(2026, 3, 27))
    slow = Override("w3", "dana", dt.date(2026, 3, 30), 0, dt.date(2026, 4, 3))
    result = svc.browsing.preview(
        "Series A", None, None, WhatIf(closures=(shut,), overrides=(slow,))
    )
    assert result.before is not None
    assert result.before.week == dt.date(2026, 3, 23)
    assert result.decision.week == dt.date(2026, 4, 6)
