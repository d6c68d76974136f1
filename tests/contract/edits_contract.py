"""Console edits: versioned, all-or-nothing, audited; a stale edit is refused by name."""

from __future__ import annotations

import pytest

from allocation import Closure, Override, Rules
from services.errors import Conflict
from services.ports import Store
from services.records import ConsoleSettings, EditBatch
from tests.builders import d


def holiday(cid: str, start: str = "2026-04-03", end: str = "2026-04-06", **kw: object) -> Closure:
    return Closure(cid, d(start), d(end), "Easter", **kw)  # type: ignore[arg-type]


def limit(oid: str, value: float = 3, end: str | None = None) -> Override:
    return Override(oid, "dana", d("2026-03-02"), value, d(end) if end else None)


def versions(store: Store) -> dict[str, str]:
    closures = {v.value.id: v.version for v in store.list_closures()}
    return closures | {v.value.id: v.version for v in store.list_overrides()}


class EditContract:
    def test_closures_come_back_with_a_version(self, store: Store) -> None:
        easter = holiday("c1", adviser_ids=frozenset({"dana"}), regions=frozenset({"NSW"}))
        store.save_closures(EditBatch(added=(easter, holiday("c2"))), actor="ann@firm.au")
        listed = {v.value.id: v for v in store.list_closures()}
        assert listed["c1"].value == easter
        assert listed["c1"].version
        assert listed["c2"].version

    def test_a_closure_can_be_changed_and_deleted_with_the_version_read(self, store: Store) -> None:
        store.save_closures(EditBatch(added=(holiday("c1"), holiday("c2"))), actor="ann")
        seen = versions(store)
        longer = holiday("c1", end="2026-04-10")
        store.save_closures(
            EditBatch(updated=((longer, seen["c1"]),), deleted=(("c2", seen["c2"]),)), actor="ann"
        )
        [kept] = store.list_closures()
        assert kept.value == longer
        assert kept.version != seen["c1"]

    def test_the_second_of_two_editors_is_refused_by_name_and_nothing_of_theirs_lands(
        self, store: Store
    ) -> None:
        store.save_closures(EditBatch(added=(holiday("c12"),)), actor="ann")
        read_by_both = versions(store)["c12"]
        store.save_closures(
            EditBatch(updated=((holiday("c12", end="2026-04-07"), read_by_both),)), actor="ann"
        )
        late = EditBatch(
            added=(holiday("c13"),),
            updated=((holiday("c12", end="2026-04-20"), read_by_both),),
        )
        with pytest.raises(Conflict, match="closure c12 was changed by someone else"):
            store.save_closures(late, actor="bob")
        assert [v.value for v in store.list_closures()] == [holiday("c12", end="2026-04-07")]
        assert [e.actor for e in store.list_audit("closures")] == ["ann", "ann"]

    def test_a_batch_with_one_bad_row_writes_nothing(self, store: Store) -> None:
        store.save_closures(EditBatch(added=(holiday("c1"),)), actor="ann")
        before = store.data_version()
        batch = EditBatch(
            added=(holiday("c2"), holiday("c3")),
            deleted=(("c1", versions(store)["c1"]), ("c-gone", "1")),
        )
        with pytest.raises(Conflict, match="c-gone"):
            store.save_closures(batch, actor="bob")
        assert [v.value.id for v in store.list_closures()] == ["c1"]
        assert store.data_version() == before
        assert len(store.list_audit("closures")) == 1

    def test_adding_a_closure_whose_id_exists_is_refused(self, store: Store) -> None:
        store.save_closures(EditBatch(added=(holiday("c1"),)), actor="ann")
        with pytest.raises(Conflict, match="closure c1"):
            store.save_closures(EditBatch(added=(holiday("c1", end="2026-05-01"),)), actor="bob")
        assert [v.value for v in store.list_closures()] == [holiday("c1")]

    def test_every_closure_change_is_audited_with_before_and_after(self, store: Store) -> None:
        store.save_closures(EditBatch(added=(holiday("c1"), holiday("c2"))), actor="ann")
        seen = versions(store)
        store.save_closures(
            EditBatch(
                updated=((holiday("c1", end="2026-04-09"), seen["c1"]),),
                deleted=(("c2", seen["c2"]),),
            ),
            actor="bob",
        )
        entries = store.list_audit("closures")
        assert sorted((e.action, e.entity_id, e.actor) for e in entries) == [
            ("closure.create", "c1", "ann"),
            ("closure.create", "c2", "ann"),
            ("closure.delete", "c2", "bob"),
            ("closure.update", "c1", "bob"),
        ]
        update = next(e for e in entries if e.action == "closure.update")
        assert update.before is not None
        assert update.before["end"] == "2026-04-06"
        assert update.after is not None
        assert update.after["end"] == "2026-04-09"
        delete = next(e for e in entries if e.action == "closure.delete")
        assert delete.after is None
        assert delete.before is not None

    def test_overrides_keep_the_same_promises(self, store: Store) -> None:
        store.save_overrides(EditBatch(added=(limit("o1"), limit("o2", 0, "2026-06-30"))), "ann")
        assert {v.value.id: v.value for v in store.list_overrides()} == {
            "o1": limit("o1"),
            "o2": limit("o2", 0, "2026-06-30"),
        }
        seen = versions(store)
        store.save_overrides(EditBatch(updated=((limit("o1", 5), seen["o1"]),)), "ann")
        with pytest.raises(Conflict, match="override o1 was changed by someone else"):
            store.save_overrides(EditBatch(deleted=(("o1", seen["o1"]),)), "bob")
        assert {v.value.id for v in store.list_overrides()} == {"o1", "o2"}
        assert [e.action for e in store.list_audit("overrides")].count("override.update") == 1

    def test_override_notes_are_kept_by_override(self, store: Store) -> None:
        store.set_override_note("o1", "parental leave ramp-up")
        store.set_override_note("o1", "ramp-up after parental leave")
        store.set_override_note("o2", "")
        assert store.override_notes() == {"o1": "ramp-up after parental leave", "o2": ""}

    def test_settings_start_as_defaults_and_save_with_the_version_read(self, store: Store) -> None:
        first = store.get_settings()
        assert first.value == ConsoleSettings()
        wanted = ConsoleSettings(
            rules=Rules(buffer_weeks=3, pod_monthly_limits={"Solo Adviser": 3.5}),
            editors=("ann@firm.au",),
            allowed_domains=("firm.au",),
            writeback_property="hubspot_owner_id",
        )
        store.save_settings(wanted, first.version, actor="ann@firm.au")
        saved = store.get_settings()
        assert saved.value == wanted
        assert saved.version != first.version
        [entry] = store.list_audit("settings")
        assert (entry.action, entry.actor) == ("settings.update", "ann@firm.au")
        assert entry.after is not None
        assert entry.after["rules"]["buffer_weeks"] == 3

    def test_a_stale_settings_edit_is_refused(self, store: Store) -> None:
        read_by_both = store.get_settings().version
        store.save_settings(ConsoleSettings(stale_after_hours=12), read_by_both, actor="ann")
        with pytest.raises(Conflict, match="settings were changed by someone else"):
            store.save_settings(ConsoleSettings(stale_after_hours=48), read_by_both, actor="bob")
        assert store.get_settings().value.stale_after_hours == 12
