"""The deploy recipe as data, read from the files people run: the Dockerfile's start command
and environment, deploy/*.env.yaml, and the commands written in docs/deploy.md.

Tests check these against each other and against the code, so the recipe cannot drift from
what the tests run.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "deploy.md"
SEPARATORS = {"|", "||", "&&", ";", "(", ")"}


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = "\n".join(lines).replace("\\\n", " ")
    pairs = []
    for line in joined.splitlines():
        if line.strip():
            instruction, _, rest = line.strip().partition(" ")
            pairs.append((instruction.upper(), rest.strip()))
    return pairs


def start_command() -> list[str]:
    """The image's CMD (exec form), exactly as the container runs it."""
    [cmd] = [rest for name, rest in dockerfile() if name == "CMD"]
    command = json.loads(cmd)
    assert isinstance(command, list), f"CMD must be the exec form (a JSON list): {cmd}"
    return [str(word) for word in command]


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for name, rest in dockerfile():
        if name == "ENV":
            env |= dict(word.split("=", 1) for word in shlex.split(rest))
    return env


def base_image() -> str:
    return next(rest for name, rest in dockerfile() if name == "FROM")


def env_file(name: str) -> dict[str, str]:
    """deploy/<name>.env.yaml as the strings Cloud Run will set."""
    values = yaml.safe_load((ROOT / "deploy" / f"{name}.env.yaml").read_text())
    assert isinstance(values, dict), name
    return {str(k): str(v) for k, v in values.items()}


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]  # the program, its command path and positional arguments
    flags: tuple[tuple[str, str | None], ...]  # ("--flag", "value" or None), in order

    def has(self, *words: str) -> bool:
        return self.words[: len(words)] == words

    def flag(self, name: str) -> str | None:
        values = self.values(name)
        assert len(values) <= 1, f"{name} given twice in {self}"
        return values[0] if values else None

    def values(self, name: str) -> list[str]:
        return [v if v is not None else "" for f, v in self.flags if f == name]

    def secrets(self) -> dict[str, str]:
        """--set-secrets as {variable or mount path: secret name}."""
        pairs = (item.split("=", 1) for item in (self.flag("--set-secrets") or "").split(","))
        return {target: source.split(":")[0] for target, source in pairs}


def commands(program: str = "gcloud") -> list[Command]:
    """Every ``program`` command in the docs' bash blocks, pipelines and $(…) split apart."""
    found = []
    for block in re.findall(r"```bash\n(.*?)```", DOCS.read_text(), re.S):
        for line in block.replace("\\\n", " ").splitlines():
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split, lexer.commenters = True, "#"
            segment: list[str] = []
            for token in [*lexer, ";"]:
                if token not in SEPARATORS:
                    segment.append(token)
                    continue
                if segment and segment[0] == program:
                    found.append(_command(segment))
                segment = []
    return found


def _command(tokens: list[str]) -> Command:
    words = []
    for token in tokens:
        if token.startswith("-"):
            break
        words.append(token)
    flags: list[tuple[str, str | None]] = []
    for token in tokens[len(words) :]:
        if not token.startswith("-") and flags and flags[-1][1] is None:
            flags[-1] = (flags[-1][0], token)  # "--project ID": the value of the flag before
            continue
        name, sep, value = token.partition("=")
        flags.append((name, value if sep else None))
    return Command(tuple(words), tuple(flags))


def one(*words: str) -> Command:
    [found] = [c for c in commands() if c.has("gcloud", *words)]
    return found


def account_of(command: Command) -> str:
    """'console-app' from --service-account=console-app@$PROJECT_ID.iam.gserviceaccount.com."""
    return (command.flag("--service-account") or "").split("@")[0]


def secret_grants() -> dict[str, set[str]]:
    """Service account → the secrets it is granted access to in the docs."""
    grants: dict[str, set[str]] = {}
    for c in commands():
        if c.has("gcloud", "secrets", "add-iam-policy-binding"):
            assert c.flag("--role") == "roles/secretmanager.secretAccessor", c
            member = (c.flag("--member") or "").removeprefix("serviceAccount:").split("@")[0]
            grants.setdefault(member, set()).add(c.words[3])
    return grants
