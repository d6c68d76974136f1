"""What a reader sees of the markdown a page draws, read the way a browser would read it.

Streamlit renders CommonMark with GitHub's extensions (tables, strikethrough, bare URLs as
links); ``markdown-it-py`` with the same extensions stands in for it. ``shown`` is the text a
reader sees, ``drawn_markup`` the links, images and raw HTML a string would draw, and
``markdown_sources`` every string of a page that Streamlit renders as markdown: bodies of
markdown, captions, headings, alerts and toasts, and the labels and help of widgets, expanders,
tabs and status boxes (select box options and table cells are shown as they are).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import (
    AlertBase,
    Block,
    Element,
    Expander,
    HeadingBase,
    Markdown,
    Metric,
    Radio,
    Status,
    Tab,
    Toast,
    Widget,
)

_MD = MarkdownIt("gfm-like")
# GitHub links bare "http://…", "https://…", "www.…" and e-mail addresses, not bare domains;
# linkify-it ties "www." to bare domains, so "www." is looked for in the text separately.
_MD.linkify.set({"fuzzy_link": False})
_WWW = re.compile(r"(?<![\w.])www\.[\w-]", re.IGNORECASE)
INVISIBLE = "\u2060"  # the word joiner console.text puts after "http" and "www"


def _tokens(markdown: str) -> Iterator[Token]:
    for token in _MD.parse(markdown):
        yield token
        yield from token.children or ()


def shown(markdown: str) -> str:
    """The text a reader sees (formatting dropped, escapes and entities resolved)."""
    parts: list[str] = []
    for token in _tokens(markdown):
        if token.type in {"text", "code_inline"}:
            parts.append(token.content)
        elif token.type in {"softbreak", "hardbreak"} or (
            token.type.endswith("_close") and token.block
        ):
            parts.append(" ")
    return " ".join("".join(parts).replace(INVISIBLE, "").split())


def drawn_markup(markdown: str) -> list[str]:
    """Links (other than e-mail addresses), images and raw HTML the markdown would draw."""
    found = []
    for token in _tokens(markdown):
        if token.type == "image":
            found.append(f"image {token.attrGet('src')}")
        elif token.type == "link_open" and not str(token.attrGet("href")).startswith("mailto:"):
            found.append(f"link {token.attrGet('href')}")
        elif token.type in {"html_inline", "html_block"}:
            found.append(f"html {token.content.strip()}")
        elif token.type == "text" and _WWW.search(token.content):
            found.append(f"link {token.content}")
    return found


def markdown_sources(at: AppTest) -> list[tuple[str, str]]:
    """(where, markdown) for every string of the page that Streamlit renders as markdown."""
    return [found for root in (at.main, at.sidebar) for found in _walk(root)]


def _walk(node: Block | Element) -> Iterator[tuple[str, str]]:
    where = node.type
    if isinstance(node, Markdown | AlertBase | HeadingBase | Toast | Metric):
        yield where, str(node.value)
        if isinstance(node, Metric):
            yield where, str(node.proto.label)
    if isinstance(node, Widget | Expander | Status | Tab):
        yield where, str(node.label)
    if isinstance(node, Widget) and getattr(node.proto, "help", ""):
        yield where, str(node.proto.help)
    if isinstance(node, Radio):
        yield from ((where, str(option)) for option in node.options)
    if isinstance(node, Block):
        for child in node.children.values():
            yield from _walk(child)


def page_text(at: AppTest) -> str:
    """Everything a reader sees in the page's markdown, as one string."""
    return " | ".join(shown(markdown) for _, markdown in markdown_sources(at))


def chart_strings(at: AppTest) -> list[str]:
    """Every string inside the page's Plotly figures (labels, legends, hover text)."""
    found: list[str] = []
    for element in at.get("plotly_chart"):
        _strings(json.loads(element.proto.spec), found)
    return found


def _strings(value: Any, found: list[str]) -> None:
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, found)
    elif isinstance(value, list):
        for item in value:
            _strings(item, found)
