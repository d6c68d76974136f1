"""A page's filters kept in its URL (``st.query_params``) and across moves between pages.

Streamlit forgets a widget's value when its page is left (a sidebar move, ◆ → schedule) and
a reload starts a new session. So each page that has filters names them once, as ``Field``s,
and calls ``UrlView.restore`` before drawing its widgets and ``UrlView.keep`` after:

- ``keep`` writes the values that differ from the defaults into the URL, so the address bar
  is always a link to the view on screen (bookmark it, paste it in Chat, reload), and into
  session state, which outlives a page move;
- ``restore`` puts them back into the widgets: from the URL when the URL is not what this
  session last wrote (a shared link, a reload, the browser's Back), else from session state
  for widgets Streamlit has forgotten (arriving from the sidebar, whose link has no query).
  A value the page no longer offers (a package since renamed) is dropped, and said so.

A widget the person just changed is never overwritten: its new value is in session state and
the URL still says what ``keep`` wrote on the previous run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

TRUE_WORDS = ("yes", "true", "1", "on")
FALSE_WORDS = ("no", "false", "0", "off")


@dataclass(frozen=True)
class Field:
    """One widget whose value travels in the URL as ``?param=…`` (repeated for lists)."""

    key: str  # the widget's session-state key (console.state)
    param: str  # its name in the URL: short, readable
    default: Any  # the value when the URL says nothing; never written to the URL
    label: str = ""  # how the page names it, for "the link's pod … is not known"
    free_text: bool = False  # any text is a value (a deal id), not one of a list or a date

    def encode(self, value: Any) -> list[str]:
        if value == self.default or value is None:
            return []
        if isinstance(value, bool):
            return ["yes" if value else "no"]
        if isinstance(value, dt.date):
            return [value.isoformat()]
        if isinstance(value, list | tuple):
            return [str(v) for v in value]
        return [str(value)]

    def decode(self, words: list[str], options: Sequence[Any] | None) -> tuple[Any, list[str]]:
        """The value ``words`` stand for, and the words that stand for nothing on offer."""
        if not words:
            return self.default, []
        if isinstance(self.default, bool):
            word = words[-1].casefold()
            if word in TRUE_WORDS + FALSE_WORDS:
                return word in TRUE_WORDS, []
            return self.default, [words[-1]]
        if isinstance(self.default, list):
            kept = [w for w in words if options is None or w in options]
            return kept, [w for w in words if w not in kept]
        word = words[-1]
        if self.free_text:
            return (word.strip() or self.default), []
        if self.default is None and options is None:  # a date
            try:
                return dt.date.fromisoformat(word), []
            except ValueError:
                return self.default, [word]
        if options is not None and word not in options:
            return self.default, [word]
        return word, []


class UrlView:
    """The fields of one page, remembered under ``memory_key`` in session state."""

    def __init__(self, memory_key: str, fields: Sequence[Field]) -> None:
        self.memory_key = memory_key
        self.fields = tuple(fields)

    def _in_url(self) -> dict[str, list[str]]:
        return {
            f.param: st.query_params.get_all(f.param)
            for f in self.fields
            if f.param in st.query_params
        }

    def restore(self, options: Mapping[str, Sequence[Any]] | None = None) -> list[str]:
        """Before the widgets are drawn. ``options``: per widget key, the values it offers.
        Returns a sentence per value the URL asked for that is not on offer."""
        options = options or {}
        memory: dict[str, list[str]] | None = st.session_state.get(self.memory_key)
        url = self._in_url()
        force = bool(url) and url != memory  # a link, a reload or Back: the URL decides
        source = url if force else (memory or {})
        problems = []
        for f in self.fields:
            if not force and f.key in st.session_state:
                continue  # the widget still holds its value (perhaps just changed)
            if not force and memory is None:
                continue  # nothing to restore: the widget starts at its default
            value, unknown = f.decode(source.get(f.param, []), options.get(f.key))
            st.session_state[f.key] = value
            name = f.label or f.param
            problems += [f"The link's {name} “{w}” is not known here." for w in unknown]
        return problems

    def keep(self) -> None:
        """After the widgets are drawn: the URL and session state follow their values."""
        encoded = {f.param: f.encode(st.session_state.get(f.key, f.default)) for f in self.fields}
        encoded = {param: words for param, words in encoded.items() if words}
        st.session_state[self.memory_key] = encoded
        for f in self.fields:
            words = encoded.get(f.param)
            if words and st.query_params.get_all(f.param) != words:
                st.query_params[f.param] = words if len(words) > 1 else words[0]
            elif not words and f.param in st.query_params:
                del st.query_params[f.param]
