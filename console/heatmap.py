"""The availability heatmap's data: advisers × the next 52 weeks, as plain arrays.

Pure (pandas and numpy; no Streamlit), so the benchmark and unit tests can call it; the
Plotly figure is drawn by ``console.heatmap_figure``. The
input is the tidy adviser-week frame of ``Services.heatmap_frame()`` (the ledger's columns plus
the adviser's name and the days of leave and closure in each week); a bare
``Ledger.to_frame()`` works too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from allocation import explain
from allocation.reasons import BEFORE_START
from console.text import chart_text, date_words

METRICS: dict[str, str] = {
    "balance": "Free capacity (balance)",
    "utilisation": "Utilisation (load ÷ earn)",
    "load": "Load (new clients)",
}
# What the colour means, under the chart's title; it changes with the metric.
METRIC_CAPTIONS: dict[str, str] = {
    "balance": "Colour: free capacity in new clients each week (blue: room for more; orange: "
    "booked beyond what the adviser earns).",
    "utilisation": "Colour: utilisation, the week's load ÷ what the adviser earns (light: idle; "
    "dark: full or over 100%).",
    "load": "Colour: load, the new clients already starting that week (Clarify meetings and "
    "deals allocated but not yet met).",
}
SORTS = ("earliest", "name")
GROUPS: dict[str, str] = {"pod": "Pod", "region": "Region"}
HOVER_TEMPLATE = (
    "<b>%{y}</b> · week of %{x|%a %-d %b %Y}<br>"
    "free capacity %{customdata[0]:.2f} · load %{customdata[1]:.3~g} · "
    "earn %{customdata[2]:.2f}<br>"
    "available %{customdata[3]:.0%} · limit %{customdata[4]:.3~g}/month<br>"
    "%{text}<extra></extra>"
)
_FIGURES = ("avail", "monthly_limit", "earn", "load", "balance", "leave_days", "closure_days")


@dataclass(frozen=True, eq=False)
class HeatmapData:
    """Rows are advisers (in display order), columns are weeks; every matrix is rows × weeks."""

    adviser_ids: tuple[str, ...]
    labels: tuple[str, ...]  # unique row labels (names; the id appended when names repeat)
    weeks: tuple[dt.date, ...]
    earliest: tuple[dt.date | None, ...]  # None: no open week, or not eligible at all
    excluded: tuple[str | None, ...]  # the eligibility rule the adviser fails, or None
    groups: tuple[str, ...]  # the row's pod or region when grouped, else ""
    group_by: str | None  # "pod", "region" or None
    buffer_weeks: tuple[dt.date, ...]  # too soon for anyone to start (rules §5.1)
    balance: np.ndarray
    utilisation: np.ndarray
    load: np.ndarray
    avail: np.ndarray
    leave_days: np.ndarray
    closure_days: np.ndarray
    earn: np.ndarray
    monthly_limit: np.ndarray
    notes: np.ndarray  # per cell: utilisation, open or why not, days away — in plain words
    is_open: np.ndarray  # bool: a new client could start that week

    def metric(self, name: str) -> np.ndarray:
        if name not in METRICS:
            raise ValueError(f"unknown metric {name!r} (choose {', '.join(METRICS)})")
        return getattr(self, name)  # type: ignore[no-any-return]

    @property
    def eligible(self) -> tuple[bool, ...]:
        return tuple(reason is None for reason in self.excluded)

    @property
    def open_count(self) -> int:
        """Advisers with an open week ("With an open week")."""
        return sum(week is not None for week in self.earliest)

    @property
    def soonest(self) -> dt.date | None:
        """The first week any adviser shown could take a new client ("Soonest start")."""
        return min((w for w in self.earliest if w is not None), default=None)

    def group_summaries(self) -> list[GroupSummary]:
        """Per group, in display order: its rows and how many could start a client when."""
        rows: dict[str, list[int]] = {}
        for row, group in enumerate(self.groups):
            rows.setdefault(group, []).append(row)
        summaries = []
        for group, members in rows.items():
            weeks = [w for w in (self.earliest[r] for r in members) if w is not None]
            summaries.append(
                GroupSummary(group, tuple(members), len(weeks), min(weeks, default=None))
            )
        return summaries

    @property
    def away(self) -> np.ndarray:
        return self.avail <= 0

    @property
    def marked(self) -> np.ndarray:
        """Weeks touched by leave or a closure (or with reduced availability for any reason)."""
        return (self.avail < 1) | (self.leave_days > 0) | (self.closure_days > 0)

    def figures(self) -> np.ndarray:
        """rows × weeks × (balance, load, earn, availability, limit), the hover's numbers."""
        stacked = np.stack(
            [self.balance, self.load, self.earn, self.avail, self.monthly_limit], axis=-1
        )
        return np.round(stacked, 2).astype(np.float32)  # float32: half the bytes to the browser

    def hover_text(self, row: int, col: int) -> str:
        """The tooltip of one cell as the browser shows it (``HOVER_TEMPLATE`` filled in)."""
        bal, load, earn, avail, limit = self.figures()[row, col].tolist()
        week = self.weeks[col]
        return (
            f"<b>{chart_text(self.labels[row])}</b> · week of {week:%a} {date_words(week)}<br>"
            f"free capacity {bal:.2f} · load {load:g} · earn {earn:.2f}<br>"
            f"available {avail:.0%} · limit {limit:g}/month<br>{self.notes[row, col]}"
        )

    def summary(self, frame: pd.DataFrame) -> pd.DataFrame:
        """One row per adviser, in display order: earliest week, open weeks, pod, region."""
        people = frame.drop_duplicates("adviser_id").set_index("adviser_id")
        about = people.reindex(list(self.adviser_ids))
        return pd.DataFrame(
            {
                "adviser_id": self.adviser_ids,
                "adviser": self.labels,
                "earliest_week": self.earliest,
                "open_weeks": self.is_open.sum(axis=1),
                "pod": _column(about, "pod"),
                "region": _column(about, "region"),
                "taking_on_clients": _column(about, "taking_on_clients"),
            }
        )

    def table(self, metric: str = "balance") -> pd.DataFrame:
        """What is shown, one row per adviser: earliest week, then the metric for each week."""
        values = pd.DataFrame(
            np.round(self.metric(metric), 3), columns=[w.isoformat() for w in self.weeks]
        )
        head = pd.DataFrame(
            {"adviser_id": self.adviser_ids, "adviser": self.labels, "earliest_week": self.earliest}
        )
        return pd.concat([head, values], axis=1)


