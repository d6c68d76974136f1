"""The deploy recipe, run: the container's exact start command serves the console, each
scheduled sync's exact command works on a store with nothing connected, and every gcloud flag
written in docs/deploy.md exists.

The start command binds 0.0.0.0, so it runs inside a private network namespace whose only
interface is loopback (``unshare --map-root-user --net``): the command is the container's,
unchanged, and still nothing listens outside this machine's loopback. Where namespaces or gcloud
are missing these skip with the reason; in CI (CONSOLE_REQUIRE_EMULATOR=1 or
CONSOLE_REQUIRE_BROWSER=1) they fail instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from settings import KEYS
from tests.deploy_recipe import ROOT, Command, commands, env_file, image_env, start_command
from tests.streamlit_server import STARTUP_SECONDS, free_port

AUTH_SECTION = """
[auth]
redirect_uri = "http://127.0.0.1/oauth2callback"
cookie_secret = "test-cookie-secret-not-used-for-anything"
client_id = "test-client"
client_secret = "test-client-secret"
server_metadata_url = "https://accounts.example.test/.well-known/openid-configuration"
"""


def _unavailable(reason: str) -> None:
    required = {os.environ.get(v) for v in ("CONSOLE_REQUIRE_EMULATOR", "CONSOLE_REQUIRE_BROWSER")}
    if "1" in required:
        pytest.fail(f"deploy recipe test required in CI but {reason}", pytrace=False)
    pytest.skip(reason)


def clean_env(tmp_path: Path) -> dict[str, str]:
    """This machine's environment without any console setting, HOME in the scratch folder."""
    env = {k: v for k, v in os.environ.items() if k not in {key.name for key in KEYS}}
    env.pop("FIRESTORE_EMULATOR_HOST", None)
    bin_dir = str(Path(sys.executable).parent)  # `streamlit` and `python` of this interpreter
    return env | {"HOME": str(tmp_path), "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"}


def test_the_containers_start_command_serves_the_console_on_every_interface(tmp_path):
    if (
        shutil.which("unshare") is None
        or subprocess.run(
            ["unshare", "--map-root-user", "--net", "true"], capture_output=True, check=False
        ).returncode
    ):
        _unavailable("cannot make a private network namespace (unshare --map-root-user --net)")
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(AUTH_SECTION)
    port = free_port()
    env = clean_env(tmp_path) | env_file("console") | image_env()
    env |= {  # what Cloud Run provides, pointed at scratch files
        "PORT": str(port),
        "SECRETS_FILE": str(secrets),
        "CONSOLE_STORE": f"sqlite:///{tmp_path / 'console.db'}",
    }

    probe = subprocess.run(
        ["unshare", "--map-root-user", "--net", sys.executable, "-m",
         "tests.integration.console_probe", str(port), str(tmp_path / "console.log"),
         "--", *start_command()],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=STARTUP_SECONDS + 30,
    )  # fmt: skip

    assert probe.stdout.strip(), probe.stderr
    report = json.loads(probe.stdout.strip().splitlines()[-1])
    assert report["health"] == 200, report.get("error") or probe.stderr
    assert "0.0.0.0" in report["listening_on"]
    assert env["CONSOLE_REQUIRE_AUTH"] == "1"  # the recipe's own setting was in force


def scheduled_commands() -> list[tuple[str, list[str]]]:
    jobs = [c for c in commands() if c.has("gcloud", "run", "jobs", "deploy")]
    return [(c.words[-1], [c.flag("--command") or "", *(c.flag("--args") or "").split(",")])
            for c in jobs]  # fmt: skip


@pytest.mark.parametrize(("job", "command"), scheduled_commands(), ids=lambda v: str(v))
def test_each_scheduled_job_exits_zero_when_its_sources_are_not_connected(tmp_path, job, command):
    env = clean_env(tmp_path) | env_file("sync") | {"PYTHONPATH": str(ROOT)}
    env["CONSOLE_STORE"] = f"sqlite:///{tmp_path / 'console.db'}"
    program = sys.executable if command[0] == "python" else command[0]

    done = subprocess.run(
        [program, *command[1:]], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    if job == "sync-holidays":  # needs no account: it really syncs
        assert lines[0].startswith("holidays: ok (+")
    elif job == "capacity-outlook":  # a new firm's empty store: nothing to keep, and it says so
        assert lines[0].startswith("outlook: nothing kept: no adviser offers a package yet")
    else:
        assert lines
        assert all(": skipped: " in line for line in lines), lines


# The gcloud commands the recipe uses; a new one is added here so its flags get checked.
GCLOUD_COMMANDS = {
    ("config", "set"),
    ("services", "enable"),
    ("firestore", "databases", "create"),
    ("firestore", "indexes", "composite", "create"),
    ("firestore", "indexes", "composite", "list"),
    ("iam", "service-accounts", "create"),
    ("projects", "add-iam-policy-binding"),
    ("secrets", "create"),
    ("secrets", "add-iam-policy-binding"),
    ("run", "deploy"),
    ("run", "services", "describe"),
    ("functions", "deploy"),
    ("functions", "describe"),
    ("run", "jobs", "deploy"),
    ("run", "jobs", "add-iam-policy-binding"),
    ("run", "jobs", "execute"),
    ("scheduler", "jobs", "create", "http"),
}


def command_path(command: Command) -> tuple[str, ...]:
    paths = [p for p in GCLOUD_COMMANDS if command.words[1 : 1 + len(p)] == p]
    assert paths, f"add the command of {' '.join(command.words)} to GCLOUD_COMMANDS"
    return max(paths, key=len)


def gcloud_flags(path: tuple[str, ...]) -> set[str]:
    """The flags ``gcloud PATH --help`` documents (with their --no- forms), global ones too."""
    done = subprocess.run(
        ["gcloud", *path, "--help"], capture_output=True, text=True, timeout=120,
        env=os.environ | {"CLOUDSDK_CORE_DISABLE_PROMPTS": "1", "PAGER": "cat"},
    )  # fmt: skip
    assert done.returncode == 0, f"gcloud {' '.join(path)}: {done.stderr}"
    text = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout)
    flags = set(re.findall(r"--(?:\[no-\])?([a-z0-9-]+)", text))
    return flags | {f"no-{flag}" for flag in flags}


def test_every_gcloud_flag_in_the_recipe_exists_in_the_installed_gcloud():
    if shutil.which("gcloud") is None:
        _unavailable("gcloud is not installed")
    used: dict[tuple[str, ...], set[str]] = {}
    for command in commands():
        used.setdefault(command_path(command), set()).update(f for f, _ in command.flags)
    with_flags = sorted(path for path, flags in used.items() if flags)

    with ThreadPoolExecutor(max_workers=4) as pool:  # each `gcloud --help` takes seconds
        known = dict(zip(with_flags, pool.map(gcloud_flags, with_flags), strict=True))

    unknown = [f"gcloud {' '.join(p)} {f}" for p in with_flags for f in sorted(used[p])
               if f.removeprefix("--") not in known[p]]  # fmt: skip
    assert unknown == []
