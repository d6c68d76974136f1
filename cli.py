"""The console's command line, for schedulers and people:

    python -m cli sync all|hubspot|leave|holidays [--actor NAME]
    python -m cli demo reset [--store URL] [--yes]
    python -m cli outlook [--alerts] [--digest]

``outlook`` (daily) keeps today's capacity outlook per segment for the trend, then posts the
capacity alerts not sent yet today when the Settings page turns them on (never on demo data
unless ``--alerts`` asks), with the digest on Mondays (or when ``--digest`` asks).

``sync`` prints one line per source as it finishes. Exit codes:

    0  done; a source with no account configured is *skipped* (said, and recorded as skipped)
    1  a sync failed (its run is recorded with the error and Chat is told); reset cancelled
    2  a configuration problem (the setting is named) or a wrong command
    3  the same sync is already running
    4  the store cannot be reached (one line naming it)

Like ``app.py`` and ``webhook.py``, this is an entry point: it builds the adapters, through
``bootstrap``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import bootstrap
import structured_logging
from allocation import Rules
from services import Services, words
from services.errors import (
    ConfigurationError,
    SyncInProgress,
    UpstreamRejected,
    UpstreamUnavailable,
)
from services.records import SyncRun
from services.syncing import GROUPS
from settings import Settings

OK, FAILED, MISCONFIGURED, BUSY, STORE_DOWN = 0, 1, 2, 3, 4
CANCELLED = FAILED
# What a store raises when it cannot be reached: Firestore after its client's retries, SQLite
# when its file cannot be opened or stays locked.
UNREACHABLE = (UpstreamUnavailable, sqlite3.OperationalError)
Build = Callable[[Settings], Services]


def describe(run: SyncRun) -> str:
    if run.status == "skipped":
        return f"{run.source}: skipped: {'; '.join(run.errors)}"
    counts = f"+{run.added} ~{run.updated} -{run.removed}"
    line = f"{run.source}: {run.status} ({counts})"
    return line + "".join(f"\n  {e}" for e in run.errors)


def _print_run(_: str, run: SyncRun) -> None:
    print(describe(run), flush=True)  # a line per source as it ends, live in the job's log


def _say(problem: str) -> None:
    print(f"cli: {problem}", file=sys.stderr)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _store_down(settings: Settings, exc: BaseException) -> int:
    _say(f"the store {settings.store_url} cannot be reached: {_first_line(exc)}")
    return STORE_DOWN


def _open(settings: Settings, build: Build) -> Services | int:
    """The services, or the exit code saying why there are none."""
    try:
        settings.store_url  # noqa: B018 - a malformed CONSOLE_STORE is named before anything runs
        return build(settings)
    except ConfigurationError as exc:
        _say(str(exc))
        return MISCONFIGURED
    except (*UNREACHABLE, OSError) as exc:  # OSError: the SQLite file's folder cannot be made
        return _store_down(settings, exc)


def sync(group: str, actor: str, settings: Settings, build: Build) -> int:
    services = _open(settings, build)
    if isinstance(services, int):
        return services
    try:
        runs = services.sync.run_sync_group(group, actor, _print_run)
    except SyncInProgress as exc:
        _say(str(exc))
        return BUSY
    except UNREACHABLE as exc:
        return _store_down(settings, exc)
    except (ConfigurationError, UpstreamRejected) as exc:  # e.g. no Firestore permission
        _say(f"the store {settings.store_url} refused: {_first_line(exc)}")
        return MISCONFIGURED
    if runs and all(r.status == "skipped" for r in runs):
        _say(f"nothing was synced: every source of '{group}' is not configured")
    return FAILED if any(r.status == "failed" for r in runs) else OK


def outlook(alerts: bool, digest: bool, settings: Settings, build: Build) -> int:
    services = _open(settings, build)
    if isinstance(services, int):
        return services
    try:
        days = services.outlook.record_day()
        if not days:
            print("outlook: nothing kept: no adviser offers a package yet (run a sync first)")
        for day in days:
            soonest = words.day(day.soonest_week) or "none"
            print(
                f"{day.segment}: soonest start {soonest}, {day.places_8_weeks} places within "
                f"8 weeks, {day.late_deals} projected late"
            )
        demo = bootstrap.holds_demo_data(services.store)
        enabled = services.editing.console_settings().value.outlook_alerts and not demo
        monday = services.today().weekday() == 0
        if alerts or enabled:
            delivery = services.outlook.send_alerts(digest=digest or monday)
            if services.notifier is None:
                print("no Chat configured")
            else:
                print(f"{len(delivery.posted)} alert(s) posted")
            if delivery.failed:
                _say(f"Chat did not take {len(delivery.failed)} alert(s) (the log above says "
                     "why); the next run sends them")  # fmt: skip
                return FAILED
    except UNREACHABLE as exc:
        return _store_down(settings, exc)
    return OK


def demo_reset(store: str | None, yes: bool, settings: Settings, ask: Callable[[str], str]) -> int:
    """Wipe the store and load the demo firm. Only an embedded SQLite store is wiped by deleting
    its file; a store that offers ``wipe()`` (a test Firestore project) is wiped through it;
    anything else is refused."""
    from integrations.demo_data import seed_demo

    if store:
        settings = replace(settings, values=_with(settings.values, "CONSOLE_STORE", store))
    if settings.production:
        _say(f"demo data never goes into a production store ({settings.production})")
        return MISCONFIGURED
    try:
        url = settings.store_url
    except ConfigurationError as exc:
        _say(str(exc))
        return MISCONFIGURED
    question = f"Wipe every record in {url} and load demo data? [y/N] "
    if not yes and ask(question).strip().lower() not in ("y", "yes"):
        print("cancelled")
        return CANCELLED
    try:
        if settings.store_kind == "sqlite":
            _wipe_sqlite(settings.sqlite_path)
        opened = bootstrap.open_store(settings)
        if settings.store_kind != "sqlite":
            wipe = getattr(opened, "wipe", None)
            if wipe is None:
                _say(f"{url} cannot be wiped from here")
                return MISCONFIGURED
            wipe()
        now = dt.datetime.now(dt.UTC)
        summary = seed_demo(opened, now.astimezone(Rules().zone).date(), now)
        bootstrap.mark_demo(opened, now)
    except ConfigurationError as exc:
        _say(str(exc))
        return MISCONFIGURED
    except (*UNREACHABLE, OSError) as exc:
        return _store_down(settings, exc)
    print(f"demo data loaded into {url}: {summary}")
    return OK


def _with(values: tuple[tuple[str, str], ...], key: str, value: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted({**dict(values), key: value}.items()))


def _wipe_sqlite(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(path + suffix).unlink(missing_ok=True)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m cli",
        description=__doc__.split("\n\n", 1)[0] if __doc__ else None,
        epilog="Exit codes: 0 done (skipped sources included), 1 a sync failed, 2 configuration,"
        " 3 already running, 4 store unreachable.",
    )
    commands = top.add_subparsers(dest="command", required=True)
    syncing = commands.add_parser("sync", help="sync data from HubSpot, Employment Hero, holidays")
    syncing.add_argument("group", choices=sorted(GROUPS), help="which data to sync")
    syncing.add_argument("--actor", default="scheduler", help="who to record as running it")
    look = commands.add_parser("outlook", help="keep today's capacity outlook; Chat alerts")
    look.add_argument("--alerts", action="store_true", help="post alerts even on demo data")
    look.add_argument("--digest", action="store_true", help="post the digest whatever the day")
    demo = commands.add_parser("demo", help="the demo firm")
    demo.add_argument("action", choices=["reset"], help="wipe the store and load the demo firm")
    demo.add_argument("--store", help="store URL (default: CONSOLE_STORE)")
    demo.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    return top


def main(
    argv: Sequence[str] | None = None,
    *,
    settings: Settings | None = None,
    build: Build = bootstrap.build_services,
    ask: Callable[[str], str] = input,
) -> int:
    args = parser().parse_args(argv)
    try:
        settings = settings if settings is not None else Settings.load()
    except ConfigurationError as exc:  # a malformed secrets file, named
        _say(str(exc))
        return MISCONFIGURED
    # The results are for people on stdout; the logs, one JSON entry each, go to stderr.
    structured_logging.configure(settings.secret_values(), stream=sys.stderr)
    if args.command == "sync":
        return sync(args.group, args.actor, settings, build)
    if args.command == "outlook":
        return outlook(args.alerts, args.digest, settings, build)
    return demo_reset(args.store, args.yes, settings, ask)


if __name__ == "__main__":
    raise SystemExit(main())