@dataclass(frozen=True)
class GroupSummary:
    name: str  # the pod or region ("" when not grouped)
    rows: tuple[int, ...]
    open_count: int = 0
    soonest: dt.date | None = None

    def words(self, label: str) -> str:
        """ "Pod Standard: 12 advisers · 9 with an open week · soonest 23 Mar 2026"."""
        who = f"{label} {self.name}" if self.name else f"No {label.lower()}"
        soonest = f"soonest {date_words(self.soonest)}" if self.soonest else "no open week"
        return (
            f"{who}: {len(self.rows)} adviser{'s' * (len(self.rows) != 1)} · "
            f"{self.open_count} with an open week · {soonest}"
        )


def _column(frame: pd.DataFrame, name: str) -> list[object]:
    return list(frame[name]) if name in frame else [None] * len(frame)


def heatmap_data(
    frame: pd.DataFrame, sort: str = "earliest", group_by: str | None = None
) -> HeatmapData:
    """The matrices behind the heatmap, rows in the allocator's order (rules §6: earliest
    week, then utilisation up to it, then name; advisers with no open week and then those
    not eligible after, by name) or by name, within pods or regions when ``group_by``."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r} (choose {', '.join(SORTS)})")
    if group_by is not None and group_by not in GROUPS:
        raise ValueError(f"unknown grouping {group_by!r} (choose {', '.join(GROUPS)})")
    ids, names = _people(frame)
    about = _about(frame, ids, group_by)
    weeks = tuple(sorted(set(frame["week"])))
    shape = (len(ids), len(weeks))
    grids = _grids(frame, ids, weeks, shape)
    grids["open"] &= np.array([r is None for r in about["excluded"]], dtype=bool)[:, None]
    first_open = _earliest(grids["open"], weeks)
    order = _order(ids, names, first_open, about, sort)
    grids = {name: grid[order] for name, grid in grids.items()}
    with np.errstate(divide="ignore", invalid="ignore"):
        utilisation = np.where(grids["earn"] > 1e-9, grids["load"] / grids["earn"], np.nan)
    names = [names[i] for i in order]
    excluded = tuple(about["excluded"][i] for i in order)
    return HeatmapData(
        adviser_ids=tuple(ids[i] for i in order),
        labels=_labels(names, [ids[i] for i in order]),
        weeks=weeks,
        earliest=tuple(first_open[i] for i in order),
        excluded=excluded,
        groups=tuple(about["group"][i] for i in order),
        group_by=group_by,
        buffer_weeks=_buffer(grids["reason"], weeks),
        balance=grids["balance"],
        utilisation=utilisation,
        load=grids["load"],
        avail=grids["avail"],
        leave_days=grids["leave_days"],
        closure_days=grids["closure_days"],
        earn=grids["earn"],
        monthly_limit=grids["monthly_limit"],
        notes=_notes(grids, utilisation, excluded),
        is_open=grids["open"],
    )


def _about(frame: pd.DataFrame, ids: list[str], group_by: str | None) -> dict[str, list[Any]]:
    """Per adviser (in ``ids`` order): the rule excluding them, the allocator's tie-break
    utilisation and the group. A bare ledger frame has none of these: all eligible."""
    people = frame.drop_duplicates("adviser_id")
    people = people.set_index(people["adviser_id"].astype(str)).reindex(ids)
    n = len(ids)
    excluded = list(people["excluded"]) if "excluded" in people else [None] * n
    tie = list(people["tie_utilisation"]) if "tie_utilisation" in people else [0.0] * n
    group = list(people[group_by]) if group_by and group_by in people else [""] * n
    return {
        "excluded": [None if _missing(x) else str(x) for x in excluded],
        "tie": [np.inf if _missing(u) else float(u) for u in tie],
        "group": ["" if _missing(g) else str(g) for g in group],
    }


def _buffer(reasons: np.ndarray, weeks: tuple[dt.date, ...]) -> tuple[dt.date, ...]:
    """The weeks every adviser is "too soon" in: the buffer after the current week."""
    if not len(reasons):
        return ()
    too_soon = (reasons == BEFORE_START).all(axis=0)
    return tuple(week for week, soon in zip(weeks, too_soon.tolist(), strict=True) if soon)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _people(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Adviser ids and names in the frame's order (the id stands in for a missing name)."""
    people = frame.drop_duplicates("adviser_id")
    ids = [str(i) for i in people["adviser_id"]]
    names = [str(n) for n in people["adviser"]] if "adviser" in people else list(ids)
    return ids, names


