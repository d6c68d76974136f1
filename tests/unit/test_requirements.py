"""requirements.txt pins everything the console's features need at run time.

``st.login`` imports Authlib's Starlette client, which needs httpx: both come with Streamlit's
``auth`` extra, so a pin missing one of them made *Sign in* crash with ModuleNotFoundError.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def pinned() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            requirement = Requirement(line)
            [spec] = requirement.specifier  # runtime packages are pinned exactly
            assert spec.operator == "==", line
            pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def streamlit_extra(extra: str) -> list[Requirement]:
    """What ``streamlit[<extra>]`` adds to a plain ``streamlit`` install."""
    wanted = [Requirement(r) for r in importlib.metadata.requires("streamlit") or ()]
    return [
        r
        for r in wanted
        if r.marker is not None
        and r.marker.evaluate({"extra": extra})
        and not r.marker.evaluate({"extra": ""})
    ]


def test_the_installed_streamlit_is_the_pinned_one() -> None:
    assert importlib.metadata.version("streamlit") == pinned()["streamlit"]


def test_every_package_of_streamlits_auth_extra_is_pinned_in_a_version_it_accepts() -> None:
    pins = pinned()
    needed = streamlit_extra("auth")
    assert {canonicalize_name(r.name) for r in needed} >= {"authlib", "httpx"}

    for requirement in needed:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"requirements.txt does not pin {requirement} (st.login needs it)"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} ∉ {requirement}"
