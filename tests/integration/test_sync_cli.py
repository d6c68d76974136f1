"""The sync command line: a real run on the demo store, and its exit codes."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from integrations.errors import ConfigurationError, UpstreamUnavailable
from integrations.sync import BUSY, FAILED, MISCONFIGURED, OK, main
from services import Services
from settings import Settings
from tests.builders import adviser
from tests.fake_ports import FakeCrm, RecordingNotifier
from tests.fakes import InMemoryStore

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 3, 10, 23, 0, tzinfo=dt.UTC)


class DownCrm(FakeCrm):
    def fetch_advisers(self):
        raise UpstreamUnavailable("HubSpot is unavailable (last status HTTP 503)")


def services_with(crm: FakeCrm) -> Services:
    store = InMemoryStore(clock=lambda: NOW)
    store.replace_advisers([adviser("dana")])
    return Services(
        store, notifier=RecordingNotifier(), crm=crm, clock=lambda: NOW, settings=Settings.of()
    )


def test_sync_all_on_the_demo_store_runs_every_source_and_exits_zero(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUBSPOT_", "EH_"))}
    env |= {"CONSOLE_STORE": f"sqlite:///{tmp_path / 'console.db'}", "CONSOLE_DEMO": "1"}

    done = subprocess.run(
        [sys.executable, "-m", "integrations.sync", "all", "--actor", "cron"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == OK, done.stderr
    lines = [line for line in done.stdout.splitlines() if not line.startswith(" ")]
    assert [line.split(":")[0] for line in lines] == [
        "hubspot_advisers",
        "hubspot_meetings",
        "hubspot_deals",
        "leave",
        "holidays",
    ]
    assert all(": ok " in line for line in lines)


def test_a_failed_source_makes_the_exit_code_non_zero(capsys):
    services = services_with(DownCrm())

    code = main(["hubspot"], load=lambda: services)

    assert code == FAILED
    out = capsys.readouterr().out
    assert "hubspot_advisers: failed" in out
    assert "HTTP 503" in out
    assert services.store.list_advisers()[0].id == "dana"


def test_a_sync_already_running_exits_busy(capsys):
    services = services_with(FakeCrm(advisers=[adviser("eli")]))
    services.store.start_sync("hubspot_advisers", "someone", NOW)

    assert main(["hubspot"], load=lambda: services) == BUSY
    assert "started by someone" in capsys.readouterr().err
    assert services.store.list_advisers()[0].id == "dana"


def test_missing_configuration_exits_with_the_setting_named(capsys):
    def load():
        raise ConfigurationError("HUBSPOT_TOKEN is not set")

    assert main(["all"], load=load) == MISCONFIGURED
    assert "HUBSPOT_TOKEN is not set" in capsys.readouterr().err


def test_an_unknown_group_is_refused_by_the_parser():
    with pytest.raises(SystemExit):
        main(["everything"], load=lambda: None)
