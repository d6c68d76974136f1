"""Client folders from outside: a real webhook process, a loopback HubSpot, Chat and Box, on
SQLite and on the Firestore emulator. Every allocated deal gets exactly one folder — whatever
is replayed, killed, raced or down — and bad input is recorded in words, never skipped."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
import requests

import bootstrap
from allocation import Deal
from devtools.box_server import CLIENT_ID, CLIENT_SECRET, ENTERPRISE_ID, FakeBoxServer
from devtools.hubspot_server import TOKEN, Failure, FakeHubSpotServer
from devtools.webhook_server import WebhookProcess, advisers, healthy_webhook, workflow_body
from services import Services, folders
from services.folder_records import (
    COPIED,
    FOLDER_GAVE_UP,
    FOLDER_PENDING,
    FOLDER_PROVISIONED,
    TAGGED,
    BoxSettings,
    FolderRecord,
)
from services.ports import FolderHost
from services.records import ALLOCATED
from settings import Settings
from tests.integration.chat_server import FakeChatServer

TEMPLATE, PARENT = "11", "22"
BOX_SETTINGS = BoxSettings(
    template_folder_id=TEMPLATE,
    parent_folder_id=PARENT,
    shared_subfolder="Client uploads",
    metadata_template="clientFolder",
)


@dataclass
class Setup:
    env: dict[str, str]
    hubspot: FakeHubSpotServer
    chat: FakeChatServer
    box: FakeBoxServer

    def services(self, at: dt.datetime | None = None) -> Services:
        clock = (lambda: at) if at is not None else (lambda: dt.datetime.now(dt.UTC))
        return bootstrap.build_services(Settings.of(**self.env), clock=clock)

    def deal(self, **properties: Any) -> str:
        deal_id = str(800_000 + uuid.uuid4().int % 100_000)
        fields = {"service_package": "Series A", "dealname": "Kim & Lee Ng",
                  "client_email": "kim@example.com; lee@example.com"}  # fmt: skip
        self.hubspot.add_deal(deal_id, **(fields | properties))
        return deal_id

    def folders_named_for(self, deal_id: str) -> list[str]:
        return [f.name for f in self.box.children(PARENT) if f"(deal {deal_id})" in f.name]

    def record(self, deal_id: str) -> FolderRecord:
        found = self.services().store.folders.get_folder(deal_id)
        assert found is not None, f"deal {deal_id} has no folder record"
        return found

    def drain(self, at: dt.datetime | None = None) -> Mapping[str, str]:
        runs = self.services(at).sync.run_sync_group("writebacks", "scheduler")
        return {r.source: r.status for r in runs}

    def link_of(self, deal_id: str) -> str | None:
        value = self.hubspot.state.deals[deal_id].get("box_folder_url")
        return None if value is None else str(value)


@pytest.fixture
def setup(store_env: dict[str, str]) -> Iterator[Setup]:
    with FakeHubSpotServer() as hubspot, FakeChatServer() as chat, FakeBoxServer() as box:
        box.add_folder(TEMPLATE, "Client template", "0")
        box.add_folder(None, "Client uploads", TEMPLATE)
        box.add_folder(PARENT, "Clients", "0")
        box.add_template("enterprise", "clientFolder")
        env = {"CONSOLE_DEMO": "0", "HUBSPOT_TOKEN": TOKEN, "HUBSPOT_API_BASE": hubspot.base_url,
               "GOOGLE_CHAT_WEBHOOK_URL": chat.url, "WEBHOOK_BUDGET": "5",
               "BOX_CLIENT_ID": CLIENT_ID, "BOX_CLIENT_SECRET": CLIENT_SECRET,
               "BOX_ENTERPRISE_ID": ENTERPRISE_ID, "BOX_API_BASE": box.base_url,
               **store_env}  # fmt: skip
        here = Setup(env, hubspot, chat, box)
        svc = here.services()
        svc.store.replace_advisers(advisers(2))
        box.users.update(a.email for a in advisers(2) if a.email)  # staff have Box accounts
        version = svc.store.get_settings().version
        svc.folders.save_box_settings(BOX_SETTINGS, version, actor="ops@firm.au", is_editor=True)
        yield here


@pytest.fixture
def webhook(setup: Setup) -> Iterator[WebhookProcess]:
    yield from healthy_webhook(setup.env)


def post(webhook: WebhookProcess, deal_id: str) -> requests.Response:
    return webhook.post(workflow_body(deal_id, "Series A"), timeout=10)


def allocate(setup: Setup, deal_id: str) -> None:
    assert setup.services().booking.allocate(Deal(deal_id, "Series A")).record.books


def test_the_same_deal_delivered_ten_times_gets_one_folder_copied_tagged_shared_and_linked(
    setup: Setup, webhook: WebhookProcess
) -> None:
    deal_id = setup.deal()
    replies: list[int] = []
    senders = [threading.Thread(target=lambda: replies.append(post(webhook, deal_id).status_code))
               for _ in range(10)]  # fmt: skip
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert replies == [200] * 10
    assert setup.box.state.copies == 0  # the webhook only queued it
    assert setup.drain()["box_folders"] == "ok"
    assert setup.drain()["box_folders"] == "ok"  # a second drain finds nothing to do
    record = setup.record(deal_id)
    assert (record.status, record.step) == (FOLDER_PROVISIONED, "linked")
    assert setup.folders_named_for(deal_id) == [f"Kim & Lee Ng (deal {deal_id})"]
    assert setup.box.state.copies == 1
    assert setup.link_of(deal_id) == f"https://app.box.com/folder/{record.folder_id}"
    tags = setup.box.metadata_of(str(record.folder_id), "enterprise", "clientFolder")
    assert tags is not None
    assert (tags["dealId"], tags["servicePackage"]) == (deal_id, "Series A")
    [uploads] = setup.box.children(str(record.folder_id))
    assert setup.box.collaborators(uploads.id) == {
        "kim@example.com": "viewer uploader",
        "lee@example.com": "viewer uploader",
    }
    adviser = setup.services().store.get_allocation(deal_id)
    assert adviser is not None
    owner = f"adviser{int(str(adviser.adviser_id)) - 7000}@example.com"
    assert setup.box.collaborators(str(record.folder_id)) == {owner: "editor"}
    ready = [c for c in setup.chat.texts() if f"Client folder ready for deal {deal_id}" in c]
    assert len(ready) == 1


class KilledHere(BaseException):
    """The worker process dies at this point (nothing after it runs, no handler sees it)."""


class DiesAfter:
    """Box, through which the worker dies right after one call has been answered."""

    def __init__(self, inner: FolderHost, call: str) -> None:
        self._inner, self._call = inner, call

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)
        if name != self._call:
            return method

        def then_die(*args: Any, **kwargs: Any) -> Any:
            method(*args, **kwargs)
            raise KilledHere(name)

        return then_die


def kill_during_drain(setup: Setup, call: str) -> None:
    svc = setup.services()
    assert svc.context.box is not None
    svc.context.box = DiesAfter(svc.context.box, call)
    with pytest.raises(KilledHere):
        svc.folders.drain()


def after_lease() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + folders.LEASE + dt.timedelta(seconds=1)


def test_a_worker_killed_after_the_copy_resumes_without_a_second_copy(setup: Setup) -> None:
    deal_id = setup.deal()
    allocate(setup, deal_id)
    kill_during_drain(setup, "copy_folder")
    dead = setup.record(deal_id)
    assert (dead.step, dead.folder_id) == ("", None)  # Box made it; we never heard
    assert setup.drain()["box_folders"] == "ok"  # its lease still runs: left alone
    assert setup.record(deal_id).step == ""
    assert setup.drain(after_lease())["box_folders"] == "ok"
    record = setup.record(deal_id)
    assert (record.status, record.step) == (FOLDER_PROVISIONED, "linked")
    assert setup.box.state.copies == 1
    assert len(setup.folders_named_for(deal_id)) == 1


def test_a_worker_killed_after_tagging_resumes_at_sharing(setup: Setup) -> None:
    deal_id = setup.deal()
    allocate(setup, deal_id)
    kill_during_drain(setup, "share")  # the first client is invited, then the worker dies
    assert setup.record(deal_id).step == TAGGED
    assert setup.drain(after_lease())["box_folders"] == "ok"
    record = setup.record(deal_id)
    assert record.status == FOLDER_PROVISIONED
    assert setup.box.calls("POST", "/metadata/") == 1  # tagging was not done again
    assert setup.box.state.copies == 1
    assert setup.link_of(deal_id) == record.folder_url


def test_two_drainers_at_once_make_one_folder(setup: Setup) -> None:
    deal_ids = [setup.deal() for _ in range(3)]
    for deal_id in deal_ids:
        allocate(setup, deal_id)
    # Past the sync runs' own lock (a person's Retry beside the scheduled drain): the
    # folders' leases alone keep the two apart.
    drainers = [threading.Thread(target=lambda: setup.services().folders.drain())
                for _ in range(2)]  # fmt: skip
    for drainer in drainers:
        drainer.start()
    for drainer in drainers:
        drainer.join()
    assert setup.box.state.copies == 3
    for deal_id in deal_ids:
        assert len(setup.folders_named_for(deal_id)) == 1
        assert setup.record(deal_id).status == FOLDER_PROVISIONED
    assert setup.box.calls("POST", "/collaborations") == 3 * 3  # two clients + the adviser


def test_box_down_leaves_the_allocation_alone_and_the_next_drain_makes_the_folder(
    setup: Setup, webhook: WebhookProcess
) -> None:
    setup.box.down.set()
    deal_id = setup.deal()
    reply = post(webhook, deal_id)
    assert (reply.status_code, reply.json()["status"]) == (200, ALLOCATED)
    assert setup.drain()["box_folders"] == "failed"
    waiting = setup.record(deal_id)
    assert (waiting.status, waiting.attempts, waiting.needs_fix) == (FOLDER_PENDING, 1, False)
    assert "Box is unavailable" in str(waiting.last_error)
    setup.box.down.clear()
    assert setup.drain()["box_folders"] == "ok"  # not due yet: backoff
    assert setup.record(deal_id).status == FOLDER_PENDING
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    assert setup.drain(later)["box_folders"] == "ok"
    assert setup.record(deal_id).status == FOLDER_PROVISIONED
    assert setup.box.state.copies == 1


def test_hubspot_down_while_reading_the_contacts_is_retried_not_a_missing_email(
    setup: Setup,
) -> None:
    """The client's address is on the deal's contacts and HubSpot's contacts API answers 503:
    the folder waits for the next drain (never "has no client email"), then is shared."""
    deal_id = setup.deal(client_email="")
    setup.hubspot.add_contact("905", deal_id, email="kim@example.com")
    allocate(setup, deal_id)
    setup.hubspot.fail(Failure("POST", 503, times=None))  # the association and contact reads
    assert setup.drain()["box_folders"] == "failed"
    waiting = setup.record(deal_id)
    assert (waiting.status, waiting.needs_fix, waiting.step) == (FOLDER_PENDING, False, TAGGED)
    assert "no client email" not in str(waiting.last_error)
    setup.hubspot.heal()
    assert setup.drain(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2))["box_folders"] == "ok"
    record = setup.record(deal_id)
    assert record.status == FOLDER_PROVISIONED
    [uploads] = [f for f in setup.box.children(str(record.folder_id)) if f.name == "Client uploads"]
    assert "kim@example.com" in setup.box.collaborators(uploads.id)


BAD_INPUT = {
    "no client email": ({"client_email": ""}, None, "has no client email"),
    "invalid email": ({"client_email": "kim at example"}, None, "is not an email address"),
    "missing template": ({}, "template", "template folder (Box folder 11) does not exist"),
    "invisible parent": ({}, "parent", "clients parent folder (Box folder 22) does not exist"),
    "missing metadata template": ({}, "metadata", "metadata template enterprise/clientFolder"),
}


def test_a_deal_without_an_email_shares_with_its_contacts_and_a_bad_one_says_which(
    setup: Setup,
) -> None:
    """As firms keep clients in HubSpot: the couple are two contacts on the deal, a third
    contact (an accountant) has no email; a typo on a contact names the contact as the fix."""
    deal_id = setup.deal(client_email="")
    setup.hubspot.add_contact("901", deal_id, email="Kim@Example.com")
    setup.hubspot.add_contact("902", deal_id, email="lee@example.com")
    setup.hubspot.add_contact("903", deal_id)
    allocate(setup, deal_id)
    setup.drain()
    record = setup.record(deal_id)
    assert record.status == FOLDER_PROVISIONED
    [uploads] = [f for f in setup.box.children(str(record.folder_id)) if f.name == "Client uploads"]
    shared = setup.box.collaborators(uploads.id)
    assert set(shared) == {"kim@example.com", "lee@example.com"}

    typo = setup.deal(client_email="")
    setup.hubspot.add_contact("904", typo, email="sam at example.com")
    allocate(setup, typo)
    setup.drain()
    stuck = setup.record(typo)
    assert (stuck.status, stuck.needs_fix) == (FOLDER_GAVE_UP, True)
    assert "'sam at example.com' (on an associated contact)" in str(stuck.last_error)
    assert "correct it on the contact" in str(stuck.last_error)


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_recorded_with_what_to_fix_and_raised_to_chat_once(
    setup: Setup, case: str
) -> None:
    properties, broken, words = BAD_INPUT[case]
    deal_id = setup.deal(**properties)
    allocate(setup, deal_id)
    if broken == "template":
        setup.box.state.folders[TEMPLATE].visible = False
    elif broken == "parent":
        setup.box.state.folders[PARENT].visible = False
    elif broken == "metadata":
        setup.box.state.templates.clear()
    assert setup.drain()["box_folders"] == "failed"
    setup.drain(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2))  # not retried on a timer
    record = setup.record(deal_id)
    assert (record.status, record.needs_fix, record.attempts) == (FOLDER_GAVE_UP, True, 1)
    assert words in str(record.last_error)
    cards = [c for c in setup.chat.texts() if f"Client folder not made for deal {deal_id}" in c]
    assert len(cards) == 1
    allocation = setup.services().store.get_allocation(deal_id)
    assert allocation is not None
    assert allocation.status == ALLOCATED  # the allocation stands


def test_a_fixed_deal_is_finished_by_a_persons_retry_without_a_second_copy(setup: Setup) -> None:
    deal_id = setup.deal(client_email="")
    allocate(setup, deal_id)
    setup.drain()
    assert setup.record(deal_id).step == TAGGED  # copied and tagged before the email was needed
    setup.hubspot.add_deal(deal_id, service_package="Series A", dealname="Kim & Lee Ng",
                           client_email="kim@example.com")  # fmt: skip
    done = setup.services().folders.retry(deal_id, actor="ops@firm.au", is_editor=True)
    assert (done.done, done.failed) == (1, 0)
    assert setup.record(deal_id).status == FOLDER_PROVISIONED
    assert setup.box.state.copies == 1


def test_a_reassigned_deal_is_tagged_and_shared_with_the_new_adviser_instead_of_the_old(
    setup: Setup,
) -> None:
    deal_id = setup.deal()
    allocate(setup, deal_id)
    setup.drain()
    svc = setup.services()
    first = svc.store.get_allocation(deal_id)
    assert first is not None
    other = next(a for a in svc.store.list_advisers() if a.id != first.adviser_id)
    first_adviser = next(a for a in svc.store.list_advisers() if a.id == first.adviser_id)
    assert setup.box.collaborators(str(setup.record(deal_id).folder_id))[first_adviser.email]
    assert first.week is not None
    svc.booking.reassign(deal_id, other.id, first.week, "client asked", "ops@firm.au", True)
    moved = setup.record(deal_id)
    assert (moved.status, moved.step, moved.adviser_id) == (FOLDER_PENDING, COPIED, other.id)
    setup.drain()
    record = setup.record(deal_id)
    assert record.status == FOLDER_PROVISIONED
    tags = setup.box.metadata_of(str(record.folder_id), "enterprise", "clientFolder")
    assert tags is not None
    assert tags["adviser"] == other.name
    shared = setup.box.collaborators(str(record.folder_id))
    assert shared[other.email] == "editor"
    assert first_adviser.email not in shared  # the previous adviser no longer sees the client
    assert record.shared_adviser == other.email
    assert setup.box.state.copies == 1


def test_box_settings_are_checked_against_box_and_nothing_is_saved_when_wrong(
    setup: Setup,
) -> None:
    svc = setup.services()
    stored = svc.store.get_settings()
    wrong = BoxSettings(template_folder_id="999", parent_folder_id=PARENT,
                        metadata_template="clientFolder")  # fmt: skip
    with pytest.raises(Exception, match="template folder \\(Box folder 999\\) does not exist"):
        svc.folders.save_box_settings(wrong, stored.version, actor="ops@firm.au", is_editor=True)
    assert svc.store.get_settings().value.box == BOX_SETTINGS


def test_box_off_queues_nothing_and_the_drain_is_skipped(setup: Setup) -> None:
    env = {k: v for k, v in setup.env.items() if not k.startswith("BOX_")}
    svc = bootstrap.build_services(Settings.of(**env))
    deal_id = setup.deal()
    svc.booking.allocate(Deal(deal_id, "Series A"))
    assert svc.store.folders.get_folder(deal_id) is None
    runs = svc.sync.run_sync_group("writebacks", "scheduler")
    assert {r.source: r.status for r in runs}["box_folders"] == "skipped"
