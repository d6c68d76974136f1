"""A real `streamlit run app.py` on a free port, driven by Playwright in Debian's Chromium.

Without Chromium (or Playwright) the browser tests skip with the reason; with
CONSOLE_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser fails them instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--headless",
    # The machine has no network: stop Chromium trying to reach Google's services.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
STARTUP_SECONDS = 60
VIEWPORT = {"width": 1280, "height": 900}


def _missing(reason: str) -> None:
    if os.environ.get("CONSOLE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (CONSOLE_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)  # polling a server that is starting, not pacing a timed assertion
    raise RuntimeError(
        f"streamlit not healthy after {STARTUP_SECONDS}s:\n{log.read_text()[-3000:]}"
    )


@pytest.fixture(scope="session")
def console_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The console on a fresh embedded store with demo data, like a newcomer's first start."""
    workdir = tmp_path_factory.mktemp("console")
    yield from running_console(workdir, f"sqlite:///{workdir / 'console.db'}", demo=True)


def running_console(workdir: Path, store_url: str, *, demo: bool) -> Iterator[str]:
    """``streamlit run app.py`` on ``store_url`` until the generator is closed: its URL."""
    if shutil.which("streamlit") is None:
        _missing("the streamlit command is not installed")
    port = _free_port()
    log = workdir / "streamlit.log"
    env = {
        **os.environ,
        "CONSOLE_STORE": store_url,
        "CONSOLE_DEMO": "1" if demo else "0",
        "PYTHONPATH": str(ROOT),
    }
    for key in ("CONSOLE_REQUIRE_AUTH", "FIRESTORE_EMULATOR_HOST"):
        env.pop(key, None)
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, log)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, console_url, request):  # type: ignore[no-untyped-def]
    """A 1280 px wide tab; a screenshot of how it ended is kept in test-artifacts/."""
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    _whole_page(tab)
    tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def _whole_page(tab) -> None:  # type: ignore[no-untyped-def]
    """Make the window as tall as the page. Streamlit scrolls inside its main pane, not the
    document, so Playwright's full-page screenshot alone would stop at the window's edge."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        height = tab.evaluate(
            "() => (document.querySelector('[data-testid=\"stMain\"]') || document.body)"
            ".scrollHeight"
        )
        tab.set_viewport_size(
            {"width": VIEWPORT["width"], "height": min(max(int(height), 900), 8000)}
        )
        tab.evaluate("() => new Promise(done => requestAnimationFrame(() => done(null)))")
    except PlaywrightError:  # a crashed or closed tab: take whatever screenshot still can be
        pass
