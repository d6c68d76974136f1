"""The availability heatmap as one Plotly figure, drawn so a browser renders 300 advisers fast.

- One heatmap trace. Weeks with no availability get a value just below the colour range, and
  the colour scale starts with an "away" grey band, so they are grey whatever the metric
  without a layer of their own.
- Weeks with some leave or closure are greyed by a second, see-through heatmap in the away
  grey. (Hatch marks were tried: thousands of marker symbols, or one long SVG path, are the
  slowest things Plotly draws and doubled the page's time at 300 advisers.)
- A white ◆ marks each adviser's earliest week. Those points carry the adviser id: Streamlit
  reports selections of scatter points, not of heatmap cells, so a click on ◆ opens a schedule.
  An adviser the allocator would skip (not taking on clients) has no ◆, a label saying so and
  a white wash over the row.
- Colours are colour-blind safe (ColorBrewer's orange–blue, yellow–brown and blues), and the
  away grey is darker than any colour's part-week wash.
- Grouped by pod or region, each group starts with a blank row whose label is its summary.
- The week axis is drawn on top and at the bottom; today is a line, the buffer weeks a band.
- Hover: names and weeks come from the axes and the figures from ``customdata`` (float32);
  only the words travel as text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.colors
import plotly.graph_objects as go

from console.heatmap import GROUPS, HOVER_TEMPLATE, METRICS, HeatmapData
from console.text import chart_text

AWAY_COLOUR = "#80868f"
PART_WEEK_COLOUR = "rgba(201, 204, 209, 0.5)"  # a light grey wash: partly away
NOT_TAKING_COLOUR = "rgba(255, 255, 255, 0.72)"  # a white wash: the allocator skips the row
BUFFER_COLOUR = "rgba(60, 60, 60, 0.18)"
TODAY_COLOUR = "#c2185b"
AWAY_BAND = 0.06  # share of the colour bar given to "away"
ROW_PX = 20
CELL_GAP = 0  # white lines between cells double the browser's drawing time at 300 rows
NOT_TAKING_LABEL = " · not taking on clients"
HEADER_MARK = "▾ "


@dataclass(frozen=True)
class Scale:
    """How one metric is coloured: a Plotly scale over [low, high], diverging at ``mid``."""

    colours: str | list[list[object]]
    low: float
    high: float
    mid: float | None
    ticks: tuple[float, ...]
    tick_format: str
    unit: str  # the colour bar's title

    @property
    def bottom(self) -> float:
        """Where the colour bar starts: ``low`` minus the grey "away" band."""
        return self.high - (self.high - self.low) / (1 - AWAY_BAND)

    @property
    def away_value(self) -> float:
        """The value away weeks are drawn with: the middle of the grey band."""
        return (self.bottom + self.low) / 2

    def _value_at(self, position: float) -> float:
        if self.mid is None:
            return self.low + position * (self.high - self.low)
        if position <= 0.5:
            return self.low + position * 2 * (self.mid - self.low)
        return self.mid + (position - 0.5) * 2 * (self.high - self.mid)

    def with_away_band(self) -> list[list[object]]:
        """The colour scale over [bottom, high]: a grey band, then the metric's colours."""
        colours = self.colours
        if isinstance(colours, str):
            colours = plotly.colors.get_colorscale(colours)

        def at(value: float) -> float:
            return min(1.0, max(0.0, (value - self.bottom) / (self.high - self.bottom)))

        stops: list[list[object]] = [[0.0, AWAY_COLOUR], [at(self.low), AWAY_COLOUR]]
        stops += [[at(self._value_at(float(p))), c] for p, c in colours]  # type: ignore[arg-type]
        stops[-1][0] = 1.0
        return stops


# ColorBrewer's PuOr-like orange–white–blue: no red against green, readable in every common
# colour-vision deficiency, and white at zero so "no room" reads as neither good nor bad.
BALANCE_COLOURS: list[list[object]] = [
    [0, "#b35806"], [0.25, "#f1a340"], [0.5, "#f7f7f7"], [0.75, "#67a9cf"], [1, "#2166ac"],
]  # fmt: skip
SCALES: dict[str, Scale] = {
    "balance": Scale(
        BALANCE_COLOURS, -2.0, 3.0, 0.0, (-2, -1, 0, 1, 2, 3), "{:g}",
        "Free capacity<br>(new clients)",
    ),
    "utilisation": Scale(
        "YlOrBr", 0.0, 1.5, None, (0, 0.5, 1, 1.5), "{:.0%}", "Utilisation<br>(load ÷ earn)"
    ),
    "load": Scale("Blues", 0.0, 3.0, None, (0, 1, 2, 3), "{:g}", "Load<br>(new clients)"),
}  # fmt: skip


