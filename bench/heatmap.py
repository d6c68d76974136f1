"""Benchmark of the Availability heatmap: 300 advisers × 52 weeks, data and Plotly figure.

Target (issue 4): building the heatmap data and figure under 300 ms. The adviser-week frame
(``services.views.heatmap_base``) is timed on its own row: the console caches it by data
version, so a warm page pays only for the data and the figure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from allocation import build_ledger
from bench.synthetic import FirmSize, synthetic_firm
from bench.timing import measure, peak_memory_mb
from console.heatmap import heatmap_data
from console.heatmap_figure import heatmap_figure
from services import views

TODAY = dt.date(2026, 3, 11)
SIZE = FirmSize(advisers=300, meetings=30_000, leave=3_000, closures=120, overrides=300)
COLUMNS = ["what", "median_ms", "p95_ms", "peak_mb", "runs"]


def run(runs: int = 30) -> list[dict[str, Any]]:
    firm = synthetic_firm(TODAY, SIZE)
    ledger = build_ledger(firm, TODAY)
    frame = views.heatmap_base(firm, ledger)
    data = heatmap_data(frame)
    for metric in ("balance", "utilisation", "load"):
        heatmap_figure(data, metric)  # warm plotly's validators

    def data_and_figure() -> None:
        heatmap_figure(heatmap_data(frame), "balance", TODAY)

    def grouped() -> None:
        heatmap_figure(heatmap_data(frame, group_by="region"), "balance", TODAY)

    def frame_cold() -> None:
        fresh = dataclasses.replace(firm)
        views.heatmap_base(fresh, build_ledger(fresh, TODAY))

    rows = [
        ("heatmap data (300 × 52)", lambda: heatmap_data(frame)),
        ("heatmap figure from the data (utilisation)", lambda: heatmap_figure(data, "utilisation")),
        ("data + figure (target < 300 ms)", data_and_figure),
        ("data + figure grouped by region, with summaries", grouped),
        ("adviser-week frame from a new snapshot (cached per data version)", frame_cold),
    ]
    return [{"what": name, **measure(fn, runs), "peak_mb": peak_memory_mb(fn)} for name, fn in rows]
