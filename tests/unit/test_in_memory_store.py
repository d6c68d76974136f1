"""The in-memory fake keeps the store contract, so unit tests of the use cases can trust it."""

from __future__ import annotations

import pytest

from tests.contract.store_contract import StoreContract
from tests.fakes import InMemoryStore


class TestInMemoryStore(StoreContract):
    @pytest.fixture
    def store(self) -> InMemoryStore:
        return InMemoryStore()
