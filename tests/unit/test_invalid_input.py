"""Bad records are refused with a message that names them (allocation-rules.md §7)."""

import datetime as dt

import pytest

from allocation import Adviser, Closure, InvalidInput, Leave, Meeting, Override, Rules, Snapshot
from tests.builders import adviser, d


@pytest.mark.parametrize(
    ("make", "names"),
    [
        (lambda: Rules(timezone="Mars/Olympus_Mons"), "Mars/Olympus_Mons"),
        (lambda: Leave("lv-7", "dana", d("2026-04-10"), d("2026-04-01")), "leave lv-7"),
        (lambda: Closure("easter", d("2026-04-10"), d("2026-04-01")), "closure easter"),
        (lambda: Override("ov-3", "dana", d("2026-04-10"), 2, d("2026-04-01")), "override ov-3"),
        (lambda: Override("ov-4", "dana", d("2026-04-10"), -1), "override ov-4"),
        (lambda: Adviser("dana", "Dana", "d@x", monthly_limit=-2), "adviser dana"),
        (lambda: Leave("lv-8", "dana", d("2026-04-01"), d("2026-04-01"), 0), "leave lv-8"),
        (lambda: Leave("lv-9", "dana", d("2026-04-01"), d("2026-04-01"), 1.5), "leave lv-9"),
        (lambda: Meeting("mt-1", "dana", dt.datetime(2026, 4, 1, 10), "clarify"), "meeting mt-1"),
        (lambda: Snapshot((adviser("dana"), adviser("dana"))), "adviser dana"),
    ],
)
def test_invalid_records_are_refused_naming_the_record(make, names):
    with pytest.raises(InvalidInput, match=names):
        make()


def test_invalid_input_is_a_value_error_so_callers_can_treat_it_as_bad_input():
    assert issubclass(InvalidInput, ValueError)
