"""``python -m integrations.demo_data reset [--store URL] [--yes]``: wipe and reseed the demo.

Only an embedded SQLite store is wiped by deleting its file; a store that offers ``wipe()``
(e.g. a test Firestore project) is wiped through it; anything else is refused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from allocation import Rules


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m integrations.demo_data")
    parser.add_argument("command", choices=["reset"], help="wipe the store and reseed the demo")
    parser.add_argument("--store", help="store URL (default: CONSOLE_STORE)")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    return parser


def _wipe_sqlite(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(path + suffix).unlink(missing_ok=True)


def main(argv: Sequence[str] | None = None, ask: Callable[[str], str] = input) -> int:
    import bootstrap
    from integrations.demo_data import seed_demo
    from settings import Settings

    args = _parser().parse_args(argv)
    settings = Settings.load()
    if args.store:
        settings = Settings.load(environ={**dict(settings.values), "CONSOLE_STORE": args.store})
    try:
        url = settings.store_url
    except Exception as exc:  # SettingsError: one line, non-zero exit
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.yes and ask(
        f"Wipe every record in {url} and load demo data? [y/N] "
    ).strip().lower() not in ("y", "yes"):
        print("cancelled")
        return 1
    if settings.store_kind == "sqlite":
        _wipe_sqlite(settings.sqlite_path)
    store = bootstrap.open_store(settings)
    if settings.store_kind != "sqlite":
        wipe = getattr(store, "wipe", None)
        if wipe is None:
            print(f"error: {url} cannot be wiped from here", file=sys.stderr)
            return 2
        wipe()
    now = dt.datetime.now(dt.UTC)
    summary = seed_demo(store, now.astimezone(Rules().zone).date(), now)
    bootstrap.mark_demo(store, now)
    print(f"demo data loaded into {url}: {summary}")
    return 0
