"""The data-quality panel: stored records left out of decisions, and why, in words
(``services.data_quality``). Shown at the top of Availability and on the Sync page."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from console.text import plain
from services.data_quality import describe, summary
from services.facade import Services
from services.records import ExcludedRecord

SHOWN = 20  # a long list says the same as its first twenty; the count says the rest


def panel_words(records: Sequence[ExcludedRecord]) -> list[str]:
    """The panel's lines: one per record (capped), then how many more."""
    lines = [describe(r) for r in records[:SHOWN]]
    if len(records) > SHOWN:
        lines.append(f"… and {len(records) - SHOWN} more")
    return lines


def region_line(svc: Services) -> str | None:
    """The sidebar's line when regional closures cannot reach some advisers."""
    count = svc.quality.advisers_without_region()
    if not count:
        return None
    who = "adviser has" if count == 1 else "advisers have"
    return (
        f"{count} {who} no region, so regional closures (public holidays) do not close them: "
        "set regions on the Advisers page."
    )


def show_panel(svc: Services) -> None:
    """A warning naming each excluded record; nothing when every record is usable."""
    records = svc.quality.excluded()
    if not records:
        return
    body = "\n".join(f"- {plain(line)}" for line in panel_words(records))
    st.warning(
        f"**{summary(records)}** — everyone else is still allocated. Fix these in HubSpot "
        f"(or on the Advisers page), then sync:\n\n{body}",
        icon=":material/report:",
    )
