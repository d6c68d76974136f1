"""Sync use cases: recorded runs that replace each synced set whole, or change nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from allocation import Closure, Leave, PendingDeal
from services.errors import SyncInProgress, UpstreamUnavailable
from services.records import LeaveRequest, OpenDeal
from services.syncing import Syncer
from tests.builders import adviser, clarify, d, kickoff
from tests.fake_ports import FakeCrm, FakeLeaveSource, RecordingNotifier
from tests.fakes import InMemoryStore

NOW = dt.datetime(2026, 3, 10, 23, 0, tzinfo=dt.UTC)  # 11 March 2026 in Sydney
TODAY = d("2026-03-11")


class BrokenCrm(FakeCrm):
    def fetch_advisers(self):
        raise UpstreamUnavailable("HubSpot is unavailable: GET /crm/v3/objects/users failed")

    def fetch_meetings(self, start, end):
        raise UpstreamUnavailable("HubSpot is unavailable: meetings search failed")


@pytest.fixture
def store() -> InMemoryStore:
    store = InMemoryStore(clock=lambda: NOW)
    store.replace_advisers([adviser("dana"), adviser("eli", region="NSW")])
    return store


def syncer(store, crm=None, leave=None, holidays=None, notifier=None) -> Syncer:
    return Syncer(
        store, crm=crm, leave_source=leave, holidays=holidays, notifier=notifier,
        clock=lambda: NOW, writer=crm,
    )  # fmt: skip


def test_an_adviser_sync_replaces_the_set_and_records_the_run(store):
    crm = FakeCrm(advisers=[adviser("dana", packages=("Seed",)), adviser("eli"), adviser("fay")])

    run = syncer(store, crm).run("hubspot_advisers", "ops@firm.test")

    assert run.status == "ok"
    assert (run.added, run.updated, run.removed) == (1, 1, 0)  # eli is unchanged
    assert {a.id for a in store.list_advisers()} == {"dana", "eli", "fay"}
    assert store.list_sync_runs("hubspot_advisers")[0] == run
    assert store.list_audit()[0].action == "sync.hubspot_advisers"


def test_console_only_adviser_fields_survive_a_hubspot_sync(store):
    run = syncer(store, FakeCrm(advisers=[adviser("eli")])).run("hubspot_advisers", "me")

    assert run.removed == 1
    assert store.list_advisers()[0].region == "NSW"


def test_a_failed_fetch_leaves_the_old_data_and_alerts_chat(store):
    notifier = RecordingNotifier()
    before = store.list_advisers()

    run = syncer(store, BrokenCrm(), notifier=notifier).run("hubspot_advisers", "scheduler")

    assert run.status == "failed"
    assert "HubSpot is unavailable" in run.errors[0]
    assert store.list_advisers() == before
    assert notifier.sync_failures == [run]
    assert store.list_sync_runs()[0].status == "failed"


def test_an_empty_adviser_list_is_refused_rather_than_wiping_everyone(store):
    run = syncer(store, FakeCrm(advisers=[])).run("hubspot_advisers", "me")

    assert run.status == "failed"
    assert "keeping the 2 stored" in run.errors[0]
    assert len(store.list_advisers()) == 2


def test_a_chat_outage_does_not_hide_the_failed_run(store):
    notifier = RecordingNotifier(broken=True)

    run = syncer(store, BrokenCrm(), notifier=notifier).run("hubspot_advisers", "me")

    assert run.status == "failed"


def test_meetings_sync_replaces_the_window_and_forgets_pending_deals_now_booked(store):
    store.replace_open_deals([PendingDeal("70", "dana", d("2026-03-09"))])
    crm = FakeCrm(
        meetings=[clarify("dana", "2026-03-18", deal_id="70"), kickoff("eli", "2026-03-19")]
    )

    run = syncer(store, crm).run("hubspot_meetings", "me")

    assert run.status == "ok"
    assert run.added == 2
    assert store.list_pending() == []
    assert "1 pending deal(s) now have a Clarify booked" in run.errors[0]


def test_open_deals_find_their_adviser_by_owner_id_or_email_in_any_case(store):
    deals = [
        OpenDeal("1", "dana", None, d("2026-03-20"), d("2026-03-01")),
        OpenDeal("2", "99999", "ELI@Example.com", None, d("2026-03-02")),
        OpenDeal("3", None, "nobody@example.com", None, None),
    ]

    run = syncer(store, FakeCrm(open_deals=deals)).run("hubspot_deals", "me")

    assert sorted(store.list_pending(), key=lambda p: p.deal_id) == [
        PendingDeal("1", "dana", d("2026-03-16")),
        PendingDeal("2", "eli", d("2026-03-02")),
    ]
    assert run.errors == ("open deal 3 names no known adviser; not counted",)


def test_leave_sync_matches_emails_case_insensitively_and_reports_strangers(store):
    requests = [
        LeaveRequest("1", "DANA@example.COM", d("2026-03-16"), d("2026-03-20")),
        LeaveRequest("2", "eli@example.com", d("2026-03-23"), d("2026-03-23"), 0.5),
        LeaveRequest("3", "temp@agency.test", d("2026-03-23"), d("2026-03-24")),
    ]

    run = syncer(store, leave=FakeLeaveSource(requests)).run("leave", "me")

    assert {(lv.id, lv.adviser_id, lv.day_fraction) for lv in store.list_leave()} == {
        ("eh-1", "dana", 1.0),
        ("eh-2", "eli", 0.5),
    }
    assert run.status == "ok"
    assert run.errors == (
        "Employment Hero employee temp@agency.test matches no adviser's email; "
        "1 leave request(s) not imported",
    )


def test_cancelled_leave_disappears_while_running_and_manual_leave_stays(store):
    source = FakeLeaveSource(
        [
            LeaveRequest("running", "dana@example.com", d("2026-03-09"), d("2026-03-13")),
            LeaveRequest("cancelled", "eli@example.com", d("2026-04-01"), d("2026-04-02")),
        ]
    )
    store.add_manual_leave(Leave("manual-1", "eli", d("2026-05-04"), d("2026-05-04")))
    syncer(store, leave=source).run("leave", "me")
    source.requests.pop()  # cancelled in Employment Hero

    run = syncer(store, leave=source).run("leave", "me")

    assert run.removed == 1
    assert {lv.id for lv in store.list_leave()} == {"eh-running", "manual-1"}


def test_holiday_sync_adds_only_missing_future_holidays_and_is_idempotent(store):
    def holidays(year: int) -> list[Closure]:
        return [
            Closure(
                f"ph-{year}-01-26", dt.date(year, 1, 26), dt.date(year, 1, 26), "Australia Day"
            ),
            Closure(f"ph-{year}-12-25", dt.date(year, 12, 25), dt.date(year, 12, 25), "Christmas"),
        ]

    first = syncer(store, holidays=holidays).run("holidays", "me")
    second = syncer(store, holidays=holidays).run("holidays", "me")

    assert first.added == 3  # 26 January 2026 is already past
    assert second.added == 0
    assert {v.value.id for v in store.list_closures()} == {
        "ph-2026-12-25",
        "ph-2027-01-26",
        "ph-2027-12-25",
    }


def test_a_source_that_is_not_configured_is_recorded_as_skipped_with_the_setting_named(store):
    notifier = RecordingNotifier()

    run = syncer(store, notifier=notifier).run("leave", "scheduler")

    assert run.status == "skipped"
    assert run.finished_at == NOW
    assert run.errors == ("Employment Hero is not configured (EH_CLIENT_ID, EH_CLIENT_SECRET)",)
    assert store.list_sync_runs("leave") == [run]
    assert store.list_audit()[0].after["status"] == "skipped"
    assert notifier.sync_failures == []  # not configured is a choice, not an outage to alarm on


def test_a_skipped_source_does_not_block_its_next_run_once_configured(store):
    syncer(store).run("leave", "scheduler")
    monday = d("2026-03-16")
    source = FakeLeaveSource([LeaveRequest("1", "dana@example.com", monday, monday)])

    run = syncer(store, leave=source).run("leave", "scheduler")

    assert run.status == "ok"
    assert [r.status for r in store.list_sync_runs("leave")] == ["ok", "skipped"]


def test_a_group_skips_what_is_not_configured_and_syncs_the_rest(store):
    crm = FakeCrm(advisers=[adviser("dana"), adviser("eli")])

    runs = syncer(store, crm).run_group("all", "scheduler")

    assert {r.source: r.status for r in runs} == {
        "hubspot_advisers": "ok",
        "hubspot_meetings": "ok",
        "hubspot_deals": "ok",
        "leave": "skipped",
        "holidays": "skipped",
        "writebacks": "ok",
        "box_folders": "skipped",
    }


def test_a_sync_already_running_is_refused_without_a_second_run(store):
    store.start_sync("hubspot_advisers", "scheduler", NOW)

    with pytest.raises(SyncInProgress):
        syncer(store, FakeCrm(advisers=[adviser("x")])).run("hubspot_advisers", "me")
    assert len(store.list_sync_runs("hubspot_advisers")) == 1


def test_a_group_runs_every_source_even_after_one_fails(store):
    crm = BrokenCrm(open_deals=[OpenDeal("1", "dana", None, None, None)])
    seen: list[str] = []

    runs = syncer(store, crm).run_group("hubspot", "me", lambda source, run: seen.append(source))

    assert [r.status for r in runs] == ["failed", "failed", "ok", "ok", "skipped"]
    assert seen == [
        "hubspot_advisers",
        "hubspot_meetings",
        "hubspot_deals",
        "writebacks",
        "box_folders",
    ]
