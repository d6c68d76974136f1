"""The sync command line, for schedulers and people:

    python -m integrations.sync all|hubspot|leave|holidays [--actor NAME]

One line per source; the exit code is 0 when every run succeeded, 1 when one failed, 2 for a
configuration problem and 3 when the same sync is already running.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from integrations.errors import ConfigurationError, SyncInProgress
from services.records import SyncRun
from services.syncing import GROUPS

OK, FAILED, MISCONFIGURED, BUSY = 0, 1, 2, 3


def describe(run: SyncRun) -> str:
    counts = f"+{run.added} ~{run.updated} -{run.removed}"
    line = f"{run.source}: {run.status} ({counts})"
    return line + "".join(f"\n  {e}" for e in run.errors)


def _load_services() -> Any:
    import bootstrap
    from settings import Settings

    return bootstrap.build_services(Settings.load())


def main(argv: Sequence[str] | None = None, load: Callable[[], Any] = _load_services) -> int:
    parser = argparse.ArgumentParser(prog="python -m integrations.sync", description=__doc__)
    parser.add_argument("group", choices=sorted(GROUPS), help="which data to sync")
    parser.add_argument("--actor", default="scheduler", help="who to record as running it")
    args = parser.parse_args(argv)
    try:
        services = load()
        runs = services.run_sync_group(args.group, args.actor, lambda _, run: print(describe(run)))
    except ConfigurationError as exc:
        print(f"sync: {exc}", file=sys.stderr)
        return MISCONFIGURED
    except SyncInProgress as exc:
        print(f"sync: {exc}", file=sys.stderr)
        return BUSY
    return OK if all(r.status == "ok" for r in runs) else FAILED


if __name__ == "__main__":
    raise SystemExit(main())