@dataclass(frozen=True)
class Rows:
    """The chart's rows: advisers, with a summary row heading each group when grouped."""

    labels: list[str]  # Plotly text, unique
    source: np.ndarray  # per chart row, the data row, or -1 for a group's heading

    def spread(self, matrix: np.ndarray, blank: object = np.nan) -> np.ndarray:
        """``matrix`` (data rows × …) laid out on the chart's rows, headings ``blank``."""
        taken: np.ndarray = matrix[np.maximum(self.source, 0)]
        if (self.source >= 0).all():
            return taken
        taken = taken.copy()
        taken[self.source < 0] = blank
        return taken


def chart_rows(data: HeatmapData) -> Rows:
    names = [
        chart_text(label) + (NOT_TAKING_LABEL if not eligible else "")
        for label, eligible in zip(data.labels, data.eligible, strict=True)
    ]
    if data.group_by is None:
        return Rows(names, np.arange(len(names)))
    labels: list[str] = []
    source: list[int] = []
    for group in data.group_summaries():
        labels.append(HEADER_MARK + chart_text(group.words(GROUPS[data.group_by])))
        source.append(-1)
        labels += [names[r] for r in group.rows]
        source += list(group.rows)
    return Rows(labels, np.array(source, dtype=np.int64))


def heatmap_figure(
    data: HeatmapData, metric: str = "balance", today: dt.date | None = None
) -> go.Figure:
    """Heatmap of ``metric``; away weeks grey, part weeks greyed, earliest weeks marked ◆."""
    scale = SCALES[metric]
    values = np.clip(data.metric(metric), scale.low, scale.high)  # NaN stays NaN: no figures
    values = np.where(data.away, scale.away_value, values).astype(np.float32)
    ticks = [scale.away_value, *scale.ticks]
    labels = ["away", *(scale.tick_format.format(t) for t in scale.ticks)]
    rows = chart_rows(data)
    height = _height(len(rows.labels))
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            z=rows.spread(values), x=list(data.weeks), y=rows.labels,
            customdata=rows.spread(data.figures()), text=rows.spread(data.notes, ""),
            hovertemplate=HOVER_TEMPLATE, hoverongaps=False, colorscale=scale.with_away_band(),
            zmin=scale.bottom, zmax=scale.high, xgap=CELL_GAP, ygap=CELL_GAP, name=METRICS[metric],
            colorbar={"title": {"text": scale.unit, "side": "top"}, "thickness": 12,
                      "tickvals": ticks, "ticktext": labels, "y": 1, "yanchor": "top",
                      "lenmode": "pixels", "len": min(360, height - 120)},
        )
    )  # fmt: skip
    fig.add_trace(_part_weeks(data, rows))
    fig.add_trace(_not_taking(data, rows))
    fig.add_trace(_earliest_marks(data, rows))
    # "Dec<br>2026": month and year (never "Dec 26", which reads as a day), stacked so twelve
    # months fit level at 1280 px.
    axis = {"tickformat": "%b<br>%Y", "dtick": "M1", "showgrid": False, "tickangle": 0,
            "range": _x_range(data), "ticklabelmode": "period", "fixedrange": True,
            "tickfont": {"size": 10}}  # fmt: skip
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 80, "b": 50},
        xaxis={**axis, "side": "top"},
        # The same weeks again at the bottom, so a tall chart keeps its axis in view.
        xaxis2={**axis, "side": "bottom", "overlaying": "x", "matches": "x", "anchor": "y"},
        yaxis={"range": [len(rows.labels) - 0.5, -0.5], "tickfont": {"size": 11},
               "showgrid": False, "fixedrange": True},
        legend={"orientation": "h", "yref": "container", "y": 1, "yanchor": "top", "x": 0,
                "font": {"size": 11}},
        plot_bgcolor="white",
        clickmode="event+select",
        dragmode=False,
        **_today_and_buffer(data, today),
    )  # fmt: skip
    return fig


def _height(rows: int) -> int:
    return max(300, ROW_PX * rows + 150)


