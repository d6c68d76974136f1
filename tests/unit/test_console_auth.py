"""The console's sign-in gate: local mode and who reaches it, refusal, sign-in, the stored
policy (fail closed), CONSOLE_ADMINS, verified emails and Google's hd claim."""

from __future__ import annotations

import pytest

from console.auth import LOCAL_USER, Gate, Identity, gate
from services import Services
from services.errors import Forbidden
from services.records import ConsoleSettings
from services.rows import RowEdits
from tests.fakes import InMemoryStore

GOOGLE = "https://accounts.google.com"
ADMINS = frozenset({"ada@firm.example"})


def services(**policy: tuple[str, ...]) -> Services:
    store = InMemoryStore()
    store.save_settings(ConsoleSettings(**policy), store.get_settings().version, "setup")  # type: ignore[arg-type]
    return Services(store)


def google(email: str, hd: str | None = None, verified: object = True, name: str = "") -> Identity:
    """What ``st.user`` holds after a Google sign-in (hd only for Workspace accounts)."""
    return Identity(True, email, name or None, verified, hd, GOOGLE)


def signed_in(svc: Services, who: Identity, admins: frozenset[str] = ADMINS) -> Gate:
    return gate(True, False, who, svc.access, admins=admins)


# --- local mode ---------------------------------------------------------------------------


def test_without_auth_the_local_user_is_an_editor_and_the_store_is_not_asked() -> None:
    decided = gate(False, False, Identity(False), None)

    assert (decided.outcome, decided.user) == ("ok", LOCAL_USER)
    assert decided.user is not None
    assert decided.user.is_editor
    assert decided.user.local


def test_requiring_auth_without_configuring_it_refuses_to_start() -> None:
    decided = gate(False, True, Identity(False), None)

    assert decided.outcome == "refuse"
    assert "CONSOLE_REQUIRE_AUTH=1" in decided.message


@pytest.mark.parametrize("ip", [None, "127.0.0.1", "127.0.1.1", "::1", "::ffff:127.0.0.1"])
def test_local_mode_serves_visitors_from_this_machine(ip: str | None) -> None:
    assert gate(False, False, Identity(False), None, visitor_ip=ip).user == LOCAL_USER


@pytest.mark.parametrize("ip", ["192.168.1.20", "10.0.0.7", "2001:db8::5", "not-an-address"])
def test_local_mode_turns_away_a_visitor_from_another_machine(ip: str) -> None:
    decided = gate(False, False, Identity(False), None, visitor_ip=ip)

    assert (decided.outcome, decided.user) == ("refuse", None)
    assert f"you are connecting from {ip}" in decided.message
    assert "CONSOLE_LOCAL_NETWORK=1" in decided.message
    assert "[auth]" in decided.message


def test_local_mode_serves_the_network_only_when_asked_to() -> None:
    decided = gate(False, False, Identity(False), None, visitor_ip="192.168.1.20",
                   local_network=True)  # fmt: skip

    assert decided.user == LOCAL_USER


# --- signing in ---------------------------------------------------------------------------


def test_a_visitor_who_has_not_signed_in_is_asked_to() -> None:
    assert signed_in(services(), Identity(False)).outcome == "login"


def test_a_sign_in_without_an_email_is_turned_away() -> None:
    assert signed_in(services(), Identity(True, None, "Ann", True)).outcome == "denied"


def test_configured_auth_needs_the_stored_policy() -> None:
    with pytest.raises(ValueError, match="needs the stored policy"):
        gate(True, False, google("ann@firm.example"), None)


# --- a fresh deploy: nobody named yet -----------------------------------------------------


def test_a_fresh_deploy_lets_no_stranger_in_and_names_the_settings_to_fill() -> None:
    decided = signed_in(services(), google("eve@gmail.example"), admins=frozenset())

    assert (decided.outcome, decided.user) == ("denied", None)
    assert decided.message.startswith("eve@gmail.example is not allowed in.")
    for setting in ("allowed_emails", "allowed_domains", "CONSOLE_ADMINS"):
        assert setting in decided.message


def test_a_configured_admin_gets_into_a_fresh_deploy_as_an_editor() -> None:
    decided = signed_in(services(), google("Ada@Firm.example", name="Ada"))

    assert decided.outcome == "ok"
    assert decided.user is not None
    assert (decided.user.email, decided.user.name, decided.user.is_editor) == (
        "ada@firm.example", "Ada", True,
    )  # fmt: skip


