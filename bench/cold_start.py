"""How long a new webhook instance takes before it can answer: importing ``webhook.py`` and
its first request (a health check on a fresh embedded store), each in a new Python process,
as Cloud Run starts one. Also says whether Streamlit was loaded (it never should be)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ["what", "median_ms", "p95_ms", "runs"]

_PROGRAM = """
import json, sys, time
started = time.perf_counter()
import webhook
imported = time.perf_counter()
from functions_framework import create_app
app = create_app(target="hubspot_webhook", source=sys.argv[1])
client = app.test_client()
ready = time.perf_counter()
reply = client.get("/")
answered = time.perf_counter()
print(json.dumps({
    "import": imported - started, "first": answered - ready, "status": reply.status_code,
    "streamlit": "streamlit" in sys.modules,
}))
"""


def _once(workdir: Path) -> dict[str, Any]:
    env = {
        "PYTHONPATH": str(ROOT),
        "PATH": "/usr/bin:/bin",
        "HOME": str(workdir),
        "CONSOLE_STORE": f"sqlite:///{workdir / 'cold.db'}",
        "CONSOLE_DEMO": "0",
    }
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM, str(ROOT / "webhook.py")],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    last = [line for line in done.stdout.splitlines() if line.startswith('{"import"')][-1]
    result: dict[str, Any] = json.loads(last)
    return result


def _row(what: str, seconds: list[float]) -> dict[str, Any]:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "what": what,
        "median_ms": round(statistics.median(ordered) * 1000),
        "p95_ms": round(p95 * 1000),
        "runs": len(ordered),
    }


def run(runs: int = 10) -> list[dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(runs):
            workdir = Path(tmp) / str(n)
            workdir.mkdir()
            results.append(_once(workdir))
    loaded = any(r["streamlit"] for r in results)
    return [
        _row("import webhook.py", [r["import"] for r in results]),
        _row(
            f"first request (health, status {results[0]['status']}; Streamlit loaded: "
            f"{'yes' if loaded else 'no'})",
            [r["first"] for r in results],
        ),
        _row("import + first request", [r["import"] + r["first"] for r in results]),
    ]
