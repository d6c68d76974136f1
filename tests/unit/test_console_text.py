"""Data placed in markdown or a Plotly figure is shown as the text it is: no link, no image,
no HTML, no formatting, whatever it contains."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.text import chart_text, plain
from tests.app.markdown_view import INVISIBLE, drawn_markup, shown

HOSTILE = [
    "![h](http://attacker/p.png) [Reconnect](http://attacker/x)",
    '<img src="http://attacker/i.png"> <a href="http://attacker/a">session expired · sign in</a>',
    "<http://attacker/auto> http://attacker/bare HTTPS://attacker/x www.attacker.example",
    "**bold** _it_ `code` ~~gone~~ $x^2$ :red[red] :material/lock: :smile: &lt;b&gt; &amp;",
    "[Reconnect][ref]\n\n[ref]: http://attacker/x",
    "| a | b |\n|---|---|\n| c | d |",
]
LINE_STARTS = ["# Heading", "> quote", "- item", "+ item", "* item", "1. item", "2) item",
               "---", "===", "    code", "```", "~~~", "| a |"]  # fmt: skip
SYMBOLS = st.sampled_from([*"\\`*_[]()!<>#|~$&:;.-+=/@\"'{}^%?,", "http://", "www.", "\n"])


@pytest.mark.parametrize("data", HOSTILE + LINE_STARTS)
def test_hostile_text_draws_nothing_and_reads_as_written(data: str) -> None:
    for placed in (plain(data), f"Deal 7: {plain(data)} — decided", f"- {plain(data)}"):
        assert drawn_markup(placed) == []
    assert shown(plain(data)) == " ".join(data.split())


@pytest.mark.parametrize("data", LINE_STARTS)
def test_a_value_starting_a_line_starts_no_block(data: str) -> None:
    assert shown(f"Before\n{plain(data)}") == f"Before {' '.join(data.split())}"


@given(st.lists(st.one_of(st.text(max_size=6), SYMBOLS), max_size=12).map("".join))
def test_any_text_draws_nothing_and_reads_as_written(data: str) -> None:
    assert drawn_markup(plain(data)) == []
    # The reader's view drops the word joiner plain adds; plain drops control characters.
    readable = re.sub(r"[\x00-\x1f\x7f-\x9f]", "", " ".join(data.split()))
    assert shown(plain(data)) == " ".join(readable.replace(INVISIBLE, "").split())


def test_ordinary_words_stay_readable_in_the_markdown_itself() -> None:
    assert (
        plain("Saved: 2 added, Dana Lee (NSW) at 9:30")
        == "Saved: 2 added, Dana Lee \\(NSW\\) at 9&#58;30"
    )


def test_chart_text_shows_tags_as_text() -> None:
    assert chart_text('<a href="http://attacker/x">Dana</a> & Co') == (
        '&lt;a href="http://attacker/x"&gt;Dana&lt;/a&gt; &amp; Co'
    )
