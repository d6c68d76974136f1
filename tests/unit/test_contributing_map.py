"""CONTRIBUTING.md's map of a deal's path names files and functions; they must exist, so the
map cannot drift from the code unnoticed."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STEP = re.compile(r"^\d+\. \*\*`(?P<path>[^`]+)`\*\* `(?P<name>\w+)`", re.MULTILINE)


def deal_path_steps() -> list[tuple[str, str]]:
    text = (ROOT / "CONTRIBUTING.md").read_text()
    section = text.split("## A deal's path", 1)[1].split("\n## ", 1)[0]
    return [(m["path"], m["name"]) for m in STEP.finditer(section)]


def test_the_deal_path_is_six_steps_through_files_that_define_what_it_names() -> None:
    steps = deal_path_steps()
    assert len(steps) == 6
    for path, name in steps:
        files = [ROOT / path.replace("<store>", store) for store in ("sqlite", "firestore")]
        for file in dict.fromkeys(files):
            assert re.search(rf"^\s*def {name}\(", file.read_text(), re.MULTILINE), (
                f"CONTRIBUTING.md names {name} in {file.relative_to(ROOT)}, which lacks it"
            )
