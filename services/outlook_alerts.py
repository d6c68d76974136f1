"""Capacity alerts and the Monday digest for Google Chat, from the scheduled job
(``python -m cli outlook``).

An alert is sent at most once a day per segment (or adviser, or source) and condition: each
is claimed in the store first (``Trends.claim_alert``), so several instances or a re-run
never repeat it. An alert Chat does not take (after the Chat client's own retries) is given
back (``release_alert``) and reported, so the next run sends it rather than losing it for the
day. Alerts about one segment share a Chat thread.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from allocation import Adviser, Override, week_of
from services.outlook import PLACES_TREND_WEEKS, OutlookView
from services.ports import Notifier, Store
from services.records import SyncRun
from services.words import day as day_text

log = logging.getLogger(__name__)

SOONEST = "soonest start beyond the target"
FEW_PLACES = "few places left"
OVERRIDE_ENDING = "capacity override ending next week"
STALE = "sync source stale"


@dataclass(frozen=True)
class Notice:
    """One Chat card: its thread, title, subtitle and labelled facts."""

    key: str  # what is claimed: sent once per key
    thread: str
    title: str
    subtitle: str
    facts: tuple[tuple[str, str], ...] = ()


def _day_words(day: dt.date | None) -> str:
    return day_text(day) if day else "none within the horizon"


def segment_alerts(view: OutlookView, today: dt.date, min_places: int) -> list[Notice]:
    """A segment whose soonest start is further off than the target, or with fewer than
    ``min_places`` places within 8 weeks."""
    result = view.outlook
    at = result.places_weeks.index(PLACES_TREND_WEEKS)
    notices = []
    for seg in result.segments:
        label = seg.segment.label
        if not seg.advisers and not seg.demand_per_week:
            continue
        facts = (
            ("Soonest start", _day_words(seg.soonest_week)),
            (f"Places within {PLACES_TREND_WEEKS} weeks", str(seg.places[at])),
            ("Target wait", f"{result.target_weeks} weeks"),
        )
        thread = f"outlook-{label}"
        weeks_off = (
            None if seg.soonest_week is None else (seg.soonest_week - result.current_week).days // 7
        )
        if weeks_off is None or weeks_off > result.target_weeks:
            notices.append(
                Notice(
                    f"{today}|{label}|soonest",
                    thread,
                    f"{label}: soonest start {_day_words(seg.soonest_week)}",
                    f"Further off than the {result.target_weeks}-week target",
                    facts,
                )
            )
        if seg.places[at] < min_places:
            notices.append(
                Notice(
                    f"{today}|{label}|places",
                    thread,
                    f"{label}: {seg.places[at]} places within {PLACES_TREND_WEEKS} weeks",
                    f"Under the alert threshold of {min_places}",
                    facts,
                )
            )
    return notices


def override_alerts(
    overrides: Sequence[Override], advisers: Sequence[Adviser], today: dt.date
) -> list[Notice]:
    """Capacity overrides whose last week is next week: the adviser's limit changes after it."""
    next_week = week_of(today) + dt.timedelta(weeks=1)
    names = {a.id: a.name for a in advisers}
    return [
        Notice(
            f"{today}|override|{o.id}",
            f"override-{o.adviser_id}",
            f"{names.get(o.adviser_id, o.adviser_id)}: capacity override ends {day_text(o.end)}",
            f"{o.monthly_limit:g} a month until then; the usual limit after",
        )
        for o in overrides
        if o.end is not None and week_of(o.end) == next_week
    ]


def stale_alerts(
    last_runs: Mapping[str, SyncRun], stale_after_hours: int, now: dt.datetime, today: dt.date
) -> list[Notice]:
    limit = dt.timedelta(hours=stale_after_hours)
    notices = []
    for source, run in sorted(last_runs.items()):
        if run.status != "ok":
            continue  # a failed run has its own card (Notifier.sync_failed); skipped is chosen
        age = now - (run.finished_at or run.started_at)
        if age > limit:
            notices.append(
                Notice(
                    f"{today}|stale|{source}",
                    f"sync-{source}",
                    f"Sync {source} last succeeded {age.total_seconds() / 3600:.0f} hours ago",
                    f"Older than the {stale_after_hours}-hour threshold",
                )
            )
    return notices


def monday_digest(
    view: OutlookView,
    today: dt.date,
    away: Sequence[str],
    pending_writebacks: int,
    stale: Sequence[str],
) -> Notice:
    """The week's card: soonest start per segment, who is away, write-backs waiting, stale
    sources."""
    facts = [(s.segment.label, _day_words(s.soonest_week)) for s in view.outlook.segments]
    facts += [
        ("Away this week", ", ".join(away) or "nobody"),
        ("Write-backs waiting", str(pending_writebacks)),
        ("Stale sources", ", ".join(stale) or "none"),
    ]
    return Notice(
        f"{today}|digest",
        f"digest-{week_of(today)}",
        f"Week of {day_text(week_of(today))}",
        "Soonest start per segment",
        tuple(facts),
    )


@dataclass(frozen=True)
class Delivery:
    """What a run of the alerts did: the notices posted, and those Chat did not take, given
    back for the next run."""

    posted: tuple[Notice, ...] = ()
    failed: tuple[Notice, ...] = ()


def send(store: Store, notifier: Notifier | None, notices: Sequence[Notice]) -> Delivery:
    """Post each notice not sent before (claimed first, so never twice)."""
    posted: list[Notice] = []
    failed: list[Notice] = []
    for notice in notices:
        if notifier is None or not store.claim_alert(notice.key):
            continue
        try:
            taken = notifier.notice(notice.thread, notice.title, notice.subtitle, notice.facts)
        except Exception:  # a notifier must not raise; if one does, the alert still waits
            log.exception("notifier failed while posting the alert %s", notice.key)
            taken = False
        if taken:
            posted.append(notice)
        else:  # Chat down after its retries: given back, so the next run sends it
            store.release_alert(notice.key)
            failed.append(notice)
    return Delivery(tuple(posted), tuple(failed))