def _grids(
    frame: pd.DataFrame, ids: list[str], weeks: tuple[dt.date, ...], shape: tuple[int, int]
) -> dict[str, np.ndarray]:
    """Scatter the tidy rows into rows × weeks arrays (a missing cell: away, nothing booked)."""
    r = pd.Index(ids).get_indexer(pd.Index(frame["adviser_id"].astype(str)))
    c = pd.Index(weeks).get_indexer(pd.Index(frame["week"]))
    grids: dict[str, np.ndarray] = {}
    for name in _FIGURES:
        grid = np.full(shape, np.nan) if name == "balance" else np.zeros(shape)
        if name in frame:
            grid[r, c] = pd.to_numeric(frame[name], errors="coerce").fillna(0).to_numpy(float)
        grids[name] = grid
    grids["open"] = np.zeros(shape, dtype=bool)
    grids["open"][r, c] = frame["open"].to_numpy(dtype=bool)
    grids["reason"] = np.full(shape, None, dtype=object)
    grids["reason"][r, c] = frame["reason"].to_numpy(dtype=object)
    return grids


def _earliest(is_open: np.ndarray, weeks: tuple[dt.date, ...]) -> list[dt.date | None]:
    if not weeks:
        return [None] * len(is_open)
    first = is_open.argmax(axis=1)
    return [weeks[f] if is_open[i, f] else None for i, f in enumerate(first)]


