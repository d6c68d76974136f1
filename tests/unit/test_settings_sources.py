"""Where settings come from outside Streamlit: the secrets file read with tomllib, and
whether this process is production (which forbids an implicit store)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from settings import Settings, SettingsError, read_secrets_files

ROOT = Path(__file__).resolve().parents[2]


def test_the_secrets_files_are_merged_with_the_project_file_winning(tmp_path: Path) -> None:
    user, project = tmp_path / "user.toml", tmp_path / "project.toml"
    user.write_text('HUBSPOT_TOKEN = "from-user"\nEH_CLIENT_ID = "eh"\n')
    project.write_text('HUBSPOT_TOKEN = "from-project"\n[auth]\nclient_id = "x"\n')
    secrets = read_secrets_files((user, project, tmp_path / "missing.toml"))
    settings = Settings.load(environ={}, secrets=secrets)
    assert settings.require("HUBSPOT_TOKEN") == "from-project"
    assert settings.require("EH_CLIENT_ID") == "eh"
    assert settings.auth_configured is True


def test_a_malformed_secrets_file_is_named_with_the_line_at_fault(tmp_path: Path) -> None:
    broken = tmp_path / "secrets.toml"
    broken.write_text('HUBSPOT_TOKEN = "unterminated\n')
    with pytest.raises(SettingsError, match=r"secrets\.toml is not valid TOML.*line 1"):
        read_secrets_files((broken,))


def test_the_webhook_and_the_cli_read_secrets_without_importing_streamlit(tmp_path: Path) -> None:
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text('HUBSPOT_API_BASE = "http://x.test"\n')
    program = (
        "import sys, webhook, settings\n"
        "s = settings.Settings.load()\n"
        "print(s.hubspot_api_base, 'streamlit' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["http://x.test", "False"]


@pytest.mark.parametrize(
    ("environ", "why"),
    [
        ({"HUBSPOT_TOKEN": "t"}, "HUBSPOT_TOKEN is set"),
        ({"K_SERVICE": "console"}, "K_SERVICE is set"),
        ({"FUNCTION_TARGET": "hubspot_webhook"}, "FUNCTION_TARGET is set"),
        ({"CLOUD_RUN_JOB": "sync"}, "CLOUD_RUN_JOB is set"),
    ],
)
def test_production_must_name_its_store(environ: dict[str, str], why: str) -> None:
    settings = Settings.load(environ=environ, secrets={})
    assert why in settings.production
    with pytest.raises(SettingsError, match="CONSOLE_STORE must be set explicitly"):
        _ = settings.store_url
    explicit = Settings.load(environ={**environ, "CONSOLE_STORE": "firestore://firm"}, secrets={})
    assert explicit.store_url == "firestore://firm"


def test_a_laptop_without_accounts_is_not_production() -> None:
    settings = Settings.load(environ={}, secrets={})
    assert settings.production == ""
    assert settings.store_url == "sqlite:///.data/console.db"


def test_log_entries_name_the_firestore_project_unless_told_otherwise() -> None:
    assert Settings.of(CONSOLE_STORE="firestore://firm-prod").log_project == "firm-prod"
    told = Settings.of(CONSOLE_STORE="firestore://firm-prod", GOOGLE_CLOUD_PROJECT="ops")
    assert told.log_project == "ops"
    assert Settings.of().log_project is None


def test_secret_values_are_listed_for_the_log_formatter_and_nothing_else() -> None:
    settings = Settings.of(HUBSPOT_TOKEN="tok-123456", HUBSPOT_API_BASE="http://h.test")
    assert settings.secret_values() == ("tok-123456",)
