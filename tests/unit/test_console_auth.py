"""The console's sign-in gate: local mode, refusal, sign-in, allowed people, editors."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from console.auth import LOCAL_USER, Identity, gate
from services import Services
from services.records import ConsoleSettings
from tests.fakes import InMemoryStore


@dataclass
class Policy:
    allowed: set[str] = field(default_factory=set)
    editors: set[str] = field(default_factory=set)

    def may_sign_in(self, email: str | None) -> bool:
        return not self.allowed or email in self.allowed

    def can_edit(self, email: str | None, local_mode: bool) -> bool:
        return email in self.editors


SIGNED_IN = Identity(True, "Ann@Firm.example", "Ann")


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


def test_a_visitor_who_has_not_signed_in_is_asked_to() -> None:
    assert gate(True, True, Identity(False), Policy()).outcome == "login"


def test_a_sign_in_without_an_email_is_turned_away() -> None:
    assert gate(True, False, Identity(True, None, "Ann"), Policy()).outcome == "denied"


def test_someone_outside_the_allowed_list_is_turned_away_by_name() -> None:
    decided = gate(True, False, SIGNED_IN, Policy(allowed={"bob@firm.example"}))

    assert decided.outcome == "denied"
    assert decided.message == "ann@firm.example is not allowed to use this console."


def test_a_listed_editor_edits_and_anyone_else_allowed_only_views() -> None:
    editor = gate(True, False, SIGNED_IN, Policy(editors={"ann@firm.example"})).user
    viewer = gate(True, False, SIGNED_IN, Policy(editors={"bob@firm.example"})).user

    assert editor is not None
    assert editor.is_editor
    assert editor.actor == "ann@firm.example"
    assert viewer is not None
    assert not viewer.is_editor
    assert viewer.name == "Ann"


def test_the_stored_settings_decide_domains_and_editors() -> None:
    store = InMemoryStore()
    policy = ConsoleSettings(editors=("ann@firm.example",), allowed_domains=("firm.example",))
    store.save_settings(policy, store.get_settings().version, "setup")
    svc = Services(store)

    ann = gate(True, False, SIGNED_IN, svc)
    cat = gate(True, False, Identity(True, "cat@firm.example"), svc)
    eve = gate(True, False, Identity(True, "eve@elsewhere.example"), svc)

    assert ann.user is not None
    assert ann.user.is_editor
    assert cat.user is not None
    assert not cat.user.is_editor
    assert eve.outcome == "denied"


def test_configured_auth_needs_the_stored_policy() -> None:
    with pytest.raises(ValueError, match="needs the stored policy"):
        gate(True, False, SIGNED_IN, None)
