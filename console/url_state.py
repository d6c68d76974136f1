"""A page's filters kept in the URL (``st.query_params``), so a view can be bookmarked, shared
and reloaded: read into the widgets' session state on arrival, written back every run.

A value the URL carries that the page does not know (an adviser since removed, a typo) is
ignored, and the page says so once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import streamlit as st


@dataclass(frozen=True)
class Param:
    """One widget's value as one query parameter."""

    name: str  # in the URL
    key: str  # the widget's session-state key
    read: Callable[[str], Any]  # text → value; ValueError when the text is not one

    def write(self, value: Any) -> str | None:
        if value is None:
            return None
        return value.isoformat() if isinstance(value, dt.date) else str(value)


def one_of(known: Collection[str]) -> Callable[[str], str]:
    def read(text: str) -> str:
        if text not in known:
            raise ValueError(text)
        return text

    return read


def restore(params: Collection[Param]) -> list[str]:
    """Fill each widget missing from session state from the URL; the names of the
    parameters whose value was not understood."""
    ignored = []
    for param in params:
        text = st.query_params.get(param.name)
        if text is None or param.key in st.session_state:
            continue
        try:
            st.session_state[param.key] = param.read(text)
        except ValueError:
            ignored.append(param.name)
    return ignored


def keep(params: Collection[Param], defaults: Collection[Any] = (None,)) -> None:
    """Write each widget's current value to the URL (a default value leaves it out)."""
    for param in params:
        value = st.session_state.get(param.key)
        text = None if value in defaults else param.write(value)
        if text is None:
            if param.name in st.query_params:
                del st.query_params[param.name]
        elif st.query_params.get(param.name) != text:
            st.query_params[param.name] = text
