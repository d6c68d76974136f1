"""One bad record never stops decisions: it is left out, named with its reason, and raised to
Chat once after the sync that brought it in."""

from __future__ import annotations

from allocation import Deal
from services.records import ALLOCATED
from services.screening import screen_advisers
from services.syncing import ADVISERS
from tests.builders import adviser, d
from tests.fake_ports import FakeCrm
from tests.unit.services_support import firm, services


def typo() -> object:
    """Hana's end date was typed a year early in HubSpot."""
    return adviser("hana", "Hana", start_date=d("2026-02-02"), end_date=d("2025-02-02"))


def test_an_adviser_ending_before_starting_is_left_out_with_the_dates_in_words() -> None:
    kept, excluded = screen_advisers([adviser("dana"), typo()])  # type: ignore[list-item]

    assert [a.id for a in kept] == ["dana"]
    [record] = excluded
    assert (record.kind, record.record_id) == ("adviser", "hana")
    assert "ends on 2 Feb 2025, before starting on 2 Feb 2026" in record.reason


def test_an_adviser_listed_twice_is_kept_once_and_reported() -> None:
    kept, excluded = screen_advisers([adviser("dana", "Dana"), adviser(" dana", "Dana B")])

    assert [a.name for a in kept] == ["Dana"]
    assert "listed 2 times" in excluded[0].reason


def test_deals_are_still_allocated_around_an_adviser_with_a_typo_and_a_duplicate() -> None:
    store = firm(adviser("dana"), typo())  # type: ignore[arg-type]
    # Stored under an id that differs only by a space (a spreadsheet import, say).
    store.state.advisers[" dana"] = {"id": " dana", "name": "Dana again", "email": "d@x.au"}
    store.state.closures["broken"] = ({"id": "broken", "start": "2026-05-02"}, "1")  # no end
    svc, _ = services(store)

    outcome = svc.booking.allocate(Deal("d1", "Series A"), source="webhook")

    assert outcome.status == ALLOCATED
    assert outcome.record.adviser_id == "dana"
    found = {(r.kind, r.record_id) for r in svc.quality.excluded()}
    assert found == {("adviser", "dana"), ("adviser", "hana"), ("closure", "broken")}


def test_pages_read_the_firm_without_the_excluded_adviser() -> None:
    svc, _ = services(firm(adviser("dana"), typo()))  # type: ignore[arg-type]

    assert [a.id for a in svc.browsing.advisers()] == ["dana"]
    assert not svc.browsing.heatmap_frame().empty


def test_a_sync_bringing_a_bad_record_raises_it_to_chat_once() -> None:
    crm = FakeCrm(advisers=[adviser("dana"), typo()])  # type: ignore[list-item]
    svc, notifier = services(crm=crm)

    svc.sync.run_sync(ADVISERS, "ann", is_editor=True)
    svc.sync.run_sync(ADVISERS, "ann", is_editor=True)

    assert [[r.record_id for r in said] for said in notifier.excluded] == [["hana"]]


def test_only_a_newly_bad_record_is_raised_after_a_later_sync() -> None:
    crm = FakeCrm(advisers=[adviser("dana"), typo()])  # type: ignore[list-item]
    svc, notifier = services(crm=crm)
    svc.sync.run_sync(ADVISERS, "ann", is_editor=True)

    crm.advisers.append(adviser("ivy", start_date=d("2026-05-01"), end_date=d("2026-04-01")))
    svc.sync.run_sync(ADVISERS, "ann", is_editor=True)

    assert [[r.record_id for r in said] for said in notifier.excluded] == [["hana"], ["ivy"]]


def test_a_broken_chat_webhook_does_not_fail_the_sync() -> None:
    crm = FakeCrm(advisers=[adviser("dana"), typo()])  # type: ignore[list-item]
    svc, notifier = services(crm=crm)
    notifier.broken = True

    run = svc.sync.run_sync(ADVISERS, "ann", is_editor=True)

    assert run.status == "ok"
