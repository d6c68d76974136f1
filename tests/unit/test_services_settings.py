from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_give_the_embedded_demo_store() -> None:
    settings = Settings.of()
    assert settings.store_url == "sqlite:///.data/console.db"
    assert settings.sqlite_path == ".data/console.db"
    assert settings.demo is True
    assert settings.require_auth is False
    assert settings.hubspot_api_base == "https://api.hubapi.com"
    assert settings.hubspot_configured is False


def test_the_environment_wins_over_streamlit_secrets() -> None:
    settings = Settings.load(
        environ={"HUBSPOT_TOKEN": "from-env"},
        secrets={"HUBSPOT_TOKEN": "from-secrets", "EH_CLIENT_ID": "abc", "auth": {"x": "1"}},
    )
    assert settings.require("HUBSPOT_TOKEN") == "from-env"
    assert settings.require("EH_CLIENT_ID") == "abc"
    assert settings.auth_configured is True


@pytest.mark.parametrize(
    ("values", "read", "key"),
    [
        ({"CONSOLE_STORE": "postgres://db"}, lambda s: s.store_url, "CONSOLE_STORE"),
        ({"CONSOLE_STORE": "firestore://"}, lambda s: s.store_url, "CONSOLE_STORE"),
        ({"CONSOLE_DEMO": "maybe"}, lambda s: s.demo, "CONSOLE_DEMO"),
        ({}, lambda s: s.require("HUBSPOT_TOKEN"), "HUBSPOT_TOKEN"),
        ({"HUBSPOT_API_BASE": "ftp://x"}, lambda s: s.hubspot_api_base, "HUBSPOT_API_BASE"),
        (
            {"CONSOLE_ADMINS": "ada@firm.example bea@x.au"},
            lambda s: s.console_admins,
            "CONSOLE_ADMINS",
        ),
        ({"CONSOLE_ADMINS": "Ada Lovelace"}, lambda s: s.console_admins, "CONSOLE_ADMINS"),
        ({"CONSOLE_LOCAL_NETWORK": "everyone"}, lambda s: s.local_network, "CONSOLE_LOCAL_NETWORK"),
    ],
)
def test_a_missing_or_bad_setting_is_named_when_it_is_used(values, read, key) -> None:  # type: ignore[no-untyped-def]
    settings = Settings.of(**values)  # loading never fails: errors surface on use
    with pytest.raises(SettingsError, match=key):
        read(settings)


def test_the_redacted_view_says_what_is_configured_but_never_a_value() -> None:
    settings = Settings.of(HUBSPOT_TOKEN="pat-na1-very-secret", CONSOLE_STORE="firestore://p")
    rows = {r["key"]: r for r in settings.redacted()}
    assert rows["HUBSPOT_TOKEN"]["configured"] is True
    assert rows["GOOGLE_CHAT_WEBHOOK_URL"]["configured"] is False
    assert "pat-na1-very-secret" not in repr(settings.redacted())
    assert settings.firestore_project == "p"


def test_reading_secrets_without_a_secrets_file_does_not_crash(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    assert Settings.load(environ={}).store_url == "sqlite:///.data/console.db"


def test_the_first_admins_come_from_settings_as_lower_case_emails() -> None:
    from_secrets = Settings.load(
        environ={}, secrets={"CONSOLE_ADMINS": " Ada@Firm.example,bea@firm.example , "}
    )

    assert from_secrets.console_admins == {"ada@firm.example", "bea@firm.example"}
    assert Settings.of().console_admins == frozenset()


def test_local_mode_serves_only_this_machine_unless_told_otherwise() -> None:
    assert Settings.of().local_network is False
    assert Settings.of(CONSOLE_LOCAL_NETWORK="1").local_network is True


def test_a_plain_streamlit_run_listens_on_this_machine_only() -> None:
    """Local mode makes every visitor an editor, so the default bind is loopback; a deploy
    passes --server.address=0.0.0.0 (docs/console.md)."""
    config = tomllib.loads((ROOT / ".streamlit/config.toml").read_text())

    assert config["server"]["address"] == "127.0.0.1"
