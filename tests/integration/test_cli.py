"""The command line (`python -m cli`): real runs on an embedded store, and its exit codes.

Subprocess runs start in an empty folder with HOME pointing there too, so no developer's
`.streamlit/secrets.toml` or account settings leak in. The Firestore "cannot be reached" case
is injected (a store that raises what the Firestore store raises): pointed at a closed port,
the Firestore client retries for minutes before giving up.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from cli import BUSY, FAILED, MISCONFIGURED, OK, STORE_DOWN, main
from integrations.sqlite import SqliteStore
from services import Services
from services.errors import ConfigurationError, UpstreamUnavailable
from settings import KEYS, Settings
from tests.builders import adviser
from tests.fake_ports import FakeCrm, RecordingNotifier
from tests.fakes import InMemoryStore

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 3, 10, 23, 0, tzinfo=dt.UTC)
HUBSPOT_SOURCES = ["hubspot_advisers", "hubspot_meetings", "hubspot_deals"]


def cli(tmp_path: Path, *args: str, stdin: str | None = None, **settings: str):
    """``python -m cli ARGS`` with only ``settings`` configured (no accounts, no secrets)."""
    env = {k: v for k, v in os.environ.items() if k not in {key.name for key in KEYS}}
    env.pop("FIRESTORE_EMULATOR_HOST", None)
    env |= {"HOME": str(tmp_path), "PYTHONPATH": str(ROOT), **settings}
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=tmp_path,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def said(done: subprocess.CompletedProcess[str]) -> list[str]:
    """What the command said to people on stderr (its JSON log entries left out)."""
    return [line for line in done.stderr.splitlines() if not line.startswith("{")]


def store_at(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'console.db'}"


def services_with(crm: FakeCrm, store: InMemoryStore | None = None) -> Services:
    store = store or InMemoryStore(clock=lambda: NOW)
    store.replace_advisers([adviser("dana")])
    return Services(
        store, notifier=RecordingNotifier(), crm=crm, clock=lambda: NOW, settings=Settings.of()
    )


def run_in_process(argv: list[str], services: Services, url: str = "sqlite:///x.db") -> int:
    return main(argv, settings=Settings.of(CONSOLE_STORE=url), build=lambda _: services)


# --- sync, as a scheduler runs it ------------------------------------------------------------


def test_sync_all_on_the_demo_store_runs_every_source_and_exits_zero(tmp_path):
    done = cli(tmp_path, "sync", "all", "--actor", "cron", CONSOLE_STORE=store_at(tmp_path))

    assert done.returncode == OK, done.stderr
    lines = [line for line in done.stdout.splitlines() if not line.startswith(" ")]
    assert [line.split(":")[0] for line in lines] == [*HUBSPOT_SOURCES, "leave", "holidays",
                                                      "writebacks", "box_folders"]  # fmt: skip
    assert all(": ok " in line for line in lines)


def test_sync_all_skips_sources_that_are_not_configured_and_exits_zero(tmp_path):
    url = store_at(tmp_path)

    done = cli(tmp_path, "sync", "all", CONSOLE_STORE=url, CONSOLE_DEMO="0")

    assert done.returncode == OK, done.stderr
    out = done.stdout.splitlines()
    assert out[:4] == [
        *(f"{s}: skipped: HubSpot is not configured (HUBSPOT_TOKEN)" for s in HUBSPOT_SOURCES),
        "leave: skipped: Employment Hero is not configured (EH_CLIENT_ID, EH_CLIENT_SECRET)",
    ]
    assert out[4].startswith("holidays: ok (+")
    assert out[5] == "writebacks: skipped: HubSpot is not configured (HUBSPOT_TOKEN)"
    assert out[6] == (
        "box_folders: skipped: Box is not configured (BOX_CLIENT_ID, BOX_CLIENT_SECRET, "
        "BOX_ENTERPRISE_ID)"
    )
    assert "Traceback" not in done.stderr
    history = {r.source: r for r in SqliteStore(url.removeprefix("sqlite:///")).list_sync_runs()}
    assert {s: r.status for s, r in history.items()} == {
        **dict.fromkeys(HUBSPOT_SOURCES, "skipped"),
        "leave": "skipped",
        "writebacks": "skipped",
        "box_folders": "skipped",
        "holidays": "ok",
    }
    assert history["leave"].actor == "scheduler"
    assert history["leave"].errors == (
        "Employment Hero is not configured (EH_CLIENT_ID, EH_CLIENT_SECRET)",
    )


def test_syncing_only_a_source_that_is_not_configured_exits_zero_and_says_nothing_synced(
    tmp_path,
):
    done = cli(tmp_path, "sync", "leave", CONSOLE_STORE=store_at(tmp_path), CONSOLE_DEMO="0")

    assert done.returncode == OK
    assert done.stdout.startswith("leave: skipped: Employment Hero is not configured")
    assert said(done) == ["cli: nothing was synced: every source of 'leave' is not configured"]


@pytest.mark.parametrize("blocker", ["a file where the folder should be", "a folder"])
def test_a_store_that_cannot_be_opened_exits_4_with_one_line_naming_it(tmp_path, blocker):
    if blocker == "a folder":
        (tmp_path / "console.db").mkdir()
        url = store_at(tmp_path)
    else:
        (tmp_path / "data").write_text("not a folder")
        url = f"sqlite:///{tmp_path / 'data' / 'console.db'}"

    done = cli(tmp_path, "sync", "all", CONSOLE_STORE=url)

    assert done.returncode == STORE_DOWN
    assert done.stdout == ""
    [line] = said(done)
    assert line.startswith(f"cli: the store {url} cannot be reached: ")


def test_a_firestore_store_that_cannot_be_reached_mid_run_exits_4_naming_it(capsys):
    class UnreachableStore(InMemoryStore):
        def start_sync(self, source, actor, now):
            raise UpstreamUnavailable(
                "Firestore (x) starting the sync: 503 failed to connect\nretry details…"
            )

    services = services_with(FakeCrm(), UnreachableStore(clock=lambda: NOW))

    code = run_in_process(["sync", "hubspot"], services, url="firestore://x")

    assert code == STORE_DOWN
    assert capsys.readouterr().err == (
        "cli: the store firestore://x cannot be reached: "
        "Firestore (x) starting the sync: 503 failed to connect\n"
    )


def test_an_unreachable_firestore_is_said_in_one_line_within_its_budget(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on once the socket is closed
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    # The subprocess's own timeout (120 s) fails the test if the client's 5-minute default
    # retry deadline were back; the store's budget answers in about 15 s.
    done = cli(tmp_path, "sync", "all", CONSOLE_STORE="firestore://firm-prod",
               FIRESTORE_EMULATOR_HOST=f"127.0.0.1:{closed}")  # fmt: skip

    assert done.returncode == STORE_DOWN
    assert done.stdout == ""
    [line] = said(done)
    assert line.startswith("cli: the store firestore://firm-prod cannot be reached: ")
    assert "Firestore (firm-prod) cannot be reached" in line
    assert "Traceback" not in done.stderr


def test_a_malformed_store_setting_exits_2_naming_it(tmp_path):
    done = cli(tmp_path, "sync", "all", CONSOLE_STORE="postgres://db")

    assert done.returncode == MISCONFIGURED
    assert "CONSOLE_STORE must be sqlite:///<path> or firestore://<project-id>" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_configuration_while_wiring_exits_2_with_the_setting_named(capsys):
    def build(_: Settings) -> Services:
        raise ConfigurationError("HUBSPOT_API_BASE must be an http(s) URL (got 'ftp://x')")

    code = main(["sync", "all"], settings=Settings.of(), build=build)

    assert code == MISCONFIGURED
    assert "HUBSPOT_API_BASE must be an http(s) URL" in capsys.readouterr().err


class DownCrm(FakeCrm):
    def fetch_advisers(self):
        raise UpstreamUnavailable("HubSpot is unavailable (last status HTTP 503)")


def test_a_failed_source_makes_the_exit_code_non_zero(capsys):
    services = services_with(DownCrm())

    code = run_in_process(["sync", "hubspot"], services)

    assert code == FAILED
    out = capsys.readouterr().out
    assert "hubspot_advisers: failed" in out
    assert "HTTP 503" in out
    assert services.store.list_advisers()[0].id == "dana"


def test_a_sync_already_running_exits_busy(capsys):
    services = services_with(FakeCrm(advisers=[adviser("eli")]))
    services.store.start_sync("hubspot_advisers", "someone", NOW)

    assert run_in_process(["sync", "hubspot"], services) == BUSY
    assert "started by someone" in capsys.readouterr().err
    assert services.store.list_advisers()[0].id == "dana"


def test_an_unknown_group_is_refused_by_the_parser():
    with pytest.raises(SystemExit) as refused:
        main(["sync", "everything"], settings=Settings.of())
    assert refused.value.code == 2


# --- demo reset ------------------------------------------------------------------------------


def test_demo_reset_reloads_the_demo_firm_into_the_store(tmp_path):
    url = store_at(tmp_path)
    store = SqliteStore(url.removeprefix("sqlite:///"))
    store.replace_advisers([adviser("only-me")])
    store.close()

    done = cli(tmp_path, "demo", "reset", "--yes", CONSOLE_STORE=url)

    assert done.returncode == OK, done.stderr
    assert done.stdout.startswith(f"demo data loaded into {url}: ")
    advisers = SqliteStore(url.removeprefix("sqlite:///")).list_advisers()
    assert len(advisers) > 20
    assert "only-me" not in {a.id for a in advisers}


def test_demo_reset_asks_first_and_a_no_leaves_the_store_alone(tmp_path):
    url = store_at(tmp_path)
    store = SqliteStore(url.removeprefix("sqlite:///"))
    store.replace_advisers([adviser("only-me")])
    store.close()

    done = cli(tmp_path, "demo", "reset", "--store", url, stdin="n\n")

    assert done.returncode == FAILED
    assert f"Wipe every record in {url}" in done.stdout
    assert done.stdout.rstrip().endswith("cancelled")
    assert [a.id for a in SqliteStore(url.removeprefix("sqlite:///")).list_advisers()] == [
        "only-me"
    ]
