"""The availability heatmap: advisers × the next 52 weeks, as plain arrays and a Plotly figure.

Pure (pandas, numpy, plotly; no Streamlit), so the benchmark and unit tests can call it. The
input is the tidy adviser-week frame of ``Services.heatmap_frame()`` (the ledger's columns plus
the adviser's name and the days of leave and closure in each week); a bare
``Ledger.to_frame()`` works too. Weeks with no availability are painted a flat "away" grey and
weeks with some leave or closure carry a hatch mark, so they stand out whatever the metric.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from allocation import explain

METRICS: dict[str, str] = {
    "balance": "Free capacity (balance)",
    "utilisation": "Utilisation (load ÷ earn)",
    "load": "Load (new clients)",
}
SORTS = ("earliest", "name")
AWAY_COLOUR = "#c9ccd1"
HATCH_COLOUR = "#4d5259"
# Colour scales per metric: (scale, zmin, zmax, zmid). Balance is diverging around zero so
# overbooked weeks (negative) read red and banked capacity reads green.
_SCALES: dict[str, tuple[object, float, float, float | None]] = {
    "balance": ("RdYlGn", -2.0, 3.0, 0.0),
    "utilisation": ([[0, "#1a9850"], [0.5, "#fee08b"], [1, "#d73027"]], 0.0, 1.5, None),
    "load": ("Blues", 0.0, 3.0, None),
}
_FIGURES = ("avail", "monthly_limit", "earn", "load", "balance", "leave_days", "closure_days")


@dataclass(frozen=True, eq=False)
class HeatmapData:
    """Rows are advisers (in display order), columns are weeks; every matrix is rows × weeks."""

    adviser_ids: tuple[str, ...]
    labels: tuple[str, ...]  # unique row labels (names; the id appended when names repeat)
    weeks: tuple[dt.date, ...]
    earliest: tuple[dt.date | None, ...]
    balance: np.ndarray
    utilisation: np.ndarray
    load: np.ndarray
    avail: np.ndarray
    leave_days: np.ndarray
    closure_days: np.ndarray
    hover: np.ndarray  # plain words per cell

    def metric(self, name: str) -> np.ndarray:
        if name not in METRICS:
            raise ValueError(f"unknown metric {name!r} (choose {', '.join(METRICS)})")
        return getattr(self, name)  # type: ignore[no-any-return]

    @property
    def away(self) -> np.ndarray:
        return self.avail <= 0

    @property
    def marked(self) -> np.ndarray:
        """Weeks touched by leave or a closure (or with reduced availability for any reason)."""
        return (self.avail < 1) | (self.leave_days > 0) | (self.closure_days > 0)

    def table(self, metric: str = "balance") -> pd.DataFrame:
        """What is shown, one row per adviser: earliest week, then the metric for each week."""
        values = pd.DataFrame(
            np.round(self.metric(metric), 3), columns=[w.isoformat() for w in self.weeks]
        )
        head = pd.DataFrame(
            {"adviser_id": self.adviser_ids, "adviser": self.labels, "earliest_week": self.earliest}
        )
        return pd.concat([head, values], axis=1)


def heatmap_data(frame: pd.DataFrame, sort: str = "earliest") -> HeatmapData:
    """The matrices behind the heatmap; rows sorted by earliest open week or by name."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r} (choose {', '.join(SORTS)})")
    ids, names = _people(frame)
    weeks = tuple(sorted(set(frame["week"])))
    shape = (len(ids), len(weeks))
    grids = _grids(frame, ids, weeks, shape)
    first_open = _earliest(grids["open"], weeks)
    order = _order(ids, names, first_open, sort)
    grids = {name: grid[order] for name, grid in grids.items()}
    with np.errstate(divide="ignore", invalid="ignore"):
        utilisation = np.where(grids["earn"] > 1e-9, grids["load"] / grids["earn"], np.nan)
    names = [names[i] for i in order]
    return HeatmapData(
        adviser_ids=tuple(ids[i] for i in order),
        labels=_labels(names, [ids[i] for i in order]),
        weeks=weeks,
        earliest=tuple(first_open[i] for i in order),
        balance=grids["balance"],
        utilisation=utilisation,
        load=grids["load"],
        avail=grids["avail"],
        leave_days=grids["leave_days"],
        closure_days=grids["closure_days"],
        hover=_hover(names, weeks, grids, utilisation),
    )


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
    ids: list[str], names: list[str], earliest: list[dt.date | None], sort: str
) -> list[int]:
    def by_name(i: int) -> tuple[str, str]:
        return (names[i].casefold(), ids[i])

    rows = range(len(ids))
    if sort == "name":
        return sorted(rows, key=by_name)
    return sorted(rows, key=lambda i: (earliest[i] is None, earliest[i] or dt.date.max, by_name(i)))


def _labels(names: list[str], ids: list[str]) -> tuple[str, ...]:
    # Plotly merges rows that share a category label, so two advisers with one name need ids.
    counts: dict[str, int] = defaultdict(int)
    for name in names:
        counts[name] += 1
    return tuple(
        name if counts[name] == 1 else f"{name} ({rid})"
        for name, rid in zip(names, ids, strict=True)
    )


