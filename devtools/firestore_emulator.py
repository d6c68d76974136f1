"""Start, reach, reset and stop the Firestore emulator that ships with the Google Cloud CLI.

``gcloud emulators firestore start`` is a wrapper that leaves a Java child behind, so the
emulator runs in its own process group and stopping it signals the whole group.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import requests

READY_WITHIN_SECONDS = 90.0
STOP_WITHIN_SECONDS = 15.0


class EmulatorDidNotStart(RuntimeError):
    """The emulator exited or never answered; the message carries its output."""


@dataclass
class Emulator:
    host: str  # "127.0.0.1:PORT", the value FIRESTORE_EMULATOR_HOST takes
    process: subprocess.Popen[bytes] | None = None  # None when someone else runs it
    log: IO[bytes] | None = None
    started_in: float = 0.0  # seconds from launch until it answered

    def output(self) -> str:
        if self.log is None:
            return ""
        return Path(self.log.name).read_text(errors="replace")

    def reset(self, project: str) -> None:
        """Delete every document of ``project`` (the emulator's own reset endpoint)."""
        url = f"http://{self.host}/emulator/v1/projects/{project}/databases/(default)/documents"
        requests.delete(url, timeout=10).raise_for_status()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            _stop_group(self.process)
        if self.log is not None:
            self.log.close()
            Path(self.log.name).unlink(missing_ok=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(gcloud: str, ready_within: float = READY_WITHIN_SECONDS) -> Emulator:
    host = f"127.0.0.1:{free_port()}"
    # The log outlives this function (the emulator writes to it until stopped); stop() closes it.
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115
        prefix="firestore-emulator-", suffix=".log", delete=False
    )
    command = [gcloud, "emulators", "firestore", "start", f"--host-port={host}", "--quiet"]
    launched = time.monotonic()
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so the Java child stops with it
    )
    emulator = Emulator(host=host, process=process, log=log)
    try:
        _wait_until_answering(emulator, launched + ready_within)
    except BaseException:
        emulator.stop()
        raise
    emulator.started_in = time.monotonic() - launched
    return emulator


def _wait_until_answering(emulator: Emulator, deadline: float) -> None:
    assert emulator.process is not None
    while time.monotonic() < deadline:
        if _answers(emulator.host):
            return
        try:
            code = emulator.process.wait(timeout=0.25)  # the pause between polls
        except subprocess.TimeoutExpired:
            continue
        raise EmulatorDidNotStart(
            f"the Firestore emulator exited with status {code} before answering:\n"
            f"{emulator.output()}"
        )
    raise EmulatorDidNotStart(
        f"the Firestore emulator did not answer on {emulator.host} in time:\n{emulator.output()}"
    )


def _answers(host: str) -> bool:
    try:
        return requests.get(f"http://{host}/", timeout=1).ok
    except requests.RequestException:
        return False


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    group = process.pid  # a new session's leader leads its own process group
    os.killpg(group, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_WITHIN_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(group, signal.SIGKILL)
        process.wait(timeout=STOP_WITHIN_SECONDS)
    # The wrapper may exit before its Java child; make sure nothing of the group survives.
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        return
