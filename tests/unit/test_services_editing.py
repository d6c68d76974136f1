from __future__ import annotations

import datetime as dt

import pytest

from services.errors import Conflict, Forbidden, ValidationFailed
from services.rows import RowEdits
from tests.unit.services_support import services


def messages(exc: ValidationFailed) -> list[str]:
    return [str(p) for p in exc.problems]


def test_closure_rows_are_checked_row_by_row() -> None:
    svc, _ = services()
    edits = RowEdits(
        added=(
            {"start": "2026-04-10", "end": "2026-04-01", "description": "backwards"},
            {"start": "not a day", "advisers": "Dana, Zed"},
            {"start": dt.date(2026, 5, 1), "regions": "Atlantis"},  # unknown region is fine
        )
    )
    with pytest.raises(ValidationFailed) as caught:
        svc.editing.save_closures(edits, "ops@x.com", is_editor=True)
    assert messages(caught.value) == [
        "row 1 (new): End date 1 Apr 2026 is before the start date 10 Apr 2026",
        "row 2 (new): Start date 'not a day' is not a date",
        "row 2 (new): Advisers: no adviser is called 'Zed'",
    ]
    assert svc.editing.closures_frame().empty  # nothing half-written


def test_a_valid_closure_is_saved_audited_and_shown() -> None:
    svc, _ = services()
    edits = RowEdits(added=({"start": "2026-04-10", "description": "Offsite", "advisers": "dana"},))
    result = svc.editing.save_closures(edits, "ops@x.com", is_editor=True)
    assert result.counts.added == 1
    frame = svc.editing.closures_frame()
    assert list(frame[["start", "end", "advisers"]].iloc[0]) == [
        dt.date(2026, 4, 10),
        dt.date(2026, 4, 10),
        "Dana",
    ]
    assert svc.history.audit("closures")[0].actor == "ops@x.com"


@pytest.mark.parametrize(
    ("limit", "message"),
    [("abc", "'abc' is not a number"), (-1, "-1 must not be negative"), (None, "missing")],
)
def test_override_limits_must_be_numbers_of_zero_or_more(limit: object, message: str) -> None:
    svc, _ = services()
    row = {"adviser": "Dana", "start": "2026-04-06", "monthly_limit": limit}
    with pytest.raises(ValidationFailed, match=message):
        svc.editing.save_overrides(RowEdits(added=(row,)), "ops@x.com", is_editor=True)


def test_overlapping_overrides_are_saved_with_a_warning() -> None:
    svc, _ = services()
    rows = (
        {"adviser": "Dana", "start": "2026-04-06", "monthly_limit": 3, "note": "ramp"},
        {"adviser": "dana@example.com", "start": "2026-05-04", "monthly_limit": "4"},
    )
    result = svc.editing.save_overrides(RowEdits(added=rows), "ops@x.com", is_editor=True)
    assert result.counts.added == 2
    assert len(result.warnings) == 1
    assert result.warnings[0].message.startswith("Overlaps Dana's override from 6 Apr 2026")
    assert "ramp" in set(svc.editing.overrides_frame()["note"])


def test_viewers_are_refused_server_side() -> None:
    svc, _ = services()
    with pytest.raises(Forbidden, match="viewer"):
        svc.editing.save_closures(
            RowEdits(added=({"start": "2026-04-10"},)), "v@x.com", is_editor=False
        )
    with pytest.raises(Forbidden):
        svc.editing.save_settings({"buffer_weeks": 3}, "0", "v@x.com", is_editor=False)


def test_a_stale_edit_is_refused_with_a_clear_message() -> None:
    svc, _ = services()
    svc.editing.save_closures(RowEdits(added=({"start": "2026-04-10"},)), "a@x.com", True)
    row = svc.editing.closures_frame().iloc[0].to_dict()
    svc.editing.save_closures(RowEdits(updated=({**row, "description": "first"},)), "a@x.com", True)
    with pytest.raises(Conflict, match="reload"):
        svc.editing.save_closures(
            RowEdits(updated=({**row, "description": "second"},)), "b@x.com", True
        )


def test_settings_edits_are_validated_and_name_the_setting() -> None:
    svc, _ = services()
    version = svc.editing.console_settings().version
    with pytest.raises(ValidationFailed) as caught:
        svc.editing.save_settings(
            {"buffer_weeks": "two", "timezone": "Mars/Base"}, version, "o@x", True
        )
    assert "buffer_weeks" in str(caught.value)
    saved = svc.editing.save_settings(
        {"buffer_weeks": 3, "editors": "A@x.com, b@x.com"}, version, "o@x", True
    )
    assert saved.rules.buffer_weeks == 3
    assert svc.editing.console_settings().value.editors == ("a@x.com", "b@x.com")
    assert svc.access.can_edit("A@X.com", local_mode=False)
    assert not svc.access.can_edit("c@x.com", local_mode=True)
