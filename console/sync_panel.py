"""The Sync page's parts: running syncs with live progress, and the run tables.

Functions ending in ``_frame`` are pure. Runs go through ``Services.run_sync``, wired by
``bootstrap`` like the command line's, so in demo mode every source answers with the demo firm
and the page works with no accounts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from console import handle, text, widgets
from console.text import plain
from services.errors import Forbidden, SyncInProgress
from services.records import SyncRun
from services.syncing import SOURCES

HISTORY_COLUMNS = ["started", "source", "status", "added", "updated", "removed", "by", "errors"]
LAST_COLUMNS = ["source", "last success", "counts", "latest run"]


def name_of(source: str) -> str:
    return widgets.SYNC_NAMES.get(source, source)


def title_of(source: str) -> str:
    """'HubSpot advisers', 'Public holidays': first letter up, brand names kept."""
    name = name_of(source)
    return name[:1].upper() + name[1:]


def counts_words(run: SyncRun) -> str:
    return f"{run.added} added, {run.updated} updated, {run.removed} removed"


def last_success_frame(runs: Sequence[SyncRun], zone: dt.tzinfo = dt.UTC) -> pd.DataFrame:
    """Per source: the last successful run (when, in the firm's timezone) and how the latest
    run went; a source never synced successfully says so."""
    rows = []
    for source in SOURCES:
        mine = [r for r in runs if r.source == source]  # newest first
        ok = next((r for r in mine if r.status == "ok"), None)
        rows.append(
            {
                "source": title_of(source),
                "last success": text.moment(ok.finished_at or ok.started_at, zone)
                if ok
                else "never",
                "counts": counts_words(ok) if ok else "",
                "latest run": widgets.sync_status_words(mine[0].status) if mine else "never run",
            }
        )
    return pd.DataFrame(rows, columns=LAST_COLUMNS)


def history_frame(runs: Sequence[SyncRun], zone: dt.tzinfo = dt.UTC) -> pd.DataFrame:
    rows = [
        {
            "started": text.moment(r.started_at, zone),
            "source": title_of(r.source),
            "status": widgets.sync_status_words(r.status),
            "added": r.added,
            "updated": r.updated,
            "removed": r.removed,
            "by": text.actor_words(r.actor),
            "errors": "; ".join(r.errors),
        }
        for r in runs
    ]
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def run_with_progress(sources: Sequence[str], actor: str, is_editor: bool) -> list[SyncRun]:
    """Run each source in turn inside one ``st.status``, a progress bar moving as each ends."""
    if not is_editor:  # refused before any progress is drawn; run_sync refuses viewers too
        raise Forbidden(f"{actor or 'this user'} is a viewer; only editors can start a sync")
    svc, finished = handle.services(), []
    title = name_of(sources[0]) if len(sources) == 1 else "every source"
    with st.status(f"Syncing {title}…", expanded=True) as status:
        bar = st.progress(0.0)
        for done, source in enumerate(sources, start=1):
            st.write(f"{title_of(source)}…")
            try:
                run = svc.sync.run_sync(source, actor, is_editor)
            except SyncInProgress as busy:
                st.warning(f"{title_of(source)}: {plain(busy)}")
            else:
                finished.append(run)
                _report(run)
            bar.progress(done / len(sources), text=f"{done} of {len(sources)} done")
        skipped = sum(r.status == "skipped" for r in finished)
        failed = len(sources) - skipped - sum(r.status == "ok" for r in finished)
        status.update(
            label=finished_words(failed, skipped),
            state="complete" if not failed else "error",
            expanded=True,
        )
    return finished


def finished_words(failed: int, skipped: int) -> str:
    """'Sync finished', with what did not succeed and what was skipped (not configured)."""
    parts = [f"{failed} did not succeed"] if failed else []
    parts += [f"{skipped} skipped (not configured)"] if skipped else []
    return "Sync finished" + (": " + ", ".join(parts) if parts else "")


def _report(run: SyncRun) -> None:
    name = title_of(run.source)
    if run.status == "ok":
        st.write(f":material/check_circle: {name}: {counts_words(run)}")
        for note in run.errors:
            st.caption(plain(note))
    elif run.status == "skipped":
        st.info(f"{name} skipped: {plain('; '.join(run.errors))}", icon=":material/block:")
    else:
        st.error(f"{name} failed: {plain('; '.join(run.errors))}")
