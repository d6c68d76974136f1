"""The embedded SQLite store keeps the store contract, on a real file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from integrations.sqlite_store import SqliteStore
from tests.contract.store_contract import StoreContract


class TestSqliteStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SqliteStore]:
        store = SqliteStore(tmp_path / "data" / "console.db")
        yield store
        store.close()
