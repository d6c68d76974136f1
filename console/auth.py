"""Who is using the console and what they may do.

``gate()`` is the pure decision app.py acts on every run: with an ``[auth]`` section the
visitor signs in through ``st.login`` (OIDC), must be allowed by the stored settings (emails or
domains) and is an editor only when listed; without one the console runs in local mode, where
the person at the machine is an editor, unless ``CONSOLE_REQUIRE_AUTH=1`` forbids that.
Pages ask ``current_user()`` and guard edit controls with ``require_editor()``; the use cases
refuse a viewer's edit again on their side.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

import streamlit as st

from console import handle, state

if TYPE_CHECKING:
    from settings import Settings

Role = Literal["editor", "viewer"]
EDITOR: Role = "editor"
VIEWER: Role = "viewer"
Outcome = Literal["ok", "refuse", "login", "denied"]

REFUSE_WITHOUT_AUTH = (
    "CONSOLE_REQUIRE_AUTH=1 but no [auth] section is configured in .streamlit/secrets.toml, "
    "so the console will not start. Add the [auth] section (redirect_uri, cookie_secret, "
    "client_id, client_secret, server_metadata_url) or set CONSOLE_REQUIRE_AUTH=0 for local mode."
)


@dataclass(frozen=True)
class User:
    email: str
    name: str
    role: Role
    local: bool = False  # local mode: no sign-in configured

    @property
    def is_editor(self) -> bool:
        return self.role == EDITOR

    @property
    def actor(self) -> str:
        """How the audit log names this person."""
        return self.email or self.name


LOCAL_USER = User(email="local", name="Local user", role=EDITOR, local=True)


@dataclass(frozen=True)
class Identity:
    """What the identity provider told us (``st.user``)."""

    logged_in: bool
    email: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Gate:
    outcome: Outcome
    user: User | None = None
    message: str = ""


class Policy(Protocol):
    """The two questions the gate asks of the stored settings (``services.Services``)."""

    def may_sign_in(self, email: str | None) -> bool: ...

    def can_edit(self, email: str | None, local_mode: bool) -> bool: ...


def gate(
    auth_configured: bool, require_auth: bool, identity: Identity, policy: Policy | None
) -> Gate:
    """What app.py must do for this visitor: let them in (as whom), ask them to sign in,
    turn them away, or refuse to run at all. ``policy`` is only consulted when sign-in is
    configured, so local mode and a refusal never open the store."""
    if not auth_configured:
        if require_auth:
            return Gate("refuse", message=REFUSE_WITHOUT_AUTH)
        return Gate("ok", LOCAL_USER)
    if policy is None:
        raise ValueError("sign-in is configured, so the gate needs the stored policy")
    if not identity.logged_in:
        return Gate("login", message="Sign in to use the adviser capacity console.")
    email = (identity.email or "").strip().casefold()
    if not email:
        return Gate("denied", message="Your sign-in did not share an email address.")
    if not policy.may_sign_in(email):
        return Gate("denied", message=f"{email} is not allowed to use this console.")
    role = EDITOR if policy.can_edit(email, local_mode=False) else VIEWER
    return Gate("ok", User(email=email, name=identity.name or email, role=role))


def identity() -> Identity:
    """``st.user`` as plain values (``st.user`` only exists when auth is configured)."""
    user = st.user
    logged_in = bool(getattr(user, "is_logged_in", False))
    email, name = (user.get("email"), user.get("name")) if logged_in else (None, None)
    return Identity(
        logged_in=logged_in,
        email=email if isinstance(email, str) else None,
        name=name if isinstance(name, str) else None,
    )


def check(settings: Settings) -> Gate:
    if not settings.auth_configured:
        return gate(False, settings.require_auth, Identity(False), None)
    return gate(True, settings.require_auth, identity(), handle.services())


def current_user() -> User:
    """The user app.py's gate let in; a page run on its own (AppTest) asks the gate itself."""
    user = st.session_state.get(state.USER)
    if isinstance(user, User):
        return user
    decided = check(handle.settings())
    if decided.user is None:
        st.error(decided.message or "Sign in to use the console.")
        st.stop()
    st.session_state[state.USER] = decided.user
    return decided.user


def require_editor(what: str) -> User:
    """Stop the page with a plain message unless the current user is an editor."""
    user = current_user()
    if not user.is_editor:
        st.info(f"You are signed in as a viewer ({user.actor}); only editors can {what}.")
        st.stop()
    return user
