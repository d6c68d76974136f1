"""Render helpers the pages share: banners, the decision and its candidates, downloads, errors.

Functions whose names end in ``_frame`` or ``_words`` are pure (tested without Streamlit); the
others draw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import pandas as pd
import streamlit as st

from allocation import Decision, explain
from console import exports, state
from console.auth import User
from console.text import plain
from services import words

if TYPE_CHECKING:
    from services.preview import Preview
    from services.records import SyncRun

FlashKind = Literal["success", "info", "warning", "error"]
SYNC_NAMES = words.SYNC_NAMES
SYNC_STATUS_WORDS = {
    "running": "Running",
    "ok": "Succeeded",
    "failed": "Failed",
    "skipped": "Skipped: not configured",
}


def sync_status_words(status: str) -> str:
    return SYNC_STATUS_WORDS.get(status, status)


def week_words(week: dt.date | str | None) -> str:
    """'week of 7 Dec 2026' (``console.text.week``); '—' for none."""
    return words.week(week)


# --- messages -------------------------------------------------------------------------------


def flash(message: str, kind: FlashKind = "success") -> None:
    """Keep a message for the next run (an edit usually ends with ``st.rerun()``). It is shown
    as plain text: messages carry names and errors from the data, never formatting."""
    st.session_state[state.FLASH] = (kind, message)


def show_flash() -> None:
    kept = st.session_state.pop(state.FLASH, None)
    if kept:
        kind, message = kept
        getattr(st, kind)(plain(message))


def show_error(exc: Exception) -> None:
    """A use-case error as the user should read it (its message is written for people, and
    quotes the data it is about, so it is shown as plain text)."""
    problems = getattr(exc, "problems", None)
    if problems:
        st.error("Nothing was saved:\n\n" + "\n".join(f"- {plain(p)}" for p in problems))
    else:
        st.error(plain(str(exc) or type(exc).__name__))


# --- shared sidebar -------------------------------------------------------------------------


def local_mode_banner() -> None:
    st.warning(
        "**Local mode** — no sign-in is configured, so everyone who can reach this console "
        "is an editor. Configure `[auth]` in `.streamlit/secrets.toml` before sharing it.",
        icon=":material/lock_open:",
    )


def demo_banner() -> None:
    st.info("**Demo data** — advisers, meetings and leave are made up.", icon=":material/science:")


def stale_sync_words(
    last_runs: Mapping[str, SyncRun], stale_after_hours: int, now: dt.datetime, demo: bool
) -> list[str]:
    """Plain-words warnings about syncs that failed or are older than the threshold. A source
    skipped because it is not configured is a deliberate choice, not a stale or failed sync."""
    last_runs = {s: r for s, r in last_runs.items() if r.status != "skipped"}
    if not last_runs:
        return [] if demo else ["No data sync has run yet: figures may be out of date."]
    limit = dt.timedelta(hours=stale_after_hours)
    words = []
    for source, run in sorted(last_runs.items()):
        name = SYNC_NAMES.get(source, source)
        if run.status == "failed":
            words.append(f"The last {name} sync failed.")
        elif run.status == "ok" and now - (run.finished_at or run.started_at) > limit:
            hours = (now - (run.finished_at or run.started_at)).total_seconds() / 3600
            words.append(f"{name[0].upper()}{name[1:]} last synced {hours:.0f} hours ago.")
    return words


def user_badge(user: User) -> None:
    role = "editor" if user.is_editor else "viewer (read only)"
    who = "local user (no sign-in)" if user.local else f"{user.name} · {user.email}"
    st.caption(f"Signed in as **{plain(who)}** — {role}")


# --- the decision ---------------------------------------------------------------------------


def decision_words(decision: Decision, name_of: Callable[[str | None], str | None]) -> str:
    if decision.adviser_id is None:
        return "Nobody can take this deal in the planning horizon."
    name = name_of(decision.adviser_id)
    return f"**{plain(name)}** would take it, starting the {week_words(decision.week)}."


def decision_summary(
    decision: Decision, name_of: Callable[[str | None], str | None], title: str = ""
) -> None:
    """The chosen adviser and week (or that nobody qualifies), and the first allowed week."""
    if title:
        st.markdown(f"##### {title}")  # the page's own words, never data
    words = decision_words(decision, name_of)
    if decision.adviser_id is None:
        st.warning(words)
    else:
        st.success(words)
    if decision.first_allowed_week is not None:
        st.caption(
            f"Earliest allowed start: {week_words(decision.first_allowed_week)} "
            "(the buffer weeks and the agreement date)."
        )


CANDIDATE_COLUMNS = {
    "rank": st.column_config.NumberColumn("#", width="small"),
    "adviser": st.column_config.TextColumn("Adviser"),
    "pod": st.column_config.TextColumn("Pod"),
    "region": st.column_config.TextColumn("Region"),
    "eligible": st.column_config.CheckboxColumn("Eligible"),
    "earliest_week": st.column_config.DateColumn("Earliest week", format="D MMM YYYY"),
    "earliest_week_before": st.column_config.DateColumn("Before what-if", format="D MMM YYYY"),
    "utilisation": st.column_config.NumberColumn("Utilisation", format="percent"),
    "why": st.column_config.TextColumn("Why", width="large"),
    "blocked_weeks": st.column_config.NumberColumn("Blocked weeks"),
}


def candidates_table(frame: pd.DataFrame, key: str | None = None) -> None:
    """Every adviser ranked, with the reason in plain words."""
    shown = [c for c in CANDIDATE_COLUMNS if c in frame.columns]
    st.dataframe(
        frame[shown], hide_index=True, column_config=CANDIDATE_COLUMNS, key=key, width="stretch"
    )


def blocked_weeks_frame(decision: Decision, names: Mapping[str, str], top: int) -> pd.DataFrame:
    """Weeks before each top candidate's earliest week, and why each is closed."""
    rows = [
        {"adviser": names.get(c.adviser_id, c.adviser_id), "week": week, "why": explain(code)}
        for c in decision.candidates[:top]
        if c.eligible
        for week, code in c.blocked_weeks
    ]
    return pd.DataFrame(rows, columns=["adviser", "week", "why"])


def blocked_weeks(preview: Preview, top: int = 3) -> None:
    """The blocked weeks of the top candidates, one expander each."""
    names = {a.id: a.name for a in preview.advisers}
    frame = blocked_weeks_frame(preview.decision, names, top)
    if frame.empty:
        st.caption("The top candidates have no blocked weeks before their earliest week.")
        return
    for adviser, weeks in frame.groupby("adviser", sort=False):
        with st.expander(f"{plain(adviser)}: {len(weeks)} blocked week(s)"):
            st.dataframe(
                weeks[["week", "why"]],
                hide_index=True,
                width="stretch",
                column_config={"week": st.column_config.DateColumn("Week", format="D MMM YYYY")},
            )


# --- tables and downloads -------------------------------------------------------------------


def csv_download(frame: pd.DataFrame, file_name: str, label: str = "Download CSV") -> None:
    """Every CSV the console offers goes through here: cells that could run as spreadsheet
    formulas are quoted (``console.exports``)."""
    st.download_button(label, exports.csv_bytes(frame), file_name=file_name, mime="text/csv")


def records_frame(records: Sequence[object], columns: Sequence[str]) -> pd.DataFrame:
    """Dataclass records as a table of the named attributes (meetings, leave, overrides)."""
    rows = [{c: getattr(r, c, None) for c in columns} for r in records]
    return pd.DataFrame(rows, columns=list(columns))
