"""The one module that reads the environment and the secrets file.

Every key is listed in ``KEYS`` with its default and meaning (``.streamlit/secrets.toml.example``
and the README document the same list). Values are gathered once by ``Settings.load()``;
each is parsed and validated only when used, so the webhook does not need the Employment Hero
keys and a missing key is reported by name at the moment it matters. The environment wins
over the secrets file.

Inside the Streamlit console the secrets come from ``st.secrets`` (which honours
``--secrets.files``); the webhook and the command line read ``.streamlit/secrets.toml`` with
``tomllib`` themselves, so they never import Streamlit (about a second of cold start).
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.errors import ConfigurationError


@dataclass(frozen=True)
class Key:
    name: str
    default: str | None
    about: str
    secret: bool = False


KEYS: tuple[Key, ...] = (
    Key("CONSOLE_STORE", "sqlite:///.data/console.db", "sqlite:///<path> or firestore://<project>"),
    Key("CONSOLE_DEMO", "1", "1 = fill an empty embedded store with demo data; 0 = leave it empty"),
    Key("CONSOLE_REQUIRE_AUTH", "0", "1 = refuse to start without an [auth] section"),
    Key(
        "CONSOLE_ADMINS",
        None,
        "comma-separated emails always let in as editors once sign-in ([auth]) is configured: "
        "a fresh deploy's first editors",
    ),
    Key(
        "CONSOLE_LOCAL_NETWORK",
        "0",
        "1 = in local mode (no [auth]) serve visitors from other machines too, all as editors",
    ),
    Key("CONSOLE_URL", None, "the console's public URL, for links in Chat messages"),
    Key("HUBSPOT_TOKEN", None, "HubSpot private-app or OAuth access token", secret=True),
    Key("HUBSPOT_API_BASE", "https://api.hubapi.com", "HubSpot API base URL"),
    Key("HUBSPOT_CLIENT_SECRET", None, "HubSpot app secret: webhook signature key", secret=True),
    Key("WEBHOOK_PUBLIC_URL", None, "the exact public URL HubSpot calls and signs"),
    Key(
        "HUBSPOT_DEAL_PROPERTIES",
        None,
        "HubSpot property names that differ from the defaults, for the syncs and the webhook "
        "alike, e.g. agreement_start=signed_on,region=adviser_region (adviser mapping: region, "
        "pod_type, monthly_limit, end_date; empty = not synced)",
    ),
    Key(
        "WEBHOOK_BUDGET",
        "8",
        "seconds the webhook may take to answer, whatever HubSpot or Chat do (4 to 25)",
    ),
    Key("WEBHOOK_HUBSPOT_TIMEOUT", "3", "seconds the webhook waits for each HubSpot call"),
    Key("WEBHOOK_HUBSPOT_ATTEMPTS", "3", "HubSpot attempts per webhook call before pending"),
    Key(
        "HUBSPOT_PORTAL_ID",
        None,
        "HubSpot account (portal) id: deal ids in the console link to the deal in HubSpot",
    ),
    Key("HUBSPOT_ONBOARDING_PIPELINE", None, "pipeline id of client-onboarding deals"),
    Key("HUBSPOT_ONBOARDING_STAGES", None, "comma-separated stage ids of open onboarding deals"),
    Key("GOOGLE_CHAT_WEBHOOK_URL", None, "Google Chat incoming-webhook URL", secret=True),
    Key("EH_CLIENT_ID", None, "Employment Hero OAuth client id"),
    Key("EH_CLIENT_SECRET", None, "Employment Hero OAuth client secret", secret=True),
    Key("EH_REDIRECT_URI", None, "Employment Hero OAuth redirect URI (the console's URL)"),
    Key("EH_ORGANISATION_ID", None, "Employment Hero organisation id"),
    Key(
        "BOX_CLIENT_ID",
        None,
        "Box app (Client Credentials Grant) client id: turns client folders on",
    ),
    Key("BOX_CLIENT_SECRET", None, "Box app client secret", secret=True),
    Key("BOX_ENTERPRISE_ID", None, "Box enterprise id: act as the app's service account"),
    Key("BOX_USER_ID", None, "Box user id to act as instead of the service account (optional)"),
    Key("BOX_API_BASE", "https://api.box.com", "Box API base URL (token at /oauth2/token)"),
    Key("HOLIDAYS_COUNTRY", "AU", "country for public-holiday closures"),
    Key("HOLIDAYS_SUBDIVISION", "NSW", "state or territory for public-holiday closures"),
    Key(
        "GOOGLE_CLOUD_PROJECT",
        None,
        "project id named by log entries' trace links (default: CONSOLE_STORE's project)",
    ),
)
_BY_NAME = {k.name: k for k in KEYS}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}
_EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")


class SettingsError(ConfigurationError):
    """A setting is missing or malformed; the message names the key."""


# Where Streamlit looks for secrets by default: the user's file, then the project's (which wins).
SECRETS_FILES = (Path.home() / ".streamlit" / "secrets.toml", Path(".streamlit") / "secrets.toml")
# Set by Google Cloud on every Cloud Run service, Cloud Run job and Cloud Function: the process
# is a production deployment, so it must never invent a store or demo data of its own.
CLOUD_MARKERS = ("K_SERVICE", "CLOUD_RUN_JOB", "FUNCTION_TARGET")


def _in_streamlit() -> bool:
    """True inside ``streamlit run`` (and AppTest); never imports Streamlit to find out."""
    if "streamlit" not in sys.modules:
        return False
    from streamlit import runtime

    return bool(runtime.exists())


def _streamlit_secrets() -> Mapping[str, Any]:
    import streamlit as st

    try:
        return {k: st.secrets[k] for k in st.secrets}
    except FileNotFoundError as exc:  # Streamlit says so for a missing and a malformed file
        if str(exc).startswith("No secrets found"):
            return {}  # no secrets file: environment only
        raise SettingsError(f"the secrets file could not be read: {exc}") from None


def read_secrets_files(paths: tuple[Path, ...] = SECRETS_FILES) -> dict[str, Any]:
    """The secrets files Streamlit would read, merged in order (later files win)."""
    merged: dict[str, Any] = {}
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise SettingsError(f"{path} could not be read: {exc.strerror}") from None
        try:
            merged.update(tomllib.loads(text))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path} is not valid TOML: {exc}") from None
    return merged


def _secrets() -> Mapping[str, Any]:
    return _streamlit_secrets() if _in_streamlit() else read_secrets_files()


@dataclass(frozen=True)
class Settings:
    """Raw values by key (strings), plus whether ``st.secrets`` has an ``[auth]`` section."""

    values: tuple[tuple[str, str], ...] = ()
    auth_configured: bool = False
    cloud_marker: str = ""  # which of ``CLOUD_MARKERS`` is set: running on Google Cloud

    @classmethod
    def load(
        cls, environ: Mapping[str, str] | None = None, secrets: Mapping[str, Any] | None = None
    ) -> Settings:
        environ = os.environ if environ is None else environ
        secrets = _secrets() if secrets is None else secrets
        found = {}
        for key in KEYS:
            value = environ.get(key.name)
            if value is None and key.name in secrets and not isinstance(secrets[key.name], Mapping):
                value = str(secrets[key.name])
            if value is not None and value.strip():
                found[key.name] = value.strip()
        auth = secrets.get("auth")
        cloud = next((m for m in CLOUD_MARKERS if environ.get(m, "").strip()), "")
        return cls(tuple(sorted(found.items())), isinstance(auth, Mapping) and bool(auth), cloud)

    @classmethod
    def of(cls, **values: str) -> Settings:
        """Settings from keyword values only (tests, scripts)."""
        return cls.load(environ=values, secrets={})

    # --- raw access ------------------------------------------------------------------------

    def get(self, name: str) -> str | None:
        if name not in _BY_NAME:
            raise KeyError(f"{name} is not a console setting")
        return dict(self.values).get(name, _BY_NAME[name].default)

    def configured(self, name: str) -> bool:
        return name in dict(self.values)

    def require(self, name: str) -> str:
        value = self.get(name)
        if not value:
            raise SettingsError(f"{name} is not set: {_BY_NAME[name].about}")
        return value

    def flag(self, name: str) -> bool:
        value = (self.get(name) or "").casefold()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise SettingsError(f"{name} must be 0 or 1 (got {value!r})")

    # --- typed views -----------------------------------------------------------------------

    @property
    def production(self) -> str:
        """Why this process counts as production ("" when it does not): HubSpot is configured
        or it runs on Google Cloud. Production never opens an implicit store or demo data."""
        if self.hubspot_configured:
            return "HUBSPOT_TOKEN is set"
        if self.cloud_marker:
            return f"running on Google Cloud ({self.cloud_marker} is set)"
        return ""

    @property
    def store_url(self) -> str:
        if self.production and not self.configured("CONSOLE_STORE"):
            raise SettingsError(
                f"CONSOLE_STORE must be set explicitly in production ({self.production}): "
                "firestore://<project-id>, or sqlite:///<path> for a single machine. "
                "The default embedded store is for the demo only."
            )
        url = self.require("CONSOLE_STORE")
        if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
            return url
        if url.startswith("firestore://") and url.removeprefix("firestore://").strip("/"):
            return url
        raise SettingsError(
            f"CONSOLE_STORE must be sqlite:///<path> or firestore://<project-id> (got {url!r})"
        )

    @property
    def store_kind(self) -> str:
        return self.store_url.split(":", 1)[0]

    @property
    def sqlite_path(self) -> str:
        return self.store_url.removeprefix("sqlite:///")

    @property
    def firestore_project(self) -> str:
        return self.store_url.removeprefix("firestore://").strip("/")

    @property
    def demo(self) -> bool:
        return self.flag("CONSOLE_DEMO")

    @property
    def require_auth(self) -> bool:
        return self.flag("CONSOLE_REQUIRE_AUTH")

    @property
    def console_admins(self) -> frozenset[str]:
        """People always let in as editors when sign-in is configured (lower-cased emails)."""
        raw = self.get("CONSOLE_ADMINS") or ""
        emails = [e.strip() for e in raw.split(",") if e.strip()]
        for email in emails:
            if not _EMAIL.fullmatch(email):
                raise SettingsError(
                    f"CONSOLE_ADMINS must be email addresses separated by commas, such as "
                    f"ann@firm.example, bob@firm.example ({email!r} is not an email address)"
                )
        return frozenset(e.casefold() for e in emails)

    @property
    def local_network(self) -> bool:
        return self.flag("CONSOLE_LOCAL_NETWORK")

    @property
    def hubspot_configured(self) -> bool:
        return self.configured("HUBSPOT_TOKEN")

    @property
    def hubspot_api_base(self) -> str:
        base = self.require("HUBSPOT_API_BASE")
        if not base.startswith(("http://", "https://")):
            raise SettingsError(f"HUBSPOT_API_BASE must be an http(s) URL (got {base!r})")
        return base.rstrip("/")

    @property
    def webhook_hubspot_timeout(self) -> float:
        raw = self.require("WEBHOOK_HUBSPOT_TIMEOUT")
        try:
            seconds = float(raw)
        except ValueError:
            seconds = 0.0
        if not 0 < seconds <= 60:
            raise SettingsError(f"WEBHOOK_HUBSPOT_TIMEOUT must be seconds in (0, 60] (got {raw!r})")
        return seconds

    @property
    def webhook_budget(self) -> float:
        raw = self.require("WEBHOOK_BUDGET")
        try:
            seconds = float(raw)
        except ValueError:
            seconds = 0.0
        if not 4 <= seconds <= 25:
            raise SettingsError(f"WEBHOOK_BUDGET must be seconds from 4 to 25 (got {raw!r})")
        return seconds

    @property
    def webhook_hubspot_attempts(self) -> int:
        raw = self.require("WEBHOOK_HUBSPOT_ATTEMPTS")
        if not raw.isdigit() or not 1 <= int(raw) <= 10:
            raise SettingsError(f"WEBHOOK_HUBSPOT_ATTEMPTS must be 1 to 10 (got {raw!r})")
        return int(raw)

    @property
    def onboarding_stages(self) -> tuple[str, ...]:
        raw = self.get("HUBSPOT_ONBOARDING_STAGES") or ""
        return tuple(s.strip() for s in raw.split(",") if s.strip())

    @property
    def chat_configured(self) -> bool:
        return self.configured("GOOGLE_CHAT_WEBHOOK_URL")

    @property
    def employment_hero_configured(self) -> bool:
        return all(self.configured(k) for k in ("EH_CLIENT_ID", "EH_CLIENT_SECRET"))

    @property
    def box_configured(self) -> bool:
        """Client folders are on: the Box app's id and secret, and whom to act as."""
        keys = ("BOX_CLIENT_ID", "BOX_CLIENT_SECRET")
        subject = self.configured("BOX_ENTERPRISE_ID") or self.configured("BOX_USER_ID")
        return all(self.configured(k) for k in keys) and subject

    @property
    def box_subject(self) -> tuple[str, str]:
        """(``box_subject_type``, ``box_subject_id``): a user when BOX_USER_ID is set, else
        the enterprise's service account."""
        user = self.get("BOX_USER_ID")
        if user:
            if not user.isdigit():
                raise SettingsError(f"BOX_USER_ID must be a Box user id, digits (got {user!r})")
            return "user", user
        enterprise = self.require("BOX_ENTERPRISE_ID")
        if not enterprise.isdigit():
            raise SettingsError(
                f"BOX_ENTERPRISE_ID must be the Box enterprise id, digits (got {enterprise!r})"
            )
        return "enterprise", enterprise

    @property
    def box_api_base(self) -> str:
        base = self.require("BOX_API_BASE")
        if not base.startswith(("http://", "https://")):
            raise SettingsError(f"BOX_API_BASE must be an http(s) URL (got {base!r})")
        return base.rstrip("/")

    def secret_values(self) -> tuple[str, ...]:
        """The values of every secret setting, for the log formatter to blank out."""
        return tuple(v for k, v in self.values if _BY_NAME[k].secret)

    @property
    def log_project(self) -> str | None:
        """The Google Cloud project trace links in log entries name, if it can be known."""
        project = self.get("GOOGLE_CLOUD_PROJECT")
        if project:
            return project
        url = self.get("CONSOLE_STORE") or ""
        if not url.startswith("firestore://"):
            return None
        return url.removeprefix("firestore://").strip("/") or None

    def redacted(self) -> list[dict[str, Any]]:
        """Every key: whether it is set (or defaulted), never its value."""
        return [
            {
                "key": k.name,
                "configured": self.configured(k.name),
                "default": k.default is not None and not self.configured(k.name),
                "secret": k.secret,
                "about": k.about,
            }
            for k in KEYS
        ]
