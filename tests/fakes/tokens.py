"""In-memory tokens: bookkeeping, so the data version stays."""

from __future__ import annotations

import copy
from typing import Any

from tests.fakes.state import InMemoryState


class InMemoryTokens:
    """``services.ports.Tokens`` in memory."""

    def __init__(self, state: InMemoryState) -> None:
        self._state = state

    def load_token(self, name: str) -> dict[str, Any] | None:
        with self._state.lock:
            self._state.read()
            token = self._state.tokens.get(name)
            return None if token is None else copy.deepcopy(token)

    def save_token(self, name: str, token: dict[str, Any]) -> None:
        with self._state.lock:
            self._state.tokens[name] = copy.deepcopy(token)

    def take_token(self, name: str) -> dict[str, Any] | None:
        with self._state.lock:
            self._state.read()
            return self._state.tokens.pop(name, None)
