"""What the firm sets per adviser: versioned, all-or-nothing, audited, never touched by a sync."""

from __future__ import annotations

import pytest

from services.errors import Conflict
from services.ports import Store
from services.records import AdviserEdit, EditBatch
from tests.builders import adviser, d


def nsw(adviser_id: str = "dana", **kw: object) -> AdviserEdit:
    return AdviserEdit(adviser_id, region="NSW", **kw)  # type: ignore[arg-type]


class AdviserEditsContract:
    def test_an_edit_comes_back_whole_with_a_version(self, store: Store) -> None:
        edit = nsw(pod_type="Solo Adviser", monthly_limit=3.5, end_date=d("2026-09-30"),
                   eh_email="dana.k@firm.au", notes="leaving in September")  # fmt: skip
        store.save_adviser_edits(EditBatch(added=(edit,)), "ann")

        [listed] = store.list_adviser_edits()
        assert listed.value == edit
        assert listed.version

    def test_a_stale_edit_is_refused_by_name_and_nothing_lands(self, store: Store) -> None:
        store.save_adviser_edits(EditBatch(added=(nsw(),)), "ann")
        [read_by_both] = store.list_adviser_edits()
        store.save_adviser_edits(
            EditBatch(updated=((nsw(notes="ann"), read_by_both.version),)), "ann"
        )

        late = EditBatch(added=(nsw("eli"),), updated=((nsw(notes="bob"), read_by_both.version),))
        with pytest.raises(Conflict, match="adviser dana was changed by someone else"):
            store.save_adviser_edits(late, "bob")
        assert [v.value.notes for v in store.list_adviser_edits()] == ["ann"]

    def test_an_edit_moves_the_data_version_and_is_audited(self, store: Store) -> None:
        before = store.data_version()
        store.save_adviser_edits(EditBatch(added=(nsw(),)), "ann@firm.au")

        assert store.data_version() != before
        [entry] = store.list_audit("adviser_edits")
        assert (entry.actor, entry.action, entry.entity_id) == (
            "ann@firm.au",
            "adviser.create",
            "dana",
        )
        assert entry.after is not None
        assert entry.after["region"] == "NSW"

    def test_a_sync_replacing_the_advisers_leaves_the_edits_alone(self, store: Store) -> None:
        store.replace_advisers([adviser("dana")])
        store.save_adviser_edits(EditBatch(added=(nsw(),)), "ann")

        store.replace_advisers([adviser("dana", "Dana K"), adviser("eli")])

        assert [v.value for v in store.list_adviser_edits()] == [nsw()]
