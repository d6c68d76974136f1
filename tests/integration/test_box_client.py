"""The Box client against a loopback Box (real HTTP): Client Credentials tokens cached and
renewed, the HTTP policy's retries (429 with Retry-After, 5xx), both kinds of paging, the 409s
that mean "already there", and the refusals a person must fix, said in words."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from devtools.box_server import CLIENT_ID, CLIENT_SECRET, ENTERPRISE_ID, FakeBoxServer
from integrations.box import BoxClient
from services.errors import UpstreamRejected, UpstreamUnavailable

TEMPLATE, PARENT = "11", "22"


@pytest.fixture
def box() -> Iterator[FakeBoxServer]:
    with FakeBoxServer(page_limit=2) as server:
        server.add_folder(TEMPLATE, "Client template", "0")
        server.add_folder(None, "Client uploads", TEMPLATE)
        server.add_folder(PARENT, "Clients", "0")
        server.add_template("enterprise", "clientFolder")
        yield server


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def client(box: FakeBoxServer, waits: list[float]) -> BoxClient:
    return BoxClient(CLIENT_ID, CLIENT_SECRET, subject_type="enterprise", subject_id=ENTERPRISE_ID,
                     api_base=box.base_url, sleep=waits.append)  # fmt: skip


def test_one_token_serves_many_calls_and_a_revoked_one_is_replaced(
    box: FakeBoxServer, client: BoxClient
) -> None:
    for _ in range(3):
        client.folder(PARENT)
    assert box.state.token_requests == 1
    box.revoke_tokens()
    assert client.folder(PARENT).name == "Clients"
    assert box.state.token_requests == 2


def test_a_token_about_to_run_out_is_renewed_before_use(box: FakeBoxServer) -> None:
    box.token_lifetime = 30  # less than the client's margin: every call needs a fresh one
    client = BoxClient(CLIENT_ID, CLIENT_SECRET, subject_type="user", subject_id="42",
                       api_base=box.base_url)  # fmt: skip
    client.folder(PARENT)
    client.folder(PARENT)
    assert box.state.token_requests == 2


def test_wrong_credentials_are_refused_with_boxs_reason_and_never_the_secret(
    box: FakeBoxServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = BoxClient(CLIENT_ID, "wrong-secret", subject_type="enterprise",
                       subject_id=ENTERPRISE_ID, api_base=box.base_url)  # fmt: skip
    with pytest.raises(UpstreamRejected, match="client credentials are invalid") as refused:
        client.folder(PARENT)
    assert "wrong-secret" not in str(refused.value)
    assert "wrong-secret" not in caplog.text


def test_tokens_and_secrets_never_reach_the_logs(
    box: FakeBoxServer, client: BoxClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    box.fail("/folders/", 503, times=1)
    client.folder(PARENT)
    tokens = list(box.state.tokens)
    assert tokens
    assert all(t not in caplog.text for t in tokens)
    assert CLIENT_SECRET not in caplog.text


def test_a_429_waits_as_long_as_retry_after_asks_and_a_5xx_is_retried(
    box: FakeBoxServer, client: BoxClient, waits: list[float]
) -> None:
    box.fail("/copy", 429, times=1, retry_after="7")
    box.fail("/copy", 502, times=1)
    copy = client.copy_folder(TEMPLATE, PARENT, "Smith household (deal 1)")
    assert copy.name == "Smith household (deal 1)"
    assert waits[0] == 7.0
    assert len(waits) == 2
    assert box.state.copies == 1


def test_box_down_is_unavailable_after_the_policys_attempts(
    box: FakeBoxServer, client: BoxClient, waits: list[float]
) -> None:
    client.folder(PARENT)  # a token first
    box.down.set()
    with pytest.raises(UpstreamUnavailable, match="Box is unavailable"):
        client.folder(PARENT)
    assert len(waits) == 4  # five attempts


def test_copying_onto_a_name_in_use_hands_back_that_folder_not_a_second_copy(
    box: FakeBoxServer, client: BoxClient
) -> None:
    first = client.copy_folder(TEMPLATE, PARENT, "Lee household (deal 7)")
    again = client.copy_folder(TEMPLATE, PARENT, "LEE household (deal 7)")
    assert again.id == first.id
    assert box.state.copies == 1
    assert [f.name for f in box.children(PARENT)] == ["Lee household (deal 7)"]
    assert [f.name for f in box.children(first.id)] == ["Client uploads"]


@pytest.mark.parametrize("marker", [True, False])
def test_every_item_is_listed_across_pages_with_either_kind_of_paging(
    box: FakeBoxServer, client: BoxClient, marker: bool
) -> None:
    names = [f"Household {n} (deal {n})" for n in range(5)]
    for name in names:
        box.add_folder(None, name, PARENT)
    box.marker_paging = marker  # False: a Box that answers with offsets only
    found = [i.name for i in client.items(PARENT)]
    assert sorted(found) == sorted(names)
    assert box.calls("GET", f"/folders/{PARENT}/items") == 3
    assert client.find_folder(PARENT, "household 3 (deal 3)") is not None
    assert client.find_folder(PARENT, "Household 9 (deal 9)") is None


def test_metadata_is_created_then_updated_when_it_exists(
    box: FakeBoxServer, client: BoxClient
) -> None:
    folder = box.add_folder(None, "Ng household (deal 3)", PARENT)
    client.tag(folder, "enterprise", "clientFolder", {"dealId": "3", "adviser": "Dana"})
    client.tag(folder, "enterprise", "clientFolder", {"dealId": "3", "adviser": "Eli",
                                                      "servicePackage": "Series A"})  # fmt: skip
    held = box.metadata_of(folder, "enterprise", "clientFolder")
    assert held is not None
    assert (held["adviser"], held["servicePackage"], held["$version"]) == ("Eli", "Series A", 1)


def test_a_missing_metadata_template_is_named_with_what_to_do(
    box: FakeBoxServer, client: BoxClient
) -> None:
    folder = box.add_folder(None, "Ng household (deal 3)", PARENT)
    with pytest.raises(UpstreamRejected, match="metadata template enterprise/clientFoldr does not"):
        client.tag(folder, "enterprise", "clientFoldr", {"dealId": "3"})
    with pytest.raises(UpstreamRejected, match="Admin Console"):
        client.check_template("enterprise", "clientFoldr")
    client.check_template("enterprise", "clientFolder")


def test_sharing_twice_is_fine_and_a_bad_address_is_refused_by_name(
    box: FakeBoxServer, client: BoxClient
) -> None:
    folder = box.add_folder(None, "Ng household (deal 3)", PARENT)
    assert client.share(folder, "kim@example.com", "viewer uploader") is True
    assert client.share(folder, "kim@example.com", "viewer uploader") is False
    with pytest.raises(UpstreamRejected, match="would not invite kim@example as viewer"):
        client.share(folder, "kim@example", "viewer")
    assert box.collaborators(folder) == {"kim@example.com": "viewer uploader"}


def test_a_collaborator_is_removed_whether_accepted_or_still_invited_across_pages(
    box: FakeBoxServer, client: BoxClient
) -> None:
    """Listing pages two at a time: the adviser (a Box user) and a client (invited only)
    are found on whichever page they are and removed; the others stay."""
    box.users.add("ann@firm.au")
    folder = box.add_folder(None, "Ng household (deal 3)", PARENT)
    for login in ("kim@example.com", "lee@example.com", "Ann@firm.au", "sam@example.com"):
        client.share(folder, login, "editor")
    assert client.unshare(folder, "ann@FIRM.au") is True
    assert client.unshare(folder, "sam@example.com") is True
    assert client.unshare(folder, "sam@example.com") is False  # nobody left to remove
    assert set(box.collaborators(folder)) == {"kim@example.com", "lee@example.com"}


def test_a_collaboration_removed_meanwhile_is_fine_and_a_refusal_is_said(
    box: FakeBoxServer, client: BoxClient
) -> None:
    folder = box.add_folder(None, "Ng household (deal 3)", PARENT)
    client.share(folder, "kim@example.com", "editor")
    box.fail("/2.0/collaborations/", status=404)  # gone between our listing and our delete
    assert client.unshare(folder, "kim@example.com") is True
    client.share(folder, "kim@example.com", "editor")
    box.fail("/2.0/collaborations/", status=403)
    with pytest.raises(UpstreamRejected, match=r"refused DELETE .*collaborations.*HTTP 403"):
        client.unshare(folder, "kim@example.com")


def test_a_template_or_parent_the_service_account_cannot_see_is_said_so(
    box: FakeBoxServer, client: BoxClient
) -> None:
    hidden = box.add_folder(None, "Private", "0", visible=False)
    with pytest.raises(UpstreamRejected, match=f"template folder \\(Box folder {hidden}\\)"):
        client.copy_folder(hidden, PARENT, "A (deal 1)")
    with pytest.raises(UpstreamRejected, match=f"clients parent folder \\(Box folder {hidden}\\)"):
        client.copy_folder(TEMPLATE, hidden, "A (deal 1)")
    assert box.state.copies == 0
