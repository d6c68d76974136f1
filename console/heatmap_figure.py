"""The availability heatmap as one Plotly figure, drawn so a browser renders 300 advisers fast.

- One heatmap trace. Weeks with no availability get a value just below the colour range, and
  the colour scale starts with an "away" grey band, so they are grey whatever the metric
  without a layer of their own.
- Weeks with some leave or closure are greyed by a second, see-through heatmap in the away
  grey. (Hatch marks were tried: thousands of marker symbols, or one long SVG path, are the
  slowest things Plotly draws and doubled the page's time at 300 advisers.)
- A white ◆ marks each adviser's earliest week. Those points carry the adviser id: Streamlit
  reports selections of scatter points, not of heatmap cells, so a click on ◆ opens a schedule.
- Hover: names and weeks come from the axes and the figures from ``customdata`` (float32);
  only the words travel as text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import plotly.colors
import plotly.graph_objects as go

from console.heatmap import HOVER_TEMPLATE, METRICS, HeatmapData
from console.text import chart_text

AWAY_COLOUR = "#c9ccd1"
PART_WEEK_COLOUR = "rgba(201, 204, 209, 0.62)"  # the away grey, see-through: partly away
AWAY_BAND = 0.06  # share of the colour bar given to "away"
ROW_PX = 20
CELL_GAP = 0  # white lines between cells double the browser's drawing time at 300 rows


@dataclass(frozen=True)
class Scale:
    """How one metric is coloured: a Plotly scale over [low, high], diverging at ``mid``."""

    colours: str | list[list[object]]
    low: float
    high: float
    mid: float | None
    ticks: tuple[float, ...]
    tick_format: str

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


UTILISATION_COLOURS: list[list[object]] = [[0, "#1a9850"], [0.5, "#fee08b"], [1, "#d73027"]]
SCALES: dict[str, Scale] = {
    "balance": Scale("RdYlGn", -2.0, 3.0, 0.0, (-2, -1, 0, 1, 2, 3), "{:g}"),
    "utilisation": Scale(UTILISATION_COLOURS, 0.0, 1.5, None, (0, 0.5, 1, 1.5), "{:.0%}"),
    "load": Scale("Blues", 0.0, 3.0, None, (0, 1, 2, 3), "{:g}"),
}


def heatmap_figure(data: HeatmapData, metric: str = "balance") -> go.Figure:
    """Heatmap of ``metric``; away weeks grey, part weeks greyed, earliest weeks marked ◆."""
    scale = SCALES[metric]
    values = np.clip(data.metric(metric), scale.low, scale.high)  # NaN stays NaN: no figures
    values = np.where(data.away, scale.away_value, values).astype(np.float32)
    ticks = [scale.away_value, *scale.ticks]
    labels = ["away", *(scale.tick_format.format(t) for t in scale.ticks)]
    rows = _rows(data)
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            z=values, x=list(data.weeks), y=rows, customdata=data.figures(),
            text=data.notes, hovertemplate=HOVER_TEMPLATE, colorscale=scale.with_away_band(),
            zmin=scale.bottom, zmax=scale.high, xgap=CELL_GAP, ygap=CELL_GAP, name=METRICS[metric],
            colorbar={"title": {"text": METRICS[metric], "side": "right"}, "thickness": 12,
                      "tickvals": ticks, "ticktext": labels, "len": min(1.0, 600 / _height(data))},
        )
    )  # fmt: skip
    fig.add_trace(_part_weeks(data, CELL_GAP))
    fig.add_trace(_earliest_marks(data))
    fig.update_layout(
        height=_height(data),
        margin={"l": 10, "r": 10, "t": 30, "b": 30},
        xaxis={"side": "top", "tickformat": "%b %y", "dtick": "M1", "showgrid": False,
               "range": _x_range(data), "ticklabelmode": "period", "fixedrange": True},
        yaxis={"range": [len(rows) - 0.5, -0.5], "tickfont": {"size": 11}, "showgrid": False,
               "fixedrange": True},
        legend={"orientation": "h", "yanchor": "top", "y": -0.01, "x": 0},
        plot_bgcolor="white",
        clickmode="event+select",
        dragmode=False,
    )  # fmt: skip
    return fig


def _rows(data: HeatmapData) -> list[str]:
    """The row labels as Plotly text: a name carrying ``<a href=…>`` is shown, not followed."""
    return [chart_text(label) for label in data.labels]


def _height(data: HeatmapData) -> int:
    return max(300, ROW_PX * len(data.labels) + 150)


def _x_range(data: HeatmapData) -> list[dt.datetime] | None:
    # Without an explicit range the marker traces pad the date axis and leave a blank band.
    if not data.weeks:
        return None
    half = dt.timedelta(days=3, hours=12)
    first = dt.datetime.combine(data.weeks[0], dt.time()) - half
    return [first, dt.datetime.combine(data.weeks[-1], dt.time()) + half]


def _part_weeks(data: HeatmapData, gap: int) -> go.Heatmap:
    """A see-through grey layer over weeks with some leave or closure (weeks away all week
    are grey already)."""
    part = np.where(data.marked & ~data.away, 1.0, np.nan).astype(np.float32)
    return go.Heatmap(
        z=part, x=list(data.weeks), y=_rows(data), hoverinfo="skip", showscale=False,
        colorscale=[[0, PART_WEEK_COLOUR], [1, PART_WEEK_COLOUR]], xgap=gap, ygap=gap,
        name="some days of leave or closure", showlegend=True,
    )  # fmt: skip


def _earliest_marks(data: HeatmapData) -> go.Scatter:
    found = [i for i, week in enumerate(data.earliest) if week is not None]
    rows = _rows(data)
    return go.Scatter(
        x=[data.earliest[i] for i in found], y=[rows[i] for i in found],
        customdata=[data.adviser_ids[i] for i in found], mode="markers",
        name="earliest week (click ◆ to open the schedule)",
        hovertemplate="<b>%{y}</b><br>earliest week %{x|%d %b %Y}<extra></extra>",
        marker={"symbol": "diamond", "size": 10, "color": "white",
                "line": {"width": 1.5, "color": "#222"}},
    )  # fmt: skip
