"""Google Chat cards, threaded per deal; a failing Chat never fails the caller."""

from __future__ import annotations

import datetime as dt
import json
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from integrations.google_chat import ChatNotifier
from services.folder_records import FolderRecord
from services.notifiers import LoggingNotifier
from services.records import AllocationRecord, SyncRun

WEBHOOK = "https://chat.googleapis.com/v1/spaces/AAAA/messages?key=sekret-key&token=sekret-token"
SPACE = "https://chat.googleapis.com/v1/spaces/AAAA/messages"
WHEN = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def record(status: str = "allocated", **kw) -> AllocationRecord:
    fields = {
        "deal_id": "42",
        "status": status,
        "adviser_id": "5001" if status != "unallocated" else None,
        "week": dt.date(2026, 3, 16) if status != "unallocated" else None,
        "service_package": "Series A",
        "household_type": "Couple",
        "agreement_start": None,
        "decided_at": WHEN,
        "source": "webhook",
    }
    return AllocationRecord(**{**fields, **kw})


@pytest.fixture
def chat():
    with responses.RequestsMock() as mock:
        mock.post(SPACE, json={"name": "spaces/AAAA/messages/1"})
        yield mock


@pytest.fixture
def notifier() -> ChatNotifier:
    return ChatNotifier(WEBHOOK, console_url="https://console.test/", sleep=lambda s: None,
                        adviser_names=lambda: {"5001": "Ann Lee"})  # fmt: skip


def posted(mock: responses.RequestsMock, n: int = -1) -> tuple[dict, dict]:
    request = mock.calls[n].request
    query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
    return query, json.loads(request.body)


def card_of(body: dict) -> dict:
    [entry] = body["cardsV2"]
    return entry["card"]


def test_a_decision_is_a_card_in_the_deals_thread(chat, notifier):
    notifier.decision(record(source="reassign:ann@firm.au"))

    query, body = posted(chat)
    assert query["threadKey"] == "deal-42"
    assert query["messageReplyOption"] == "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD"
    assert (query["key"], query["token"]) == ("sekret-key", "sekret-token")
    card = card_of(body)
    assert card["header"]["title"] == "Deal 42 → Ann Lee"
    fields = {w["decoratedText"]["topLabel"]: w["decoratedText"]["text"]
              for w in card["sections"][0]["widgets"] if "decoratedText" in w}  # fmt: skip
    assert fields["Adviser"] == "Ann Lee"
    assert fields["First week"] == "16 Mar 2026"
    assert fields["Source"] == "Re-assigned in the console by ann@firm.au"
    button = card["sections"][0]["widgets"][-1]["buttonList"]["buttons"][0]
    assert button["onClick"]["openLink"]["url"] == "https://console.test/allocations?deal=42"


def test_an_unallocated_deal_card_says_why_nobody_could_take_it(chat, notifier):
    explanation = (
        {"adviser_id": "5001", "eligible": False, "reason": "not_taking_clients"},
        {"adviser_id": "5002", "eligible": False, "reason": "does not offer <Series A>"},
    )
    notifier.decision(record("unallocated", explanation=explanation))

    _, body = posted(chat)
    card = card_of(body)
    assert card["header"]["title"] == "No adviser can take deal 42"
    paragraph = next(w for w in card["sections"][0]["widgets"] if "textParagraph" in w)
    reasons = paragraph["textParagraph"]["text"]
    assert "<b>Ann Lee</b>: not taking on new clients" in reasons  # the code, in words
    assert "<b>5002</b>: does not offer &lt;Series A&gt;" in reasons  # unknown: by id
    assert "not_taking" not in reasons


def test_a_failed_writeback_joins_the_deals_thread(chat, notifier):
    notifier.decision(record())
    notifier.writeback_failed(record("writeback_pending", writeback_attempts=3), "HTTP 503")

    first, _ = posted(chat, 0)
    second, body = posted(chat, 1)
    assert first["threadKey"] == second["threadKey"] == "deal-42"
    assert "write-back failed" in card_of(body)["header"]["title"]


def test_client_folder_cards_join_the_deals_thread_with_a_link_or_what_to_fix(chat, notifier):
    folder = FolderRecord("42", WHEN, "5001", "provisioned", "linked", "777", "Ng (deal 42)",
                          "https://app.box.com/folder/777")  # fmt: skip
    notifier.decision(record())
    notifier.folder_provisioned(folder)
    stuck = FolderRecord("42", WHEN, "5001", "gave_up", "tagged", "777", needs_fix=True,
                         attempts=1)  # fmt: skip
    notifier.folder_failed(stuck, "deal 42 has no client email <add it>")

    threads = [posted(chat, n)[0]["threadKey"] for n in range(3)]
    assert threads == ["deal-42"] * 3
    ready = card_of(posted(chat, 1)[1])
    assert ready["header"]["title"] == "Client folder ready for deal 42"
    link = ready["sections"][0]["widgets"][-1]["buttonList"]["buttons"][0]
    assert link["onClick"]["openLink"]["url"] == "https://app.box.com/folder/777"
    failed = card_of(posted(chat, 2)[1])
    assert failed["header"]["title"] == "Client folder not made for deal 42"
    fields = {w["decoratedText"]["topLabel"]: w["decoratedText"]["text"]
              for w in failed["sections"][0]["widgets"] if "decoratedText" in w}  # fmt: skip
    assert fields["What to fix"] == "deal 42 has no client email &lt;add it&gt;"
    assert fields["Done so far"] == "Tagged; not shared yet"
    retry = failed["sections"][0]["widgets"][-1]["buttonList"]["buttons"][0]
    assert retry["onClick"]["openLink"]["url"] == "https://console.test/folders?deal=42"


