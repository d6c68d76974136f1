"""A real `streamlit run app.py` on a free port, driven by Playwright in Debian's Chromium.

Without Chromium (or Playwright) the browser tests skip with the reason; with
CONSOLE_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser fails them instead.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from tests.streamlit_server import free_port, stop, wait_healthy

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
VIEWPORT = {"width": 1280, "height": 900}


def _missing(reason: str) -> None:
    if os.environ.get("CONSOLE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (CONSOLE_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


@contextlib.contextmanager
def running_console(
    workdir: Path, env: Mapping[str, str] = {}, args: Sequence[str] = (), port: int = 0
) -> Iterator[str]:
    """``streamlit run app.py`` on a loopback port (``port``, or a free one) with an embedded
    store in ``workdir`` (demo data when empty), plus ``env`` and extra command-line ``args``;
    yields its URL."""
    if shutil.which("streamlit") is None:
        _missing("the streamlit command is not installed")
    port = port or free_port()
    log = workdir / "streamlit.log"
    environ = {
        **os.environ,
        "CONSOLE_STORE": f"sqlite:///{workdir / 'console.db'}",
        "CONSOLE_DEMO": "1",
        "PYTHONPATH": str(ROOT),
    }
    for key in ("CONSOLE_REQUIRE_AUTH", "FIRESTORE_EMULATOR_HOST"):
        environ.pop(key, None)
    environ.update(env)
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", *args,
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, log)
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="session")
def console_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The console on a fresh embedded store with demo data, like a newcomer's first start."""
    with running_console(tmp_path_factory.mktemp("console")) as url:
        yield url


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


@contextlib.contextmanager
def new_tab(browser, name: str):  # type: ignore[no-untyped-def]
    """A 1280 px wide tab in a fresh browser context (no cookies: nobody signed in); a
    screenshot of how it ended is kept as test-artifacts/<name>.png."""
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        yield tab
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        _whole_page(tab)
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        context.close()


@pytest.fixture
def page(browser, console_url, request):  # type: ignore[no-untyped-def]
    """A tab on the local-mode console (see ``new_tab``)."""
    with new_tab(browser, request.node.name) as tab:
        yield tab


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
