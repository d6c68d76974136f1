"""Data shown as text: escaped wherever Streamlit or Plotly would read it as formatting, and
worded the one way people read it everywhere in the console.

Formatting (``day``, ``moment``, ``week``, ``status_words``, ``source_words``, ``readable``): a
day reads "7 Dec 2026" on every page, in every message and every CSV; a moment "7 Dec 2026,
14:05" in the firm's timezone (the stored rules' ``timezone``); nothing empty reads ``None``;
codes read as words. They are written once, in ``services.words`` (use cases describing a change
in words need them too), and pages reach them here.

Escaping:

Names, packages, households, notes and error messages come from HubSpot, Employment Hero and
editors. Streamlit renders markdown in ``st.markdown``, ``st.caption``, ``st.write`` of a
string, the alerts (``st.error`` …), toasts, and the labels of expanders, tabs and buttons; there
``![h](http://attacker/p.png)`` makes every editor's browser fetch the image and
``[Reconnect](http://attacker/x)`` draws a convincing link. Plotly reads a subset of HTML
(``<a href>``, ``<b>``) in tick labels, legends and hover text. Tables (``st.dataframe``) and the
options of select boxes show text as it is, so they need nothing.

``plain`` is for every value placed in markdown, ``chart_text`` for every value placed in a
Plotly figure. Both keep the words as they are: what the reader sees is the data, literally.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pandas as pd

from services.words import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    actor_words,
    day,
    local,
    missing,
    moment,
    number,
    source_words,
    status_words,
    text,
    week,
)

__all__ = [
    "DATETIME_FORMAT",
    "DATE_FORMAT",
    "actor_words",
    "chart_text",
    "day",
    "local",
    "missing",
    "moment",
    "number",
    "plain",
    "readable",
    "source_words",
    "status_words",
    "text",
    "week",
]  # fmt: skip

# Characters that start markup anywhere in a line: links and images, emphasis, code, HTML,
# autolinks and entities, tables, strikethrough, and Streamlit's $maths$. CommonMark lets a
# backslash escape any ASCII punctuation, and the escaped character shows as itself.
_INLINE = frozenset("\\`*_[]()!<>#|~$&")
# A colon starts Streamlit's :emoji:, :material/icon: and :colour[…] only when a name follows.
# Streamlit looks for those in the markdown source itself, where a backslash does not hide
# them, so such a colon is written as a character reference instead (it still shows as ":").
_NAMED = re.compile(r":(?=[\w+-])")
COLON = "&#58;"
# At the start of a line: headings, quotes, lists, thematic breaks and setext underlines.
_LINE_START = re.compile(r"^(?:[-+=]|\d{1,9}(?=[.)]))")
# GitHub-flavoured markdown turns a bare "http://…", "https://…" or "www.…" into a link even
# when every character of it is escaped; an invisible word joiner after the scheme or "www"
# keeps it as text (it is not a character anyone reads or types).
_BARE_LINK = re.compile(r"(https?)(?=://)|(www)(?=\.)", re.IGNORECASE)
WORD_JOINER = "\u2060"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # invisible, or drawn as a replacement mark


def plain(value: object) -> str:
    """``value`` as markdown that renders exactly its text, on one line.

    Line breaks and runs of spaces become one space (markdown would not show them either),
    so only the value's first character can start a line, and it is escaped when it could
    start a heading, quote, list or rule. Control characters are dropped.
    """
    words = _CONTROL.sub("", " ".join(str(value).split()))
    words = _BARE_LINK.sub(lambda m: m.group(0) + WORD_JOINER, words)
    words = "".join("\\" + c if c in _INLINE else c for c in words)
    words = _NAMED.sub(COLON, words)
    return _LINE_START.sub(_escape_marker, words)


def _escape_marker(match: re.Match[str]) -> str:
    marker = match.group(0)
    # 1. becomes 1\. (the full stop escaped); - becomes \-
    return marker + "\\" if marker.isdigit() else "\\" + marker


def chart_text(value: object) -> str:
    """``value`` as Plotly text (tick labels, legend names, hover text): tags shown as text."""
    return html.escape(str(value), quote=False)


def date_words(when: dt.date) -> str:
    """The console's one date format, as people write it: "7 Dec 2026" (``words.day``)."""
    return day(when)


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell of ``frame`` as text a person reads (``text``): dates in the one format,
    numbers rounded, empty cells empty. For tables shown without a column configuration."""
    return frame.map(text) if len(frame) else frame.astype(object)
