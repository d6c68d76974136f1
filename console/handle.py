"""Where pages find the use cases and the settings app.py built for them.

app.py is the console's composition root: it builds ``Services`` once per process
(``st.cache_resource``, through ``bootstrap``) and loads ``settings.Settings``, then puts both
in session state before any page runs. The console never builds an adapter or reads the
environment itself, so it imports neither ``bootstrap`` nor ``settings``.

Test hook (AppTest of one page script): put a ``Services`` built on ``tests.fakes``'s store and
a ``Settings`` in session state before the first run::

    at = AppTest.from_file("pages/availability.py")
    at.session_state[console.state.SERVICES] = Services(InMemoryStore(), clock=fixed_clock)
    at.session_state[console.state.SETTINGS] = Settings.of()
    at.run()

Nothing here caches the firm's data: ``Services`` does (``services/context.py`` states how).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Protocol

import streamlit as st

from console import state

if TYPE_CHECKING:
    from services import Services


class ConsoleConfig(Protocol):
    """What the console reads of the process's settings (``settings.Settings`` has it all)."""

    @property
    def auth_configured(self) -> bool: ...
    @property
    def require_auth(self) -> bool: ...
    @property
    def local_network(self) -> bool: ...
    @property
    def console_admins(self) -> Collection[str]: ...
    def get(self, name: str) -> str | None: ...


class NotWired(RuntimeError):
    """A page ran before app.py put the services and settings in session state."""


def settings() -> ConsoleConfig:
    given = st.session_state.get(state.SETTINGS)
    if given is None:
        raise NotWired("app.py puts the settings in session state before any page runs")
    return given  # type: ignore[no-any-return]


def services() -> Services:
    given = st.session_state.get(state.SERVICES)
    if given is None:
        raise NotWired("app.py puts the services in session state before any page runs")
    return given  # type: ignore[no-any-return]
