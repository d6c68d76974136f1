"""Data flows one way, and this test keeps it so: each layer imports only the layers below it.

allocation/    imports nothing of ours (the pure core)
services/      imports allocation
integrations/  imports services and allocation (adapters implement the ports)
console/       imports services and allocation (render helpers, session state)
pages/         imports console, services and allocation
settings.py, structured_logging.py: services and allocation at most
bootstrap.py, app.py, webhook.py, cli.py: the entry points, the only ones to import adapters
bench/, devtools/: anything but tests; nothing of production imports them, nor tests/
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = ("allocation", "services", "integrations", "console", "pages", "settings",
        "structured_logging", "bootstrap", "app", "webhook", "cli", "bench", "devtools",
        "tests")  # fmt: skip
ENTRY_POINTS = {"bootstrap", "app", "webhook", "cli"}
BELOW_ENTRY_POINTS = frozenset(
    {"allocation", "services", "integrations", "console", "settings", "structured_logging",
     "bootstrap"}
)  # fmt: skip
ALLOWED: dict[str, frozenset[str]] = {
    "allocation": frozenset({"allocation"}),
    "services": frozenset({"allocation", "services"}),
    "integrations": frozenset({"allocation", "services", "integrations"}),
    "console": frozenset({"allocation", "services", "console"}),
    "pages": frozenset({"allocation", "services", "console"}),
    "settings": frozenset({"allocation", "services"}),
    "structured_logging": frozenset(),
    **dict.fromkeys(ENTRY_POINTS, BELOW_ENTRY_POINTS),
    "bench": BELOW_ENTRY_POINTS | {"bench", "devtools"},
    "devtools": frozenset({"allocation", "services", "integrations", "settings", "bootstrap"}),
}


def layer_of(path: Path) -> str:
    first = path.relative_to(ROOT).parts[0]
    return first.removesuffix(".py")


def imported(source: str) -> list[tuple[int, str]]:
    """(line, top-level package) of every import of ours in the source, lazy ones and
    type-checking-only ones included."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name.split(".")[0]) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return [(line, name) for line, name in found if name in OURS]


def production_files() -> list[Path]:
    files = [p for layer in ALLOWED for p in sorted(ROOT.glob(f"{layer}/**/*.py"))]
    files += [ROOT / f"{name}.py" for name in ALLOWED if (ROOT / f"{name}.py").exists()]
    return files


def wrong_way(layer: str, where: str, source: str) -> list[str]:
    allowed = ALLOWED[layer] | {layer}
    return [
        f"{where}:{line} imports {name}" for line, name in imported(source) if name not in allowed
    ]


def test_every_import_points_down_the_layers() -> None:
    problems = [
        problem
        for path in production_files()
        for problem in wrong_way(layer_of(path), str(path.relative_to(ROOT)), path.read_text())
    ]
    assert problems == [], "wrong-way imports:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("layer", "source", "wrong"),
    [
        ("services", "from integrations.errors import SignatureRejected\n", True),
        ("allocation", "import services\n", True),
        ("console", "from integrations.sqlite import SqliteStore\n", True),
        ("bench", "from tests.fakes import InMemoryStore\n", True),
        ("pages", "from console import widgets\n", False),
        (
            "console",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import settings\n",
            True,
        ),
        ("integrations", "def f():\n    from services.errors import Conflict\n", False),
    ],
)
def test_the_rule_catches_a_wrong_way_import(layer: str, source: str, wrong: bool) -> None:
    assert bool(wrong_way(layer, "probe.py", source)) is wrong
