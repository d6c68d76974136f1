"""The console's one handle on the use cases, and the page-level data cache.

In the running app ``services()`` is built once per process with ``st.cache_resource`` from
``Settings.load()`` through ``bootstrap.build_services`` (the only place adapters are chosen).

Test hook (AppTest): put a ``Services`` built on ``tests.fakes.InMemoryStore`` in session
state before the first run, and every page uses it instead::

    at = AppTest.from_file("pages/availability.py")
    at.session_state[console.state.SERVICES] = Services(InMemoryStore(), clock=fixed_clock)
    at.run()

``state.SETTINGS`` does the same for ``settings.Settings`` (e.g. to pretend ``[auth]`` is set).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from console import state

if TYPE_CHECKING:
    from services import Services
    from settings import Settings

# Availability data is cached per store and data version, and for a few minutes at most so a
# sync that ran in another process (which bumps the version we only read on a rerun) shows up.
DATA_TTL_SECONDS = 300


def settings() -> Settings:
    given = st.session_state.get(state.SETTINGS)
    if given is not None:
        return given  # type: ignore[no-any-return]
    from settings import Settings

    return Settings.load()


@st.cache_resource(show_spinner=False)
def configure_logging() -> None:
    """Structured JSON logs for this process, once (secret values known, so never printed)."""
    import structured_logging

    structured_logging.configure(settings().secret_values())


@st.cache_resource(show_spinner="Opening the store…")
def _built_services() -> Services:
    # Imported here so importing a page never touches an adapter or the network.
    from bootstrap import build_services

    return build_services(settings())


def services() -> Services:
    """The use cases: the injected test instance, else the one built from settings."""
    given = st.session_state.get(state.SERVICES)
    if given is not None:
        return given  # type: ignore[no-any-return]
    return _built_services()


def _token(svc: Services) -> str:
    # Several Services can live in one process (tests); the id keeps their caches apart, and
    # the data version makes any write (ours or a sync's) a new cache entry.
    return f"{id(svc)}:{svc.browsing.data_version()}"


@st.cache_data(ttl=DATA_TTL_SECONDS, show_spinner="Building the availability grid…")
def _heatmap_frame(
    token: str,
    package: str | None,
    household: str | None,
    pods: tuple[str, ...],
    regions: tuple[str, ...],
    taking_only: bool,
) -> pd.DataFrame:
    return services().browsing.heatmap_frame(package, household, pods, regions, taking_only)


def heatmap_frame(
    package: str | None = None,
    household: str | None = None,
    pods: Sequence[str] = (),
    regions: Sequence[str] = (),
    taking_only: bool = False,
) -> pd.DataFrame:
    """``Services.heatmap_frame`` through the page cache (TTL, cleared by ``data_changed``)."""
    token = _token(services())
    return _heatmap_frame(token, package, household, tuple(pods), tuple(regions), taking_only)


def data_changed() -> None:
    """Call after any edit (closures, overrides, settings, sync, re-assign) so every page's
    cached data is rebuilt on its next run."""
    _heatmap_frame.clear()
