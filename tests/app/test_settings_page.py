"""The Settings page: rules and policy edited with field-named errors, integration status
without secret values, and connecting Employment Hero through the OAuth redirect."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import settings as console_settings  # the root module, imported before pages/ joins sys.path
from console.auth import EDITOR, User
from services.errors import Forbidden
from tests.app.firm import NOW, VIEWER_USER, Firm, page, small_firm
from tests.app.markdown_view import shown

SCRIPT = "pages/_settings.py"
SECRET = "pat-na1-very-secret-value"


@dataclasses.dataclass
class FakeEmploymentHero:
    """The connecting half of ``integrations.employment_hero.EmploymentHeroClient``."""

    states: list[str] = dataclasses.field(default_factory=list)
    exchanged: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def authorization_url(self, state: str) -> tuple[str, str]:
        self.states.append(state)
        return f"https://oauth.example/authorize?state={state}", f"verifier-{len(self.states)}"

    def exchange_code(self, code: str, code_verifier: str) -> None:
        self.exchanged.append((code, code_verifier))

    def connected(self) -> bool:
        return bool(self.exchanged)


@pytest.fixture
def firm() -> Firm:
    return small_firm()


def opened(firm: Firm, **kw: Any) -> AppTest:
    at = page(SCRIPT, firm, **kw).run()
    assert not at.exception, at.exception
    return at


def widget(at: AppTest, label: str) -> Any:
    for kind in ("number_input", "text_input", "text_area"):
        for found in getattr(at, kind):
            if found.label == label:
                return found
    raise AssertionError(f"no field labelled {label!r}")


def press(at: AppTest, label: str) -> AppTest:
    [button] = [b for b in at.button if b.label == label]
    button.click().run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest, kind: str) -> str:
    return " | ".join(shown(str(e.value)) for e in getattr(at, kind))


def rules(firm: Firm) -> Any:
    return firm.store.get_settings().value.rules


def test_an_editor_changes_rules_and_the_change_is_audited(firm: Firm) -> None:
    at = opened(firm)
    widget(at, "Buffer weeks").set_value(3)
    widget(at, "Timezone").set_value("Australia/Perth")

    press(at, "Save allocation rules")

    assert (rules(firm).buffer_weeks, rules(firm).timezone) == (3, "Australia/Perth")
    assert "Saved: Buffer weeks, Timezone." in texts(at, "success")
    assert firm.store.list_audit("settings", 1)[0].action == "settings.update"


def test_a_bad_value_is_refused_with_the_fields_name_and_nothing_saved(firm: Firm) -> None:
    at = opened(firm)
    widget(at, "Timezone").set_value("Mars/Olympus_Mons")
    widget(at, "Buffer weeks").set_value(-1)

    press(at, "Save allocation rules")

    error = texts(at, "error")
    assert "Nothing was saved" in error
    assert "Timezone" in error or "Buffer weeks" in error
    assert rules(firm).timezone == "Australia/Sydney"
    assert firm.store.list_audit("settings") == []


def test_pod_limits_are_edited_in_a_table_inside_the_form(firm: Firm) -> None:
    at = opened(firm)
    at.session_state["settings.pod_monthly_limits.0"] = {
        "edited_rows": {0: {"value": 5}},
        "added_rows": [{"pod": "Team Pod", "value": 10}],
        "deleted_rows": [],
    }

    press(at, "Save allocation rules")

    assert dict(rules(firm).pod_monthly_limits) == {"Solo Adviser": 5.0, "Team Pod": 10.0}


def test_console_policy_is_saved_and_a_bad_property_name_is_named(firm: Firm) -> None:
    at = opened(firm)
    widget(at, "Editors").set_value("Ed@Firm.example\nops@firm.example")
    press(at, "Save console policy")
    assert firm.store.get_settings().value.editors == ("ed@firm.example", "ops@firm.example")

    widget(at, "HubSpot write-back property").set_value("Bad Name!")
    press(at, "Save console policy")

    assert "HubSpot write-back property" in texts(at, "error")
    assert firm.store.get_settings().value.writeback_property == "advisor"


def test_a_stale_settings_edit_is_refused_and_the_other_change_kept(firm: Firm) -> None:
    at = opened(firm)
    current = firm.store.get_settings()
    theirs = dataclasses.replace(current.value, stale_after_hours=48)
    firm.store.save_settings(theirs, current.version, "someone@firm")
    widget(at, "Buffer weeks").set_value(4)

    press(at, "Save allocation rules")

    assert "Nothing was saved" in texts(at, "error")
    assert firm.store.get_settings().value.stale_after_hours == 48
    assert rules(firm).buffer_weeks == 2


def test_a_viewer_reads_the_settings_without_any_control(firm: Firm) -> None:
    at = opened(firm, user=VIEWER_USER)

    assert len(at.number_input) == len(at.text_input) == len(at.text_area) == 0
    assert not [b for b in at.button if not b.disabled]
    rules_table = at.dataframe[0].value
    assert "Buffer weeks" in rules_table["setting"].tolist()
    with pytest.raises(Forbidden):
        firm.services.editing.save_settings({"buffer_weeks": 9}, "0", VIEWER_USER.actor, False)


def test_integration_status_names_secrets_but_never_shows_their_values(firm: Firm) -> None:
    firm.services.settings = console_settings.Settings.of(HUBSPOT_TOKEN=SECRET)
    run = firm.store.start_sync("hubspot_advisers", "ed@firm.example", NOW)
    failed = dataclasses.replace(
        run, status="failed", finished_at=NOW + dt.timedelta(minutes=1), errors=("HubSpot 503",)
    )
    firm.store.finish_sync(failed)

    at = opened(firm)

    tables = [t.value for t in at.dataframe]
    status = next(t for t in tables if "setting" in t and "secret" in t)
    token = status[status["setting"] == "HUBSPOT_TOKEN"].iloc[0]
    assert (token["status"], token["secret"]) == ("set", "yes")
    syncs = next(t for t in tables if "Source" in t)
    assert syncs.iloc[0].to_dict() == {
        "Source": "HubSpot advisers",
        "Status": "Failed",
        "Finished": "11 Mar 2026, 12:01",  # the firm's time (Sydney), one date format
        "Errors": "HubSpot 503",
    }
    everything = " ".join(t.to_string() for t in tables) + texts(at, "markdown")
    assert SECRET not in everything


def test_without_employment_hero_settings_connect_is_disabled_with_the_reason(
    firm: Firm,
) -> None:
    at = opened(firm)

    [connect] = [b for b in at.button if b.label == "Connect Employment Hero"]
    assert connect.disabled
    assert "EH_CLIENT_ID" in texts(at, "caption")


def test_connecting_employment_hero_round_trips_through_the_redirect(firm: Firm) -> None:
    client = FakeEmploymentHero()
    firm.services.leave_source = client  # type: ignore[assignment]
    at = press(opened(firm), "Connect Employment Hero")
    [state] = client.states
    assert any(state in str(e.proto) for e in at.get("link_button"))

    # Employment Hero sends the browser back to /settings: a new session, with code and state.
    landed = opened(firm, code="the-code", state=state)

    assert client.exchanged == [("the-code", "verifier-1")]
    assert "Employment Hero is connected." in texts(landed, "success")
    assert "code" not in landed.query_params
    replayed = opened(firm, code="the-code", state=state)
    assert "already used" in texts(replayed, "error")
    assert len(client.exchanged) == 1


def test_a_redirect_landing_in_another_editors_session_is_refused_and_cancelled(
    firm: Firm,
) -> None:
    client = FakeEmploymentHero()
    firm.services.leave_source = client  # type: ignore[assignment]
    press(opened(firm), "Connect Employment Hero")  # Ed presses Connect
    [state] = client.states

    other = User("al@firm.example", "Al Editor", EDITOR)
    landed = opened(firm, user=other, code="the-code", state=state)

    assert client.exchanged == []
    assert "started by ed@firm.example, not by al@firm.example" in texts(landed, "error")
    late = opened(firm, code="the-code", state=state)  # Ed, with the same URL
    assert "already used; press Connect again" in texts(late, "error")
    assert client.exchanged == []


def test_an_editor_edits_the_firms_catalogue_and_the_change_is_audited(firm: Firm) -> None:
    at = opened(firm)
    assert widget(at, "Service packages").value.splitlines()[:2] == ["Seed", "Series A"]
    widget(at, "Service packages").set_value("Seed\nSeries A\nGrowth")
    widget(at, "Household types").set_value("Single\nCouple\nFamily")

    press(at, "Save console policy")

    stored = firm.store.get_settings().value
    assert stored.service_packages == ("Seed", "Series A", "Growth")
    assert stored.household_types == ("Single", "Couple", "Family")
    assert "Saved: Service packages, Household types." in texts(at, "success")
    entry = firm.store.list_audit("settings", 1)[0]
    assert entry.after is not None
    assert entry.after["service_packages"] == ["Seed", "Series A", "Growth"]


def test_a_duplicated_or_empty_catalogue_is_refused_with_the_fields_name(firm: Firm) -> None:
    at = opened(firm)
    before = firm.store.get_settings()
    widget(at, "Service packages").set_value("Seed\nseed")
    widget(at, "Household types").set_value("")

    press(at, "Save console policy")

    error = texts(at, "error")
    assert "Service packages: 'seed' is listed twice (as 'Seed')" in error
    assert "Household types: needs at least one name" in error
    assert firm.store.get_settings() == before
    assert firm.store.list_audit("settings") == []


def test_a_viewer_sees_the_catalogue_read_only(firm: Firm) -> None:
    at = opened(firm, user=VIEWER_USER)

    tables = [t.value for t in at.dataframe if "setting" in t.value]
    policy = next(t for t in tables if "Service packages" in t["setting"].tolist())
    row = policy[policy["setting"] == "Household types"].iloc[0]
    assert row["value"] == "Couple, Single"


def test_a_core_check_names_the_field_by_its_label_not_its_key(firm: Firm) -> None:
    at = opened(firm)
    widget(at, "Buffer weeks").set_value(-1)

    press(at, "Save allocation rules")

    error = texts(at, "error")
    assert "Buffer weeks must not be negative" in error
    assert "buffer_weeks" not in error
    assert "rules:" not in error


def test_saving_on_a_tab_stays_on_that_tab_and_the_url_names_it(firm: Firm) -> None:
    at = opened(firm, tab="Console policy")  # as the URL reads once the tab is chosen
    assert at.session_state["tab"] == "Console policy"
    widget(at, "Warn when a sync is older than (hours)").set_value(12)

    press(at, "Save console policy")

    assert firm.store.get_settings().value.stale_after_hours == 12
    assert at.session_state["tab"] == "Console policy"
    assert at.query_params["tab"] == "Console policy"
