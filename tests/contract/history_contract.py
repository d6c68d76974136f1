"""Audit log, sync runs and tokens: the store's bookkeeping."""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from services.errors import SyncInProgress
from services.ports import Store
from services.records import AuditEntry
from tests.contract.support import at

TAKERS = 8  # callbacks carrying the same OAuth state, as in the probe run
RACES = 10


class HistoryContract:
    def test_audit_entries_come_back_newest_first_by_entity(self, store: Store) -> None:
        for minutes, entity in [(0, "closures"), (5, "sync"), (10, "closures")]:
            store.append_audit(
                AuditEntry(
                    at=at(minutes),
                    actor="ann",
                    action=f"{entity}.test",
                    entity=entity,
                    entity_id=f"e{minutes}",
                    before={"n": minutes, "nested": {"list": [1, "two", None]}},
                    after=None,
                )
            )
        closures = store.list_audit("closures")
        assert [e.entity_id for e in closures] == ["e10", "e0"]
        assert closures[0].before == {"n": 10, "nested": {"list": [1, "two", None]}}
        assert closures[0].at == at(10)
        assert closures[0].id
        assert [e.entity_id for e in store.list_audit(limit=2)] == ["e10", "e5"]

    def test_a_sync_cannot_start_while_the_same_sync_runs(self, store: Store) -> None:
        run = store.start_sync("leave", actor="system", now=at(0))
        assert run.status == "running"
        assert run.id
        with pytest.raises(SyncInProgress):
            store.start_sync("leave", actor="ann", now=at(10))
        other = store.start_sync("hubspot_meetings", actor="system", now=at(10))
        assert other.id != run.id

    def test_a_finished_sync_is_kept_and_frees_the_next_run(self, store: Store) -> None:
        run = store.start_sync("leave", actor="system", now=at(0))
        done = dataclasses.replace(
            run, status="failed", finished_at=at(3), added=2, updated=1, errors=("429 from EH",)
        )
        store.finish_sync(done)
        second = store.start_sync("leave", actor="ann", now=at(20))
        assert store.list_sync_runs("leave") == [second, done]
        assert store.list_sync_runs("hubspot_deals") == []
        assert store.list_sync_runs(limit=1) == [second]

    def test_a_skipped_sync_comes_back_skipped_with_its_reason(self, store: Store) -> None:
        run = store.start_sync("leave", actor="scheduler", now=at(0))
        skipped = dataclasses.replace(
            run, status="skipped", finished_at=at(0), errors=("Employment Hero is not configured",)
        )
        store.finish_sync(skipped)
        assert store.list_sync_runs("leave") == [skipped]
        assert store.list_sync_runs()[0].status == "skipped"
        # a skipped run is finished: it does not hold the source as running
        assert store.start_sync("leave", actor="scheduler", now=at(1)).status == "running"

    def test_a_sync_left_running_for_over_an_hour_is_abandoned(self, store: Store) -> None:
        store.start_sync("leave", actor="system", now=at(0))
        with pytest.raises(SyncInProgress):
            store.start_sync("leave", actor="system", now=at(59))
        fresh = store.start_sync("leave", actor="system", now=at(61))
        assert store.list_sync_runs("leave")[0] == fresh

    def test_tokens_are_kept_by_name_and_replaced_whole(self, store: Store) -> None:
        assert store.load_token("employment_hero") is None
        token = {"access_token": "a1", "expires_at": 1_800_000_000, "scope": ["leave"]}
        store.save_token("employment_hero", token)
        token["access_token"] = "changed by the caller after saving"
        assert store.load_token("employment_hero") == {
            "access_token": "a1",
            "expires_at": 1_800_000_000,
            "scope": ["leave"],
        }
        store.save_token("employment_hero", {"access_token": "a2"})
        assert store.load_token("employment_hero") == {"access_token": "a2"}

    def test_a_taken_token_is_handed_over_once_and_is_gone(self, store: Store) -> None:
        store.save_token("pkce.abc", {"verifier": "v1", "actor": "ann"})
        store.save_token("pkce.other", {"verifier": "v2"})

        assert store.take_token("pkce.abc") == {"verifier": "v1", "actor": "ann"}
        assert store.take_token("pkce.abc") is None
        assert store.load_token("pkce.abc") is None
        assert store.take_token("never-saved") is None
        assert store.load_token("pkce.other") == {"verifier": "v2"}

    def test_of_eight_callers_taking_one_token_at_once_exactly_one_gets_it(
        self, store: Store
    ) -> None:
        def take(start: threading.Barrier) -> dict[str, Any] | None:
            start.wait()
            return store.take_token("pkce.raced")

        winners = []
        with ThreadPoolExecutor(max_workers=TAKERS) as pool:
            # Several rounds on the same threads: once each thread has its connection, the
            # takers really do arrive together, and a read-then-delete store lets two win.
            for round_ in range(RACES):
                store.save_token("pkce.raced", {"verifier": f"only-once-{round_}"})
                start = threading.Barrier(TAKERS)
                taken = pool.map(take, [start] * TAKERS)
                winners.append([t for t in taken if t is not None])

        assert winners == [[{"verifier": f"only-once-{n}"}] for n in range(RACES)]
        assert store.load_token("pkce.raced") is None
