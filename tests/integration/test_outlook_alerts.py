"""Capacity alerts reach a loopback Google Chat once per day, segment and condition, threaded
per segment; the Monday digest; the daily job (`python -m cli outlook`) that sends them."""

from __future__ import annotations

import dataclasses
import datetime as dt

from cli import FAILED, OK, main
from integrations.google_chat import ChatNotifier
from services import Services
from services.records import UNALLOCATED, AllocationRecord, EditBatch
from settings import Settings
from tests.builders import adviser, clarify, override
from tests.fakes import InMemoryStore
from tests.integration.chat_server import FakeChatServer

NOW = dt.datetime(2026, 3, 10, 23, 0, tzinfo=dt.UTC)  # Wednesday 11 March in Sydney


def busy_store() -> InMemoryStore:
    """Series A couples arriving at 3 a week; Ann, the only adviser for them, is booked up."""
    store = InMemoryStore(clock=lambda: NOW)
    store.replace_advisers([
        adviser("ann", "Ann", ("Series A",), ("Couple",), monthly_limit=4),
        adviser("bo", "Bo", ("Seed",)),
    ])  # fmt: skip
    # Ann's Clarify meetings fill her weeks until June: her 4 a month are spoken for.
    tuesdays = [dt.date(2026, 3, 17) + dt.timedelta(weeks=k) for k in range(11)]
    store.replace_meetings(
        [clarify("ann", day.isoformat()) for day in tuesdays],
        dt.date(2026, 1, 1),
        dt.date(2027, 1, 1),
    )
    for k in range(36):
        at = NOW - dt.timedelta(days=1 + k * 7 / 3)
        record = AllocationRecord(
            f"h{k}", UNALLOCATED, None, None, "Series A", "Couple", None, at, "webhook"
        )
        store.record_allocation(record, "0")
    ends_next_week = override("bo", "2026-02-01", 2, "2026-03-18")
    store.save_overrides(EditBatch(added=(ends_next_week,)), "ed")
    return store


def services_on(store: InMemoryStore, chat: FakeChatServer, today: dt.datetime = NOW) -> Services:
    notifier = ChatNotifier(chat.url, console_url="https://console.test", sleep=lambda s: None)
    return Services(store, notifier=notifier, clock=lambda: today)


def test_alerts_fire_once_per_day_and_condition_threaded_per_segment():
    store = busy_store()
    with FakeChatServer() as chat:
        svc = services_on(store, chat)
        sent = svc.outlook.send_alerts().posted
        titles = [n.title for n in sent]
        assert any(t.startswith("Series A · Couple: soonest start") for t in titles)
        assert any(t.startswith("Series A · Couple: 0 places within 8 weeks") for t in titles)
        assert any("Bo: capacity override ends 18 Mar 2026" in t for t in titles)
        assert len(chat.cards) == len(sent)
        couple = [
            th for th, n in zip(chat.threads, sent, strict=True) if "Series A · Couple" in n.title
        ]
        assert set(couple) == {"outlook-Series A · Couple"}
        assert svc.outlook.send_alerts().posted == ()  # the same day again: nothing new
        assert len(chat.cards) == len(sent)

        # a second instance on the same store (another Cloud Run) does not repeat them either
        assert services_on(store, chat).outlook.send_alerts().posted == ()

        tomorrow = services_on(store, chat, NOW + dt.timedelta(days=1))
        assert [n.title for n in tomorrow.outlook.send_alerts().posted if "Series A" in n.title]


def test_the_monday_digest_lists_soonest_starts_away_advisers_and_waiting_writebacks():
    store = busy_store()
    with FakeChatServer() as chat:
        sent = services_on(store, chat).outlook.send_alerts(digest=True).posted
        [digest] = [n for n in sent if n.key.endswith("|digest")]
        facts = dict(digest.facts)
        assert "Series A · Couple" in facts
        assert facts["Write-backs waiting"] == "0"
        assert facts["Stale sources"] == "none"
        assert "Week of 9 Mar 2026" in chat.texts()[-1]


def test_the_daily_job_keeps_the_day_and_alerts_only_when_turned_on(capsys):
    store = busy_store()
    with FakeChatServer() as chat:
        svc = services_on(store, chat)
        settings = Settings.of(CONSOLE_STORE="sqlite:///x.db")
        assert main(["outlook"], settings=settings, build=lambda _: svc) == OK
        assert "Series A · Couple: soonest start" in capsys.readouterr().out
        assert store.list_outlook_days(dt.date(2026, 3, 1))
        assert chat.cards == []  # alerts are off until the Settings page turns them on

        held = store.get_settings()
        on = dataclasses.replace(held.value, outlook_alerts=True)
        store.save_settings(on, held.version, actor="ed")
        assert main(["outlook"], settings=settings, build=lambda _: svc) == OK
        assert chat.cards
        assert "alert(s) posted" in capsys.readouterr().out


def test_demo_data_never_alerts_unless_asked():
    store = busy_store()
    store.save_token("demo_data", {"seeded_at": NOW.isoformat()})
    held = store.get_settings()
    store.save_settings(dataclasses.replace(held.value, outlook_alerts=True), held.version, "ed")
    with FakeChatServer() as chat:
        svc = services_on(store, chat)
        settings = Settings.of(CONSOLE_STORE="sqlite:///x.db")
        assert main(["outlook"], settings=settings, build=lambda _: svc) == OK
        assert chat.cards == []
        assert main(["outlook", "--alerts"], settings=settings, build=lambda _: svc) == OK
        assert chat.cards


def test_alerts_chat_does_not_take_are_reported_and_sent_by_the_next_run(capsys):
    """Chat down (after its retries): nothing is marked sent, the job says so and fails, and
    the next run posts every alert once."""
    store = busy_store()
    held = store.get_settings()
    store.save_settings(dataclasses.replace(held.value, outlook_alerts=True), held.version, "ed")
    settings = Settings.of(CONSOLE_STORE="sqlite:///x.db")
    with FakeChatServer() as chat:
        svc = services_on(store, chat)
        chat.status = 500
        assert main(["outlook"], settings=settings, build=lambda _: svc) == FAILED
        err = capsys.readouterr().err
        assert "Chat did not take" in err
        assert "the next run sends them" in err
        assert chat.cards  # tried (and retried), refused every time

        chat.status = 200
        chat.cards.clear()
        chat.threads.clear()
        assert main(["outlook"], settings=settings, build=lambda _: svc) == OK
        posted = len(chat.cards)
        assert posted >= 3  # the couple segment's two alerts and Bo's override
        assert main(["outlook"], settings=settings, build=lambda _: svc) == OK
        assert len(chat.cards) == posted  # and only once