def _hover(
    names: Sequence[str],
    weeks: tuple[dt.date, ...],
    grids: dict[str, np.ndarray],
    utilisation: np.ndarray,
) -> np.ndarray:
    """One plain-words tooltip per cell, built from Python lists (not numpy scalars) because
    element access on arrays dominates the cost at 300 advisers × 52 weeks."""
    week_words = [f"week of {w:%a %d %b %Y}" for w in weeks] * len(names)
    cells = zip(
        [name for name in names for _ in weeks],
        week_words,
        *(grids[n].ravel().tolist() for n in _FIGURES),
        utilisation.ravel().tolist(),
        grids["open"].ravel().tolist(),
        grids["reason"].ravel().tolist(),
        strict=True,
    )
    texts = [
        f"<b>{name}</b> · {week}<br>"
        f"free capacity {bal:.2f} · load {load:g} · earn {earn:.2f} · "
        f"utilisation {'–' if util != util else f'{util:.0%}'}<br>"
        f"available {avail:.0%} · limit {limit:g}/month{_away(leave, closed)}<br>"
        f"{_status(is_open, reason)}"
        for name, week, avail, limit, earn, load, bal, leave, closed, util, is_open, reason in cells
    ]
    hover = np.empty(len(texts), dtype=object)
    hover[:] = texts
    return hover.reshape(grids["avail"].shape)


def _away(leave_days: float, closure_days: float) -> str:
    parts = [f"{leave_days:g} day(s) of leave"] if leave_days > 0 else []
    parts += [f"{closure_days:g} day(s) closed"] if closure_days > 0 else []
    return f"<br>away: {' and '.join(parts)}" if parts else ""


def _status(is_open: bool, reason: str | None) -> str:
    if is_open:
        return "open for a new client"
    return f"not open: {explain(reason)}" if reason is not None else "not open"


def heatmap_figure(data: HeatmapData, metric: str = "balance") -> go.Figure:
    """Heatmap of ``metric``; away weeks grey, leave/closure weeks hatched, earliest marked.

    The earliest-week markers are a scatter trace whose points carry the adviser id, because
    Streamlit reports selections of scatter points but not of heatmap cells.
    """
    scale, zmin, zmax, zmid = _SCALES[metric]
    x, y = list(data.weeks), list(data.labels)
    values = np.where(data.away, np.nan, data.metric(metric))
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            z=values, x=x, y=y, text=data.hover, hovertemplate="%{text}<extra></extra>",
            colorscale=scale, zmin=zmin, zmax=zmax, zmid=zmid, xgap=1, ygap=1,
            colorbar={"title": {"text": METRICS[metric], "side": "right"}, "thickness": 12},
            name=METRICS[metric],
        )
    )  # fmt: skip
    fig.add_trace(
        go.Heatmap(
            z=np.where(data.away, 1.0, np.nan), x=x, y=y, text=data.hover,
            hovertemplate="%{text}<extra></extra>", showscale=False, xgap=1, ygap=1,
            colorscale=[[0, AWAY_COLOUR], [1, AWAY_COLOUR]], name="away all week",
        )
    )  # fmt: skip
    _add_marks(fig, data)
    fig.update_layout(
        height=max(300, 20 * len(y) + 150),
        margin={"l": 10, "r": 10, "t": 30, "b": 30},
        xaxis={
            "side": "top",
            "tickformat": "%b %y",
            "dtick": "M1",
            "showgrid": False,
            "range": _x_range(data),
            "ticklabelmode": "period",
        },
        yaxis={"autorange": "reversed", "tickfont": {"size": 11}, "showgrid": False},
        legend={"orientation": "h", "yanchor": "top", "y": -0.01, "x": 0},
        plot_bgcolor="white",
        clickmode="event+select",
        dragmode=False,
    )
    return fig


def _x_range(data: HeatmapData) -> list[dt.datetime] | None:
    # Without an explicit range the marker traces pad the date axis and leave a blank band.
    if not data.weeks:
        return None
    half = dt.timedelta(days=3, hours=12)
    first = dt.datetime.combine(data.weeks[0], dt.time()) - half
    return [first, dt.datetime.combine(data.weeks[-1], dt.time()) + half]


def _add_marks(fig: go.Figure, data: HeatmapData) -> None:
    rows, cols = np.nonzero(data.marked)
    fig.add_trace(
        go.Scatter(
            x=[data.weeks[c] for c in cols], y=[data.labels[r] for r in rows],
            mode="markers", name="leave or closure", hoverinfo="skip",
            marker={"symbol": "line-ne", "size": 10,
                    "line": {"width": 1.5, "color": HATCH_COLOUR}},
        )
    )  # fmt: skip
    found = [i for i, week in enumerate(data.earliest) if week is not None]
    fig.add_trace(
        go.Scatter(
            x=[data.earliest[i] for i in found], y=[data.labels[i] for i in found],
            customdata=[data.adviser_ids[i] for i in found], mode="markers",
            name="earliest week (click to open the schedule)",
            hovertemplate="<b>%{y}</b><br>earliest week %{x|%d %b %Y}<extra></extra>",
            marker={"symbol": "diamond", "size": 10, "color": "white",
                    "line": {"width": 1.5, "color": "#222"}},
        )
    )  # fmt: skip


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
