"""The deploy recipe agrees with itself and with the code: docs/deploy.md's commands, the
Dockerfile, deploy/*.env.yaml, firebase.json and firestore.indexes.json. (The start command
itself is run in tests/integration/test_deploy_recipe.py.)"""

from __future__ import annotations

import json
import re

import pytest

import cli
import webhook
from settings import KEYS
from tests.deploy_recipe import (
    DOCS,
    ROOT,
    account_of,
    base_image,
    commands,
    env_file,
    image_env,
    one,
    secret_grants,
    start_command,
)

SETTINGS = {k.name: k for k in KEYS}
JOBS = ("sync-hubspot", "sync-leave", "sync-holidays", "capacity-outlook")
SERVICES = {  # env file → the deploy commands that read it
    "console": [("run", "deploy", "console")],
    "webhook": [("functions", "deploy", "hubspot-webhook")],
    "sync": [("run", "jobs", "deploy", job) for job in JOBS],
}
DEPLOYS = [words for group in SERVICES.values() for words in group]


def test_firebase_json_deploys_the_index_file_the_stores_need() -> None:
    config = json.loads((ROOT / "firebase.json").read_text())

    indexes = json.loads((ROOT / config["firestore"]["indexes"]).read_text())

    assert config["firestore"]["indexes"] == "firestore.indexes.json"
    assert indexes["indexes"]
    [deploy] = commands("firebase")
    assert deploy.has("firebase", "deploy")
    assert deploy.flag("--only") == "firestore:indexes"
    assert deploy.flag("--project") == "$PROJECT_ID"


def test_every_composite_index_is_in_the_docs_gcloud_form_and_no_other() -> None:
    indexes = json.loads((ROOT / "firestore.indexes.json").read_text())["indexes"]
    wanted = {
        (
            index["collectionGroup"],
            index["queryScope"].lower(),
            tuple(f"field-path={f['fieldPath']},order={f['order'].lower()}" for f in fields),
        )
        for index in indexes
        for fields in [index["fields"]]
    }

    documented = {
        (c.flag("--collection-group"), c.flag("--query-scope"), tuple(c.values("--field-config")))
        for c in commands()
        if c.has("gcloud", "firestore", "indexes", "composite", "create")
    }

    assert documented == wanted


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_env_files_hold_known_settings_never_a_secret_and_name_the_store(name: str) -> None:
    values = env_file(name)

    assert set(values) <= set(SETTINGS), set(values) - set(SETTINGS)
    assert not [k for k in values if SETTINGS[k].secret]
    assert values["CONSOLE_STORE"].startswith("firestore://")
    assert values["CONSOLE_DEMO"] == "0"
    for words in SERVICES[name]:
        assert one(*words).flag("--env-vars-file") == f"deploy/{name}.env.yaml"


@pytest.mark.parametrize("words", DEPLOYS, ids=lambda w: w[-1])
def test_each_service_mounts_only_secrets_its_own_account_may_read(words: tuple[str, ...]) -> None:
    deploy = one(*words)
    created = {c.words[3] for c in commands() if c.has("gcloud", "secrets", "create")}

    mounted = deploy.secrets()

    account = account_of(deploy)
    assert account in {"console-app", "hubspot-webhook", "console-sync"}
    assert set(mounted.values()) <= secret_grants()[account] <= created
    for target in mounted:
        assert target.startswith("/") or SETTINGS[target].secret, target


def test_accounts_are_granted_exactly_the_secrets_their_services_mount() -> None:
    mounted: dict[str, set[str]] = {}
    for words in DEPLOYS:
        deploy = one(*words)
        mounted.setdefault(account_of(deploy), set()).update(deploy.secrets().values())

    assert mounted == secret_grants()


