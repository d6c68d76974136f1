"""Fixtures for the integration tier: the Firestore emulator, started once per session."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.firestore_emulator import Emulator, start

EMULATOR_HOST_VARIABLE = "FIRESTORE_EMULATOR_HOST"


def _unavailable(reason: str) -> None:
    """Skip on a laptop without gcloud; fail in CI, where the emulator is required."""
    message = f"Firestore emulator not available: {reason}"
    if os.environ.get("CONSOLE_REQUIRE_EMULATOR") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def firestore_emulator() -> Iterator[Emulator]:
    """An emulator the client library reaches through ``FIRESTORE_EMULATOR_HOST``: the one
    already configured, or one started here on a free port and stopped at the end."""
    configured = os.environ.get(EMULATOR_HOST_VARIABLE)
    if configured:
        yield Emulator(host=configured)
        return
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        _unavailable("gcloud not found")
        return
    emulator = start(gcloud)
    os.environ[EMULATOR_HOST_VARIABLE] = emulator.host
    try:
        yield emulator
    finally:
        os.environ.pop(EMULATOR_HOST_VARIABLE, None)
        emulator.stop()


@pytest.fixture
def firestore_project(firestore_emulator: Emulator) -> Iterator[str]:
    """A project id of the test's own, emptied afterwards so the emulator stays small."""
    project = f"test-{uuid.uuid4().hex[:12]}"
    yield project
    firestore_emulator.reset(project)


@pytest.fixture(params=["sqlite", pytest.param("firestore", marks=pytest.mark.emulator)])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The settings of a store of the test's own, once on each production backend: embedded
    SQLite, and a project on the Firestore emulator (emptied afterwards)."""
    if request.param == "sqlite":
        yield {"CONSOLE_STORE": f"sqlite:///{tmp_path / 'firm.db'}"}
        return
    emulator: Emulator = request.getfixturevalue("firestore_emulator")
    project = f"it-{uuid.uuid4().hex[:10]}"
    yield {"CONSOLE_STORE": f"firestore://{project}", EMULATOR_HOST_VARIABLE: emulator.host}
    emulator.reset(project)