def _x_range(data: HeatmapData) -> list[dt.datetime] | None:
    # Without an explicit range the marker traces pad the date axis and leave a blank band.
    if not data.weeks:
        return None
    half = dt.timedelta(days=3, hours=12)
    first = dt.datetime.combine(data.weeks[0], dt.time()) - half
    return [first, dt.datetime.combine(data.weeks[-1], dt.time()) + half]


def _today_and_buffer(data: HeatmapData, today: dt.date | None) -> dict[str, list[Any]]:
    """Layout shapes and labels for today's line and the buffer weeks' band (written as
    layout, not ``add_vline``/``add_vrect``, which copy the whole figure: a third of its time
    at 300 advisers)."""
    half = dt.timedelta(days=3, hours=12)
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    if data.buffer_weeks:
        start = dt.datetime.combine(data.buffer_weeks[0], dt.time()) - half
        end = dt.datetime.combine(data.buffer_weeks[-1], dt.time()) + half
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": start, "x1": end,
                       "y0": 0, "y1": 1, "fillcolor": BUFFER_COLOUR, "line": {"width": 0},
                       "layer": "above"})  # fmt: skip
        notes.append({"x": end, "y": 1, "xref": "x", "yref": "paper", "text": "buffer",
                      "showarrow": False, "xanchor": "left", "yanchor": "bottom",
                      "font": {"size": 10, "color": "#333"}})  # fmt: skip
    if today is not None and data.weeks and data.weeks[0] <= today:
        noon = dt.datetime.combine(today, dt.time(12))
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": noon, "x1": noon,
                       "y0": 0, "y1": 1, "line": {"color": TODAY_COLOUR, "width": 2},
                       "layer": "above"})  # fmt: skip
        notes.append({"x": noon, "y": 1, "xref": "x", "yref": "paper", "text": "today",
                      "showarrow": False, "xanchor": "right", "yanchor": "bottom",
                      "font": {"size": 10, "color": TODAY_COLOUR}})  # fmt: skip
    return {"shapes": shapes, "annotations": notes}


def _part_weeks(data: HeatmapData, rows: Rows) -> go.Heatmap:
    """A see-through grey layer over weeks with some leave or closure (weeks away all week
    are grey already). This and the layers after it are drawn against the bottom axis (which
    shows only with a trace on it); its subplot lies over the main one, so the ◆ must be
    there too, or the layers would wash it out."""
    part = np.where(data.marked & ~data.away, 1.0, np.nan).astype(np.float32)
    return go.Heatmap(
        z=rows.spread(part), x=list(data.weeks), y=rows.labels, hoverinfo="skip",
        showscale=False, colorscale=[[0, PART_WEEK_COLOUR], [1, PART_WEEK_COLOUR]], xgap=CELL_GAP,
        ygap=CELL_GAP, name="some days of leave or closure", showlegend=True, xaxis="x2",
    )  # fmt: skip


def _not_taking(data: HeatmapData, rows: Rows) -> go.Heatmap:
    """A white wash over advisers the allocator skips: their capacity is shown, faded."""
    skipped = np.array([not e for e in data.eligible], dtype=bool)
    wash = np.where(skipped[:, None], 1.0, np.nan) * np.ones(len(data.weeks), dtype=np.float32)
    return go.Heatmap(
        z=rows.spread(wash.astype(np.float32)), x=list(data.weeks), y=rows.labels,
        hoverinfo="skip", showscale=False,
        colorscale=[[0, NOT_TAKING_COLOUR], [1, NOT_TAKING_COLOUR]], xgap=CELL_GAP, ygap=CELL_GAP,
        name="not taking on clients (faded)", showlegend=bool(skipped.any()), xaxis="x2",
    )  # fmt: skip


def _earliest_marks(data: HeatmapData, rows: Rows) -> go.Scatter:
    at = {int(r): n for n, r in enumerate(rows.source.tolist()) if r >= 0}
    found = [i for i, week in enumerate(data.earliest) if week is not None]
    return go.Scatter(
        x=[data.earliest[i] for i in found], y=[rows.labels[at[i]] for i in found],
        customdata=[data.adviser_ids[i] for i in found], mode="markers", xaxis="x2",
        name="earliest week (click ◆ to open the schedule)",
        hovertemplate="<b>%{y}</b><br>earliest week %{x|%-d %b %Y}<extra></extra>",
        marker={"symbol": "diamond", "size": 10, "color": "white",
                "line": {"width": 1.5, "color": "#222"}},
    )  # fmt: skip