def test_the_console_listens_as_cloud_run_needs_and_keeps_its_websockets() -> None:
    console, command = one("run", "deploy", "console"), start_command()[-1]

    assert command.startswith("exec streamlit run app.py ")
    assert '--server.port="$PORT"' in command
    assert "--server.address=0.0.0.0" in command
    assert '--secrets.files="$SECRETS_FILE"' in command
    assert console.secrets()[image_env()["SECRETS_FILE"]] == "console-secrets-toml"
    assert console.flag("--source") == "."
    assert ("--session-affinity", None) in console.flags
    assert console.flag("--timeout") == "3600"
    assert env_file("console")["CONSOLE_REQUIRE_AUTH"] == "1"


def test_the_webhook_deploy_names_its_function_keeps_one_instance_warm_and_signs() -> None:
    function = one("functions", "deploy", "hubspot-webhook")

    assert ("--gen2", None) in function.flags
    assert callable(getattr(webhook, function.flag("--entry-point") or ""))
    assert function.flag("--set-build-env-vars") == "GOOGLE_FUNCTION_SOURCE=webhook.py"
    assert function.flag("--min-instances") == "1"
    assert "HUBSPOT_CLIENT_SECRET" in function.secrets()
    assert "WEBHOOK_PUBLIC_URL" in env_file("webhook")
    python = re.fullmatch(r"python:(\d+)\.(\d+)-slim", base_image())
    assert python, base_image()
    assert function.flag("--runtime") == f"python{python[1]}{python[2]}"


CRON = {  # group → how often: every 15 minutes, hourly, daily
    "hubspot": r"\*/15 \* \* \* \*",
    "leave": r"\d{1,2} \* \* \* \*",
    "holidays": r"\d{1,2} \d{1,2} \* \* \*",
}


@pytest.mark.parametrize("group", sorted(CRON))
def test_each_group_is_a_job_running_the_cli_on_its_schedule(group: str) -> None:
    job = one("run", "jobs", "deploy", f"sync-{group}")
    [schedule] = [
        c
        for c in commands()
        if c.has("gcloud", "scheduler", "jobs", "create", "http")
        and (c.flag("--uri") or "").endswith(f"/jobs/sync-{group}:run")
    ]
    [invoker] = [
        c.flag("--member")
        for c in commands()
        if c.has("gcloud", "run", "jobs", "add-iam-policy-binding", f"sync-{group}")
    ]

    assert job.flag("--command") == "python"
    args = (job.flag("--args") or "").split(",")
    assert args[:2] == ["-m", "cli"]
    parsed = cli.parser().parse_args(args[2:])
    assert (parsed.command, parsed.group) == ("sync", group)
    assert re.fullmatch(CRON[group], schedule.flag("--schedule") or "")
    assert schedule.flag("--time-zone") == "Australia/Sydney"
    account = schedule.flag("--oauth-service-account-email") or ""
    assert invoker == f"serviceAccount:{account}"
    assert account.startswith("sync-scheduler@")


def test_the_outlook_job_runs_daily_and_its_scheduler_may_start_it() -> None:
    job = one("run", "jobs", "deploy", "capacity-outlook")
    [schedule] = [
        c
        for c in commands()
        if c.has("gcloud", "scheduler", "jobs", "create", "http")
        and (c.flag("--uri") or "").endswith("/jobs/capacity-outlook:run")
    ]
    [invoker] = [
        c.flag("--member")
        for c in commands()
        if c.has("gcloud", "run", "jobs", "add-iam-policy-binding", "capacity-outlook")
    ]

    parsed = cli.parser().parse_args((job.flag("--args") or "").split(",")[2:])
    assert parsed.command == "outlook"
    assert re.fullmatch(CRON["holidays"], schedule.flag("--schedule") or "")  # daily
    account = schedule.flag("--oauth-service-account-email") or ""
    assert invoker == f"serviceAccount:{account}"


def test_the_readme_links_the_recipe_and_the_webhook_doc_defers_to_it() -> None:
    readme = (ROOT / "README.md").read_text()
    webhook_doc = (ROOT / "docs" / "webhook.md").read_text()

    assert "(docs/deploy.md)" in readme
    assert "(deploy.md" in webhook_doc
    assert "--function=" not in webhook_doc  # a root Dockerfile makes that build the console
    assert DOCS.exists()
