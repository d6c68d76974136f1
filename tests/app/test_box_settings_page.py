"""The Box section of the Settings page: off (and saying why) without Box secrets; an editor's
settings are checked against Box — a loopback Box here — and saved only when Box agrees."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from devtools.box_server import CLIENT_ID, CLIENT_SECRET, ENTERPRISE_ID, FakeBoxServer
from integrations.box import BoxClient
from services import Services
from tests.app.firm import VIEWER_USER, Firm, clock, page, small_firm, texts

PAGE = "pages/_settings.py"
FORM = "FormSubmitter:settings.box-Check with Box and save"


@pytest.fixture
def box() -> Iterator[FakeBoxServer]:
    with FakeBoxServer() as server:
        server.add_folder("11", "Client template", "0")
        server.add_folder(None, "Client uploads", "11")
        server.add_folder("22", "Clients", "0")
        server.add_template("enterprise", "clientFolder")
        yield server


@pytest.fixture
def firm(box: FakeBoxServer) -> Firm:
    firm = small_firm()
    client = BoxClient(CLIENT_ID, CLIENT_SECRET, subject_type="enterprise",
                       subject_id=ENTERPRISE_ID, api_base=box.base_url)  # fmt: skip
    svc = Services(firm.store, crm=firm.crm, clock=clock, box=client)
    return Firm(firm.store, firm.crm, svc)


def fill(at: AppTest, **values: str) -> AppTest:
    labels = {
        "template": "Template folder id",
        "parent": "Clients parent folder id",
        "subfolder": "Subfolder shared with the client",
        "template_key": "Metadata template key",
    }
    for name, value in values.items():
        next(t for t in at.text_input if t.label == labels[name]).input(value)
    at.button(key=FORM).click().run()
    return at


def test_settings_box_agrees_with_are_saved_and_audited(firm: Firm) -> None:
    at = page(PAGE, firm).run()
    fill(at, template="11", parent="22", subfolder="Client uploads", template_key="clientFolder")
    assert not at.exception
    assert "checked with Box and saved" in texts(at, "success")
    box = firm.store.get_settings().value.box
    assert (box.template_folder_id, box.parent_folder_id, box.shared_subfolder) == (
        "11",
        "22",
        "Client uploads",
    )
    assert [e.action for e in firm.store.list_audit("settings")][:1] == ["settings.update"]


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"template": "404", "parent": "22", "template_key": "clientFolder"},
         "template folder (Box folder 404) does not exist"),
        ({"template": "11", "parent": "405", "template_key": "clientFolder"},
         "clients parent folder (Box folder 405) does not exist"),
        ({"template": "11", "parent": "22", "template_key": "nope"},
         "metadata template enterprise/nope does not exist"),
        ({"template": "11", "parent": "22", "template_key": "clientFolder",
          "subfolder": "Uploads"}, "no subfolder named 'Uploads'"),
        ({"template": "my folder", "parent": "22", "template_key": "clientFolder"},
         "Template folder id must be a Box folder id"),
    ],
)  # fmt: skip
def test_settings_box_refuses_are_named_and_nothing_is_saved(
    firm: Firm, values: dict[str, str], words: str
) -> None:
    before = firm.store.get_settings().value.box
    at = fill(page(PAGE, firm).run(), **values)
    assert not at.exception
    assert words in texts(at, "error")
    assert firm.store.get_settings().value.box == before


def test_without_box_the_section_says_client_folders_are_off(firm: Firm) -> None:
    off = Services(firm.store, crm=firm.crm, clock=clock)
    at = page(PAGE, Firm(firm.store, firm.crm, off)).run()
    assert not at.exception
    assert "Client folders are off" in texts(at, "info")
    assert not [b for b in at.button if b.key == FORM]


def test_a_viewer_reads_the_box_settings_without_a_form(firm: Firm) -> None:
    at = page(PAGE, firm, user=VIEWER_USER).run()
    assert not at.exception
    assert not [b for b in at.button if b.key == FORM]
    shown = [t.value for t in at.dataframe]
    assert any("Metadata template key" in list(frame["setting"]) for frame in shown
               if "setting" in frame and "value" in frame)  # fmt: skip
