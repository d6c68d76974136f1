"""Start a command that serves the console, wait for its health check, report, stop it.

    python -m tests.integration.console_probe PORT LOG -- COMMAND...

Run inside a private network namespace (``unshare --map-root-user --net``), where the only
interface is a loopback brought up here: the container's start command binds 0.0.0.0, and in
there that reaches nothing but this probe. Prints one JSON line: the health status and the
addresses the port listens on.
"""

from __future__ import annotations

import fcntl
import json
import socket
import struct
import subprocess
import sys
from pathlib import Path

from tests.streamlit_server import stop, wait_healthy

SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def loopback_up() -> None:
    """A new network namespace starts with ``lo`` down; bring it up (no ``ip`` needed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | IFF_UP))


def listening_addresses(port: int) -> list[str]:
    """IPv4 addresses with a socket listening on ``port``, from /proc/net/tcp."""
    found = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
            found.append(socket.inet_ntoa(struct.pack("<I", int(address, 16))))
    return found


def main(argv: list[str]) -> int:
    port, log, command = int(argv[0]), Path(argv[1]), argv[argv.index("--") + 1 :]
    loopback_up()
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    report: dict[str, object] = {}
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, log)
        report = {"health": 200, "listening_on": listening_addresses(port)}
    except RuntimeError as exc:
        report = {"health": None, "error": str(exc)}
    finally:
        if process.poll() is None:
            stop(process)
    print(json.dumps(report))
    return 0 if report["health"] == 200 else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