def test_an_admin_is_an_editor_even_outside_the_allowed_lists() -> None:
    svc = services(allowed_domains=("other.example",))

    user = signed_in(svc, google("ada@firm.example")).user

    assert user is not None
    assert user.is_editor


def test_editors_named_in_the_stored_settings_still_get_in_and_edit() -> None:
    svc = services(editors=("bea@firm.example",))

    user = signed_in(svc, google("bea@firm.example")).user

    assert user is not None
    assert user.is_editor


# --- verified addresses -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "words"),
    [
        (False, "email_verified is false"),
        ("false", "email_verified is false"),
        (None, "no email_verified claim"),
    ],
)
def test_an_unverified_address_is_refused_even_for_an_admin(claim: object, words: str) -> None:
    svc = services(allowed_domains=("firm.example",))
    for email in ("ada@firm.example", "cat@firm.example"):
        decided = signed_in(svc, google(email, hd="firm.example", verified=claim))

        assert (decided.outcome, decided.user) == ("denied", None)
        assert words in decided.message
        assert decided.message.startswith(f"{email} cannot be used to sign in")


def test_a_verified_claim_sent_as_text_counts() -> None:
    svc = services(allowed_emails=("cat@firm.example",))

    assert signed_in(svc, google("cat@firm.example", verified="true")).outcome == "ok"


# --- allowed emails and domains -----------------------------------------------------------


def test_someone_allowed_by_domain_is_a_viewer() -> None:
    svc = services(allowed_domains=("@Firm.example",))

    user = signed_in(svc, google("Cat@firm.example", hd="firm.example", name="Cat")).user

    assert user is not None
    assert (user.email, user.name, user.is_editor) == ("cat@firm.example", "Cat", False)


@pytest.mark.parametrize(
    ("hd", "words"),
    [(None, "does not name a Workspace domain (no hd claim)"),
     ("elsewhere.example", "names the Workspace domain elsewhere.example")],
)  # fmt: skip
def test_a_google_account_needs_the_allowed_domain_as_its_workspace(
    hd: str | None, words: str
) -> None:
    """A personal Google account registered with a firm address is not a firm account."""
    svc = services(allowed_domains=("firm.example",))

    decided = signed_in(svc, google("cat@firm.example", hd=hd))

    assert (decided.outcome, decided.user) == ("denied", None)
    assert words in decided.message
    assert "Sign in with your firm.example work account" in decided.message


def test_hd_is_checked_whoever_issues_a_token_that_carries_it() -> None:
    svc = services(allowed_domains=("firm.example",))
    other = Identity(
        True, "cat@firm.example", None, True, "elsewhere.example", "https://idp.example"
    )

    assert signed_in(svc, other).outcome == "denied"


def test_a_provider_without_hd_is_trusted_for_its_verified_domain() -> None:
    svc = services(allowed_domains=("firm.example",))
    okta = Identity(True, "cat@firm.example", None, True, None, "https://firm.okta.example")

    user = signed_in(svc, okta).user

    assert user is not None
    assert not user.is_editor


def test_someone_listed_by_email_needs_no_workspace() -> None:
    svc = services(allowed_emails=("Dan@Gmail.example",), allowed_domains=("firm.example",))

    user = signed_in(svc, google("dan@gmail.example")).user

    assert user is not None
    assert not user.is_editor


def test_someone_outside_the_allowed_lists_is_turned_away_by_name() -> None:
    svc = services(allowed_emails=("bob@firm.example",), allowed_domains=("firm.example",))

    decided = signed_in(svc, google("eve@elsewhere.example", hd="elsewhere.example"))

    assert decided.outcome == "denied"
    assert decided.message == "eve@elsewhere.example is not allowed to use this console."


def test_a_subdomain_is_not_the_allowed_domain() -> None:
    svc = services(allowed_domains=("firm.example",))

    decided = signed_in(svc, google("eve@evil.firm.example", hd="evil.firm.example"))

    assert decided.outcome == "denied"


def test_a_viewers_forced_edit_is_refused_by_the_use_case_and_nothing_is_saved() -> None:
    svc = services(allowed_domains=("firm.example",))
    viewer = signed_in(svc, google("cat@firm.example", hd="firm.example")).user
    assert viewer is not None
    closure = {"start": "2026-12-24", "end": "2026-12-31", "description": "Shutdown"}

    with pytest.raises(Forbidden, match=r"cat@firm\.example is a viewer"):
        svc.editing.save_closures(RowEdits(added=(closure,)), viewer.actor, viewer.is_editor)

    assert svc.store.list_closures() == []
