"""A stored row that no longer reads as a record is skipped and reported, never fatal.

Each store's test module provides ``plant``: ``plant(store, collection, record_id, row)``
writes ``row`` as it is, bypassing the codec, as a hand edit or an older console would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allocation import Closure
from services.ports import Store
from services.records import EditBatch
from services.snapshots import load_prepared
from tests.builders import adviser, d

Plant = Callable[[Store, str, str, dict[str, Any]], None]


def good_people(store: Store) -> None:
    store.replace_advisers([adviser("dana", "Dana"), adviser("eli", "Eli")])


class UnreadableRowsContract:
    def test_an_unreadable_adviser_is_skipped_and_named_with_its_reason(
        self, store: Store, plant: Plant
    ) -> None:
        good_people(store)
        plant(store, "advisers", "zed", {"id": "zed", "email": "zed@firm.au"})
        plant(
            store,
            "advisers",
            "neg",
            {"id": "neg", "name": "Neg", "email": "n@firm.au", "monthly_limit": -3},
        )

        assert sorted(a.id for a in store.list_advisers()) == ["dana", "eli"]
        found = {r.record_id: r.reason for r in store.unreadable()}
        assert set(found) == {"zed", "neg"}
        assert "missing" in found["zed"]
        assert "monthly limit -3 is negative" in found["neg"]

    def test_unreadable_closures_overrides_leave_and_open_deals_are_skipped(
        self, store: Store, plant: Plant
    ) -> None:
        good_people(store)
        store.save_closures(
            EditBatch(added=(Closure("easter", d("2026-04-03"), d("2026-04-06")),)), "ann"
        )
        plant(
            store, "closures", "bad-c", {"id": "bad-c", "start": "2026-05-02", "end": "2026-05-01"}
        )
        plant(
            store,
            "overrides",
            "bad-o",
            {"id": "bad-o", "adviser_id": "dana", "start": "2026-05-01", "monthly_limit": -1},
        )
        plant(
            store,
            "leave",
            "bad-l",
            {"id": "bad-l", "adviser_id": "dana", "start": "2026-05-01", "end": "not a date"},
        )
        plant(store, "pending", "bad-p", {"deal_id": "bad-p"})

        assert [v.value.id for v in store.list_closures()] == ["easter"]
        assert store.list_overrides() == []
        assert store.list_leave() == []
        assert store.list_open_deals() == []
        kinds = sorted((r.kind, r.record_id) for r in store.unreadable())
        assert kinds == [
            ("closure", "bad-c"),
            ("leave", "bad-l"),
            ("open deal", "bad-p"),
            ("override", "bad-o"),
        ]

    def test_a_row_fixed_since_is_no_longer_reported(self, store: Store, plant: Plant) -> None:
        good_people(store)
        plant(store, "advisers", "zed", {"id": "zed", "email": "zed@firm.au"})
        store.list_advisers()
        assert [r.record_id for r in store.unreadable()] == ["zed"]

        store.replace_advisers([adviser("dana", "Dana"), adviser("zed", "Zed")])

        assert sorted(a.id for a in store.list_advisers()) == ["dana", "zed"]
        assert store.unreadable() == []

    def test_the_snapshot_leaves_out_bad_advisers_and_keeps_everyone_else(
        self, store: Store, plant: Plant
    ) -> None:
        typo = adviser("hana", "Hana", start_date=d("2026-02-02"), end_date=d("2025-02-02"))
        store.replace_advisers([adviser("dana", "Dana"), adviser("eli", "Eli"), typo])
        # The same adviser again under an id with a stray space, as a spreadsheet import does.
        plant(store, "advisers", " eli", {"id": " eli", "name": "Eli copy", "email": "e@x.au"})
        plant(store, "advisers", "zed", {"id": "zed", "email": "zed@x.au"})  # unreadable

        prepared = load_prepared(store, d("2026-03-11"))

        assert sorted(a.name for a in prepared.snapshot.advisers) == ["Dana", "Eli"]
        assert sorted((r.kind, r.record_id) for r in prepared.excluded) == [
            ("adviser", "eli"), ("adviser", "hana"), ("adviser", "zed")
        ]  # fmt: skip
