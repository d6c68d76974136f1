"""The in-memory fake keeps the store contract, so unit tests of the use cases can trust it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.contract.store_contract import StoreContract
from tests.fakes import InMemoryStore


class TestInMemoryStore(StoreContract):
    @pytest.fixture
    def store(self) -> InMemoryStore:
        return InMemoryStore()

    @pytest.fixture
    def plant(self) -> Callable[[InMemoryStore, str, str, dict[str, Any]], None]:
        def write(store: InMemoryStore, collection: str, rid: str, row: dict[str, Any]) -> None:
            state = store.state
            if collection in ("leave", "pending"):
                getattr(state, collection)[rid] = ("synced", row)
            elif collection in ("closures", "overrides"):
                getattr(state, collection)[rid] = (row, state.next_version())
            else:
                state.advisers[rid] = row

        return write
