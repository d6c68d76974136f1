"""Every setting the code reads is documented where people look for it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from settings import KEYS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("doc", [".streamlit/secrets.toml.example", "README.md"])
def test_every_setting_is_documented(doc: str) -> None:
    text = (ROOT / doc).read_text()
    missing = [key.name for key in KEYS if not re.search(rf"\b{key.name}\b", text)]
    assert missing == [], f"{doc} does not mention {missing}"


def test_the_secrets_example_holds_no_real_value() -> None:
    example = (ROOT / ".streamlit/secrets.toml.example").read_text()
    for key in KEYS:
        if key.secret:
            assert re.search(rf'^# {key.name} = ""$', example, re.M), key.name
