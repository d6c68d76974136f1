"""The code uses Streamlit's public API only (the team's rule: never touch a Streamlit private
attribute): no ``_``-prefixed name reached through Streamlit, and none of the internals the
console once leaned on (``PagesManager.uses_pages_directory``, the script runner)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".git", ".venv", "node_modules", "test-artifacts", "__pycache__"}
INTERNALS = {"PagesManager", "uses_pages_directory", "get_script_run_ctx", "ScriptRunContext"}


def python_files() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        if not SKIPPED.intersection(path.relative_to(ROOT).parts):
            yield path


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def streamlit_names(tree: ast.AST) -> set[str]:
    """Local names bound to Streamlit or anything imported from it."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "streamlit":
                    names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("streamlit"):
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def violations(source: str) -> list[str]:
    tree = ast.parse(source)
    reached = streamlit_names(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("streamlit"):
            parts = [*node.module.split("."), *(a.name for a in node.names)]  # type: ignore[union-attr]
            found += [f"line {node.lineno}: import of {p}" for p in parts if private(p)]
            found += [f"line {node.lineno}: import of {p}" for p in parts if p in INTERNALS]
        elif isinstance(node, ast.Attribute) and root_name(node) in reached:
            if private(node.attr) or node.attr in INTERNALS:
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Name) and node.id in INTERNALS:
            found.append(f"line {node.lineno}: {node.id}")
    return found


def test_no_file_touches_a_streamlit_private() -> None:
    found = {
        str(path.relative_to(ROOT)): problems
        for path in python_files()
        if (problems := violations(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_check_sees_the_ways_a_private_is_reached() -> None:
    flip = "from streamlit.runtime.pages_manager import PagesManager\n"
    flip += "PagesManager.uses_pages_directory = False\n"
    assert len(violations(flip)) == 3  # the import, the class, the attribute
    assert violations("import streamlit as st\nst.session_state._new_session_state\n")
    assert violations("from streamlit import _main\n")
    assert violations("import streamlit\nstreamlit.runtime._runtime\n")
    assert not violations("import streamlit as st\nst.navigation([]).run()\nst.__version__\n")
    assert not violations("class Mine:\n    _cache = 1\nMine._cache\n")
