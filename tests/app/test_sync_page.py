"""The Sync page on demo mode: every source syncs with no accounts, with progress and history."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import bootstrap
from console import sync_panel
from integrations.demo_box import DEMO_SETTINGS, DemoBox, DemoDeals
from services.client_folders import ClientFolders
from services.errors import Forbidden
from services.notifiers import LoggingNotifier
from services.syncing import SOURCES
from settings import Settings
from tests.app.firm import NOW, VIEWER_USER, Firm, page, small_firm

SCRIPT = "pages/sync.py"


@pytest.fixture
def firm() -> Firm:
    demo = small_firm()
    # No accounts at all: bootstrap wires the demo stand-ins for HubSpot and Employment Hero.
    svc = demo.services
    svc.demo, svc.crm = True, None
    svc.syncer = bootstrap.build_syncer(
        Settings.of(), svc.store, crm=None, leave_source=None, notifier=LoggingNotifier(),
        clock=svc.clock, demo=True,
    )  # fmt: skip
    # ... and for Box: the demo Box (steady, so every run succeeds) drains the folders.
    stored = svc.store.get_settings()
    svc.store.save_settings(replace(stored.value, box=DEMO_SETTINGS), stored.version, "seed")
    svc.context.box = DemoBox(hiccups=False)
    svc.folders = ClientFolders(svc.context, DemoDeals(), DemoDeals())
    svc.syncer.folders = svc.folders.drain
    # Made now, while their advisers exist: the demo sync below swaps in the demo firm, whose
    # advisers are not the small firm's (a folder cannot be shared with a vanished adviser).
    svc.folders.drain()
    return demo


def opened(firm: Firm, **kw: Any) -> AppTest:
    at = page(SCRIPT, firm, **kw).run()
    assert not at.exception, at.exception
    return at


def press(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def table(at: AppTest, column: str) -> Any:
    return next(t.value for t in at.dataframe if column in t.value.columns)


def test_every_source_has_a_button_and_sync_all_is_there(firm: Firm) -> None:
    at = opened(firm)

    keys = {b.key for b in at.button}
    assert keys == {f"sync.{s}" for s in SOURCES} | {"sync.all"}
    assert "Demo mode" in at.info[0].value
    assert set(table(at, "latest run")["latest run"]) == {"never run"}


def test_syncing_advisers_on_demo_mode_records_a_run_with_counts(firm: Firm) -> None:
    at = press(opened(firm), "sync.hubspot_advisers")

    [run] = firm.store.list_sync_runs("hubspot_advisers")
    assert run.status == "ok"
    assert run.added > 0
    assert len(firm.store.list_advisers()) > 4  # the demo firm replaced the small one
    assert at.status[0].proto.label.startswith("Sync finished")
    assert any(f"{run.added} added" in m.value for m in at.markdown)


def test_sync_all_runs_every_source_and_shows_progress_and_history(firm: Firm) -> None:
    at = press(opened(firm), "sync.all")

    runs = firm.store.list_sync_runs()
    assert sorted(r.source for r in runs) == sorted(SOURCES)
    assert all(r.status == "ok" for r in runs), [r.errors for r in runs]
    assert at.get("progress")[0].proto.value == 100
    last = table(at, "last success")
    assert last["last success"].notna().all()
    history = table(at, "by")
    assert len(history) == len(SOURCES)
    assert set(history["by"]) == {"ed@firm.example"}


def test_a_failed_run_is_shown_with_its_error_in_the_history(firm: Firm) -> None:
    run = firm.store.start_sync("leave", "scheduler", NOW)
    firm.store.finish_sync(dataclasses.replace(run, status="failed", errors=("EH said 503",)))

    at = opened(firm)

    history = table(at, "by")
    assert history.iloc[0][["source", "status", "errors"]].tolist() == [
        "Employment Hero leave",
        "Failed",
        "EH said 503",
    ]
    latest = table(at, "latest run").set_index("source")
    assert latest.loc["Employment Hero leave", "latest run"] == "Failed"


def test_a_source_that_is_not_configured_reads_as_skipped_not_as_a_failure(firm: Firm) -> None:
    svc = firm.services  # production wiring: HubSpot connected, Employment Hero not
    svc.demo = False
    svc.syncer = bootstrap.build_syncer(
        Settings.of(), svc.store, crm=firm.crm, leave_source=None, notifier=LoggingNotifier(),
        clock=svc.clock, demo=False,
    )  # fmt: skip

    at = press(opened(firm), "sync.leave")

    assert at.status[0].proto.label == "Sync finished: 1 skipped (not configured)"
    assert at.status[0].proto.state != "error"
    assert not at.error
    assert "Employment Hero leave skipped: Employment Hero is not configured" in at.info[0].value
    assert table(at, "by").iloc[0]["status"] == "Skipped: not configured"
    latest = table(at, "latest run").set_index("source")
    assert latest.loc["Employment Hero leave", "latest run"] == "Skipped: not configured"


def test_a_daily_source_keeps_its_last_success_behind_many_frequent_runs(firm: Firm) -> None:
    holidays = firm.store.start_sync("holidays", "scheduler", NOW - dt.timedelta(days=1))
    firm.store.finish_sync(
        dataclasses.replace(holidays, status="ok", finished_at=holidays.started_at)
    )
    for minutes in range(0, 15 * 240, 15):  # 60 hours of HubSpot syncs every 15 minutes
        run = firm.store.start_sync(
            "hubspot_deals", "scheduler", NOW + dt.timedelta(minutes=minutes)
        )
        firm.store.finish_sync(dataclasses.replace(run, status="ok", finished_at=run.started_at))

    at = opened(firm)

    latest = table(at, "latest run").set_index("source")
    # when it finished, in the firm's timezone (Sydney), in the console's one date format
    assert latest.loc["Public holidays", "last success"] == "10 Mar 2026, 12:00"
    assert latest.loc["Public holidays", "latest run"] == "Succeeded"
    assert firm.services.sync.last_syncs()["holidays"].id == holidays.id


def test_a_source_already_running_is_reported_and_the_others_still_run(firm: Firm) -> None:
    firm.store.start_sync("holidays", "scheduler", NOW)  # still running

    at = press(opened(firm), "sync.all")

    assert any("holidays" in w.value.lower() for w in at.warning)
    assert {r.source for r in firm.store.list_sync_runs() if r.status == "ok"} == set(SOURCES) - {
        "holidays"
    }


def test_the_history_can_be_narrowed_to_one_source(firm: Firm) -> None:
    at = press(opened(firm), "sync.all")

    at.selectbox(key="source").set_value("leave").run()

    assert table(at, "by")["source"].tolist() == ["Employment Hero leave"]


def test_a_viewer_sees_the_history_but_cannot_start_a_sync(firm: Firm) -> None:
    at = opened(firm, user=VIEWER_USER)

    assert len(at.button) == 0
    assert "Only editors" in at.caption[0].value
    with pytest.raises(Forbidden):
        sync_panel.run_with_progress(["leave"], VIEWER_USER.actor, is_editor=False)
    assert firm.store.list_sync_runs() == []


def test_a_link_naming_a_source_opens_its_history(firm: Firm) -> None:
    for source in ("leave", "holidays"):
        run = firm.store.start_sync(source, "scheduler", NOW)
        firm.store.finish_sync(dataclasses.replace(run, status="ok", finished_at=NOW))

    at = opened(firm, source="Employment Hero leave")  # the option as the page words it

    assert at.selectbox(key="source").value == "leave"
    assert table(at, "by")["source"].tolist() == ["Employment Hero leave"]
