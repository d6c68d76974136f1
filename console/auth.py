"""Who is using the console and what they may do.

``gate()`` is the pure decision app.py acts on once per run: with an ``[auth]`` section the
visitor signs in through ``st.login`` (OIDC) and ``services.access`` decides from what the
provider vouched for (a verified email, Google's ``hd``), the stored policy and the
``CONSOLE_ADMINS`` setting whether they get in and whether they may edit; it fails closed.
Without one the console runs in local mode, where the person at the machine is an editor:
only visitors from this machine, unless ``CONSOLE_LOCAL_NETWORK=1``, and nobody at all when
``CONSOLE_REQUIRE_AUTH=1``. Pages ask ``current_user()`` and guard edit controls with
``require_editor()``; the use cases refuse a viewer's edit again on their side.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Literal, Protocol

import streamlit as st

from console import handle, navigation, state
from services.access import Admission, SignIn

Role = Literal["editor", "viewer"]
EDITOR: Role = "editor"
VIEWER: Role = "viewer"
Outcome = Literal["ok", "refuse", "login", "denied"]

REFUSE_WITHOUT_AUTH = (
    "CONSOLE_REQUIRE_AUTH=1 but no [auth] section is configured in .streamlit/secrets.toml, "
    "so the console will not start. Add the [auth] section (redirect_uri, cookie_secret, "
    "client_id, client_secret, server_metadata_url) or set CONSOLE_REQUIRE_AUTH=0 for local mode."
)


def local_only(visitor_ip: str) -> str:
    return (
        f"This console runs in local mode (no sign-in is configured), where everyone is an "
        f"editor, so it only serves the machine it runs on; you are connecting from "
        f"{visitor_ip}. Configure the [auth] section in .streamlit/secrets.toml to share it, "
        f"or set CONSOLE_LOCAL_NETWORK=1 to let everyone who can reach it in as an editor."
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
    email_verified: object = None  # the claim as sent; None when the provider left it out
    hosted_domain: str | None = None  # Google's ``hd`` claim
    issuer: str | None = None  # ``iss``


@dataclass(frozen=True)
class Gate:
    outcome: Outcome
    user: User | None = None
    message: str = ""


class Policy(Protocol):
    """The question the gate asks of the stored settings (``services.Services``)."""

    def admission(self, person: SignIn, admins: Collection[str] = ()) -> Admission: ...


def from_this_machine(visitor_ip: str | None) -> bool:
    """Streamlit reports a loopback visitor's address as ``None`` (and has none to report
    outside a browser session, e.g. AppTest); any other address must be a loopback one."""
    if visitor_ip is None:
        return True
    try:
        address = ipaddress.ip_address(visitor_ip.strip().strip("[]"))
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def gate(
    auth_configured: bool,
    require_auth: bool,
    identity: Identity,
    policy: Policy | None,
    *,
    admins: Collection[str] = (),
    visitor_ip: str | None = None,
    local_network: bool = False,
) -> Gate:
    """What app.py must do for this visitor: let them in (as whom), ask them to sign in,
    turn them away, or refuse to run at all. ``policy`` is only consulted when sign-in is
    configured, so local mode and a refusal never open the store. ``admins`` come from
    ``CONSOLE_ADMINS``; ``visitor_ip`` and ``local_network`` matter in local mode only."""
    if not auth_configured:
        if require_auth:
            return Gate("refuse", message=REFUSE_WITHOUT_AUTH)
        if visitor_ip is not None and not (local_network or from_this_machine(visitor_ip)):
            return Gate("refuse", message=local_only(visitor_ip))
        return Gate("ok", LOCAL_USER)
    if not identity.logged_in:
        return Gate("login", message="Sign in to use the adviser capacity console.")
    if policy is None:
        raise ValueError("sign-in is configured, so the gate needs the stored policy")
    email = (identity.email or "").strip().casefold()
    if not email:
        return Gate("denied", message="Your sign-in did not share an email address.")
    person = SignIn(email, identity.email_verified, identity.hosted_domain, identity.issuer)
    admission = policy.admission(person, admins)
    if not admission.allowed:
        return Gate("denied", message=admission.reason)
    role = EDITOR if admission.editor else VIEWER
    return Gate("ok", User(email=email, name=identity.name or email, role=role))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def identity() -> Identity:
    """``st.user`` as plain values (``st.user`` only exists when auth is configured); it
    holds the claims of the provider's ID token."""
    user = st.user
    if not getattr(user, "is_logged_in", False):
        return Identity(False)
    return Identity(
        logged_in=True,
        email=_text(user.get("email")),
        name=_text(user.get("name")),
        email_verified=user.get("email_verified"),
        hosted_domain=_text(user.get("hd")),
        issuer=_text(user.get("iss")),
    )


def check(settings: handle.ConsoleConfig, policy: Callable[[], Policy]) -> Gate:
    """The gate for this run. ``policy`` is asked for only once someone has signed in, so
    the sign-in page shows without waiting for the store (a cold start, an outage)."""
    if not settings.auth_configured:
        return gate(
            False, settings.require_auth, Identity(False), None,
            visitor_ip=_text(st.context.ip_address), local_network=settings.local_network,
        )  # fmt: skip
    who = identity()
    return gate(
        True, settings.require_auth, who, policy() if who.logged_in else None,
        admins=settings.console_admins,
    )  # fmt: skip


def current_user() -> User:
    """The person app.py's gate let in on this run (app.py keeps them for the length of the
    run only, so call this in a page's body, not in a callback). Every page asks it first:
    a page that runs without app.py (the first URL a freshly started server is asked for)
    hands over to app.py here, before anything is read or drawn. A page that runs alone on
    purpose (an AppTest of one page script) asks the gate itself after that handover."""
    user = st.session_state.get(state.USER)
    if isinstance(user, User):
        return user
    navigation.enter_through_app()
    decided = check(handle.settings(), lambda: handle.services().access)
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