def _order(
    ids: list[str],
    names: list[str],
    earliest: list[dt.date | None],
    about: dict[str, list[Any]],
    sort: str,
) -> list[int]:
    def by_name(i: int) -> tuple[str, str]:
        return (names[i].casefold(), ids[i])  # the allocator's name order

    def by_group(i: int) -> tuple[bool, str]:
        group: str = about["group"][i]
        return (group == "", group.casefold())  # advisers with no pod or region last

    def allocators(i: int) -> tuple[int, dt.date, float]:
        band = 0 if earliest[i] is not None else 1 if about["excluded"][i] is None else 2
        return (band, earliest[i] or dt.date.max, about["tie"][i] if band == 0 else 0.0)

    rows = range(len(ids))
    if sort == "name":
        return sorted(rows, key=lambda i: (by_group(i), by_name(i)))
    return sorted(rows, key=lambda i: (by_group(i), allocators(i), by_name(i)))


def _labels(names: list[str], ids: list[str]) -> tuple[str, ...]:
    # Plotly merges rows that share a category label, so two advisers with one name need ids.
    counts: dict[str, int] = defaultdict(int)
    for name in names:
        counts[name] += 1
    return tuple(
        name if counts[name] == 1 else f"{name} ({rid})"
        for name, rid in zip(names, ids, strict=True)
    )


def _notes(
    grids: dict[str, np.ndarray], utilisation: np.ndarray, excluded: tuple[str | None, ...]
) -> np.ndarray:
    """The words part of each tooltip. Only words travel as text: names, weeks and figures are
    filled in by the browser from the axes and ``customdata``, which keeps the figure small
    (about a tenth of the bytes of one full sentence per cell at 300 advisers)."""
    cells = zip(
        utilisation.ravel().tolist(),
        grids["open"].ravel().tolist(),
        grids["reason"].ravel().tolist(),
        grids["leave_days"].ravel().tolist(),
        grids["closure_days"].ravel().tolist(),
        strict=True,
    )
    rule = np.repeat(np.array(excluded, dtype=object), grids["avail"].shape[1]).tolist()
    texts = [
        f"utilisation {'–' if util != util else f'{util:.0%}'} · "
        f"{_status(is_open, reason) if out is None else f'not open: {explain(out)}'}"
        f"{_away(leave, closed)}"
        for (util, is_open, reason, leave, closed), out in zip(cells, rule, strict=True)
    ]
    notes = np.empty(len(texts), dtype=object)
    notes[:] = texts
    return notes.reshape(grids["avail"].shape)


def _away(leave_days: float, closure_days: float) -> str:
    parts = [f"{leave_days:g} day(s) of leave"] if leave_days > 0 else []
    parts += [f"{closure_days:g} day(s) closed"] if closure_days > 0 else []
    return f"<br>away: {' and '.join(parts)}" if parts else ""


def _status(is_open: bool, reason: str | None) -> str:
    if is_open:
        return "open for a new client"
    return f"not open: {explain(reason)}" if reason is not None else "not open"


def selected_adviser(selection: object) -> str | None:
    """The adviser id of the first earliest-week marker in a ``st.plotly_chart`` selection."""
    points = getattr(selection, "points", None)
    if points is None and isinstance(selection, dict):
        points = selection.get("points")
    for point in points or ():
        custom = point.get("customdata") if isinstance(point, dict) else None
        if isinstance(custom, list | tuple):
            custom = custom[0] if custom else None
        if custom:
            return str(custom)
    return None
