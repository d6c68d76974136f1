"""An override too small ever to bank a whole client is saved (a zero is a legitimate stop)
but said so: when it is entered on Capacity overrides, and on the adviser's schedule."""

from __future__ import annotations

from services.records import EditBatch
from tests.app.firm import opened, small_firm, submit_editor, texts
from tests.builders import override


def test_entering_a_two_a_month_override_saves_it_with_a_warning() -> None:
    firm = small_firm()
    at = opened("pages/overrides.py", firm)
    row = {"adviser": "Dana", "start": "2026-04-01", "monthly_limit": 2, "note": "wind-down"}

    submit_editor(at, "overrides", {"added_rows": [row]})

    assert "1 added" in texts(at, "success")
    warned = " ".join(str(t.value.to_dict()) for t in at.dataframe)
    assert "at 2 a month this adviser can never take a new client" in warned
    assert "bank is 0.92" in warned


def test_a_zero_override_is_a_stop_and_not_warned_about() -> None:
    firm = small_firm()
    at = opened("pages/overrides.py", firm)
    row = {"adviser": "Eli", "start": "2026-04-01", "monthly_limit": 0}

    submit_editor(at, "overrides", {"added_rows": [row]})

    assert "1 added" in texts(at, "success")
    assert "never take a new client" not in " ".join(str(t.value.to_dict()) for t in at.dataframe)


def test_the_schedule_warns_when_an_override_in_force_never_opens() -> None:
    firm = small_firm()
    firm.store.save_overrides(EditBatch(added=(override("dana", "2026-03-01", 2),)), "seed")

    at = opened("pages/schedule.py", firm, adviser="dana")

    assert "at 2 a month this adviser can never take a new client" in texts(at, "warning")