def test_a_failed_sync_is_threaded_per_source(chat, notifier):
    run = SyncRun("run-1", "leave", WHEN, "scheduler", status="failed", errors=("EH down",))

    notifier.sync_failed(run)

    query, body = posted(chat)
    assert query["threadKey"] == "sync-leave"
    card = card_of(body)
    assert card["header"]["title"] == "Sync failed: Employment Hero leave"
    fields = {w["decoratedText"]["topLabel"]: w["decoratedText"]["text"]
              for w in card["sections"][0]["widgets"] if "decoratedText" in w}  # fmt: skip
    assert fields["Started"] == "2 Mar 2026, 09:30 UTC"
    assert fields["By"] == "The scheduler"


@pytest.mark.parametrize(
    ("failure", "why"),
    [
        ({"status": 500}, "failed 3 times (last status HTTP 500)"),
        (
            {"status": 400, "json": {"error": {"message": "Invalid JSON payload"}}},
            "refused POST chat.googleapis.com/v1/spaces/AAAA/messages (HTTP 400)",
        ),
        (
            {"body": requests.ConnectionError("https://chat.googleapis.com/...?key=sekret-key")},
            "failed 3 times (last error: could not connect)",
        ),
    ],
)
def test_a_chat_failure_is_logged_without_secrets_and_never_raised(failure, why, caplog):
    notifier = ChatNotifier(WEBHOOK, sleep=lambda s: None)
    caplog.set_level(logging.INFO)
    with responses.RequestsMock() as mock:
        mock.post(SPACE, **failure)

        notifier.decision(record())
        notifier.sync_failed(SyncRun("r", "leave", WHEN, "me", status="failed"))

    assert "Google Chat post to chat.googleapis.com/v1/spaces/AAAA/messages failed" in caplog.text
    assert why in caplog.text
    assert "sekret" not in caplog.text


def test_without_chat_the_notifier_only_logs(caplog):
    caplog.set_level(logging.INFO)

    LoggingNotifier().decision(record())
    LoggingNotifier().writeback_failed(record(), "HTTP 503")

    assert "decision deal=42 status=allocated adviser=5001" in caplog.text
    assert "write-back gave up deal=42 error=HTTP 503" in caplog.text


def test_a_card_names_the_adviser_by_id_when_the_names_cannot_be_read(chat):
    def store_down() -> dict[str, str]:
        raise ConnectionError("store unavailable")

    notifier = ChatNotifier(WEBHOOK, sleep=lambda s: None, adviser_names=store_down)
    notifier.decision(record())
    assert card_of(posted(chat)[1])["header"]["title"] == "Deal 42 → 5001"


def test_adviser_names_for_cards_are_read_again_only_after_a_few_minutes():
    from bootstrap import NAMES_KEPT_SECONDS, AdviserNames
    from tests.builders import adviser
    from tests.fakes import InMemoryStore

    store = InMemoryStore()
    store.replace_advisers([adviser("a1", "Ann Lee")])
    now = [0.0]
    names = AdviserNames(store, clock=lambda: now[0])
    assert names() == {"a1": "Ann Lee"}
    store.replace_advisers([adviser("a1", "Ann Lee-Ng")])
    now[0] = NAMES_KEPT_SECONDS - 1
    assert names() == {"a1": "Ann Lee"}  # kept: no read per card
    now[0] = NAMES_KEPT_SECONDS + 1
    assert names() == {"a1": "Ann Lee-Ng"}


def test_a_card_takes_names_from_the_snapshot_the_decision_was_made_on():
    from bootstrap import AdviserNames
    from services.snapshots import SnapshotCache
    from tests.builders import adviser
    from tests.fakes import InMemoryStore

    store = InMemoryStore()
    store.replace_advisers([adviser("a1", "Ann Lee")])
    cache = SnapshotCache()
    names = AdviserNames(store, cache)
    assert names() == {"a1": "Ann Lee"}  # nothing prepared yet: read from the store
    cache.get(store, dt.date(2026, 3, 2))  # a decision is made
    reads = store.reads  # the in-memory store counts its document reads, as Firestore bills
    assert names() == {"a1": "Ann Lee"}
    assert store.reads == reads
