"""The console's allocation use cases (``svc.allocating``, ``svc.booking.reassign``): a
re-assignment the allocator would not make is refused until confirmed, the ranking is
pre-filled, unallocated deals say why and re-run, a deal is allocated by id."""

from __future__ import annotations

import datetime as dt

import pytest

from allocation import Deal
from services.allocating import TypedDeal
from services.errors import BadRequest, Forbidden, NeedsConfirmation
from services.explanation import candidate_words, tie_break_words
from services.records import RejectedDelivery
from tests.app.firm import TODAY, Firm, small_firm
from tests.builders import adviser

EDITOR = "ed@firm.example"


@pytest.fixture
def firm() -> Firm:
    return small_firm()


def test_a_reassignment_to_an_adviser_who_does_not_offer_the_package_is_refused_unconfirmed(
    firm: Firm,
) -> None:
    before = firm.store.get_allocation("D-102")

    with pytest.raises(NeedsConfirmation) as refused:
        firm.services.booking.reassign("D-102", "dana", dt.date(2026, 4, 6), "asked", EDITOR,
                                       is_editor=True)  # fmt: skip

    assert refused.value.warnings[0] == "Dana does not offer IPO"
    assert firm.store.get_allocation("D-102") == before
    assert firm.crm.writes == []
    assert firm.store.list_audit("allocations") == []

    firm.services.booking.reassign("D-102", "dana", dt.date(2026, 4, 6), "asked", EDITOR,
                                   is_editor=True, confirmed=True)  # fmt: skip
    assert firm.store.get_allocation("D-102").adviser_id == "dana"


def test_past_buffer_and_closed_weeks_are_each_named(firm: Firm) -> None:
    warn = firm.services.allocating.reassign_warnings

    assert warn("D-101", "dana", TODAY - dt.timedelta(weeks=8)) == (
        "the week of 12 Jan 2026 is in the past",
    )
    assert warn("D-101", "dana", TODAY) == (
        "the week of 9 Mar 2026 is inside the buffer (the earliest start for a new client is "
        "23 Mar 2026)",
    )
    assert warn("D-100", "gus", dt.date(2026, 4, 13)) == (
        "Gus does not take Couple households",
        "the week of 13 Apr 2026 is not open for Gus: not enough capacity banked that week",
    )
    assert warn("D-101", "fay", dt.date(2026, 4, 13))[0] == "Fay is not taking on new clients"


def test_the_plan_puts_the_allocators_choice_first_with_its_earliest_week_and_reasons(
    firm: Firm,
) -> None:
    plan = firm.services.allocating.reassign_plan("D-101")  # Series B, booked on Dana

    assert plan.suggested is not None
    assert (plan.suggested.name, plan.suggested.earliest_week) == ("Dana", dt.date(2026, 4, 6))
    assert firm.services.allocating.reassign_warnings("D-101", "dana", dt.date(2026, 4, 6)) == ()
    assert [r.name for r in plan.ranking if not r.eligible] == ["Eli", "Fay", "Gus"]
    assert plan.ranking[0].why == (
        "open from 6 Apr 2026; earlier weeks closed: not enough capacity banked 1 week, "
        "weekly maximum of new clients reached 1 week"
    )
    assert plan.ranking[1].why == "does not offer this service package"
    assert plan.tie_break == "Dana was the only adviser with an open week."


def test_the_unallocated_queue_says_why_each_deal_is_there(firm: Firm) -> None:
    frame = firm.services.allocating.unallocated_frame()

    assert list(frame["deal_id"]) == ["D-102"]
    assert list(frame["why"]) == ["of 4 advisers: 3 do not offer IPO, 1 not taking on new clients"]


def test_rerun_shows_what_each_deal_would_get_then_books_it(firm: Firm) -> None:
    advisers = [*firm.store.list_advisers(), adviser("ivy", "Ivy", ("IPO",))]
    firm.store.replace_advisers(advisers)

    [line] = firm.services.allocating.rerun_preview()
    assert (line.deal_id, line.adviser) == ("D-102", "Ivy")
    assert firm.store.get_allocation("D-102").adviser_id is None  # a preview writes nothing

    [done] = firm.services.allocating.rerun(None, EDITOR, is_editor=True)

    record = firm.store.get_allocation("D-102")
    assert (record.adviser_id, record.week, record.status) == ("ivy", line.week, "allocated")
    assert record.source == "console"
    assert ("D-102", "ivy", "advisor") in firm.crm.writes
    [entry] = firm.store.list_audit("allocations")
    assert (entry.actor, entry.entity_id) == (EDITOR, "D-102")
    assert done.words == line.words


def test_rerun_books_each_deal_where_its_preview_said(firm: Firm) -> None:
    for deal_id in ("901", "902", "903"):
        firm.services.booking.allocate(Deal(deal_id, "IPO"))  # nobody offers IPO yet
    advisers = [*firm.store.list_advisers(), adviser("ivy", "Ivy", ("IPO",))]
    firm.store.replace_advisers(advisers)

    lines = firm.services.allocating.rerun_preview()
    firm.services.allocating.rerun(None, EDITOR, is_editor=True)

    assert len(lines) == 4  # D-102 and the three above, oldest first
    for line in lines:
        record = firm.store.get_allocation(line.deal_id)
        assert (record.adviser_id, record.week) == (line.adviser_id, line.week)
    weeks = [line.week for line in lines]
    assert len(set(weeks)) > 1  # Ivy cannot start four new clients in one week


def test_allocate_by_id_with_details_typed_in_is_recorded_from_the_console(firm: Firm) -> None:
    firm.services.crm = None
    with pytest.raises(BadRequest, match="HUBSPOT_TOKEN"):
        firm.services.allocating.allocate_by_id("4501", EDITOR, is_editor=True)

    outcome = firm.services.allocating.allocate_by_id(
        "4501", EDITOR, is_editor=True, typed=TypedDeal("Series A", "Single")
    )

    assert (outcome.record.adviser_id, outcome.record.source) == ("dana", "console")
    again = firm.services.allocating.allocate_by_id(
        "04501", EDITOR, is_editor=True, typed=TypedDeal("Series B")
    )
    assert again.replay
    assert again.record == outcome.record
    with pytest.raises(Forbidden):
        firm.services.allocating.allocate_by_id("4502", "vi@x", is_editor=False)


def test_an_explanation_names_the_reason_for_every_adviser_and_the_tie_break() -> None:
    dana = {"adviser_id": "dana", "eligible": True, "reason": None,
            "earliest_week": "2026-03-23", "utilisation": 0.4,
            "blocked_weeks": [["2026-03-16", "away"], ["2026-03-09", "no_balance"]]}  # fmt: skip
    eli = dana | {"adviser_id": "eli", "utilisation": 0.55, "blocked_weeks": []}
    names = {"dana": "Dana", "eli": "Eli"}

    assert candidate_words(dana) == (
        "open from 23 Mar 2026; earlier weeks closed: away 1 week, not enough capacity banked "
        "1 week"
    )
    assert tie_break_words([dana, eli], names) == (
        "Dana and Eli are both open from 23 Mar 2026; Dana was chosen on lower utilisation "
        "(40% against 55%)."
    )
    assert tie_break_words([dana, eli | {"utilisation": 0.4}], names).endswith(
        "Dana was chosen by name (alphabetical order)."
    )
    later = eli | {"earliest_week": "2026-03-30"}
    assert tie_break_words([dana, later], names) == (
        "Dana was chosen over Eli: open sooner (23 Mar 2026 against 30 Mar 2026)."
    )


def test_allocating_a_refused_deal_by_id_closes_its_refusal(firm: Firm) -> None:
    refusal = RejectedDelivery(
        id="4601", reason="deal 4601: the service package is missing",
        received_at=dt.datetime(2026, 3, 10, 22, tzinfo=dt.UTC), deal_id="4601",
    )  # fmt: skip
    firm.store.record_rejection(refusal)
    firm.crm.deals["4601"] = {"service_package": "Series A"}  # fixed in HubSpot since

    firm.services.allocating.allocate_by_id("4601", EDITOR, is_editor=True)

    assert firm.store.list_rejections(status="open") == []
    [closed] = firm.store.list_rejections(status="resolved")
    assert closed.resolution.startswith(f"allocated by id by {EDITOR}")


def test_a_rerun_meeting_a_booking_at_the_same_instant_decides_again_within_the_weekly_max(
    firm: Firm,
) -> None:
    """Webhook bookings for Ivy land between the re-run's decision and its write: the write
    is refused (it was decided on an old picture of Ivy) and the deal is decided again, so no
    week takes more new clients than the weekly maximum."""
    firm.store.replace_advisers([*firm.store.list_advisers(), adviser("ivy", "Ivy", ("IPO",))])
    weekly_max = firm.store.get_settings().value.rules.weekly_max_new
    store, attempts = firm.store, []
    update = store.update_allocation

    def racing_update(record, actor, reason="", based_on=None):  # type: ignore[no-untyped-def]
        if record.deal_id != "D-102" or based_on is None:  # write-backs, not re-run bookings
            return update(record, actor, reason, based_on)
        attempts.append(record.week)
        if len(attempts) == 1:  # the webhook fills the week the re-run chose, just before
            for k in range(weekly_max):
                firm.services.booking.allocate(Deal(f"race-{k}", "IPO"))
        return update(record, actor, reason, based_on)

    object.__setattr__(store, "update_allocation", racing_update)
    [done] = firm.services.allocating.rerun(["D-102"], EDITOR, is_editor=True)

    assert len(attempts) == 2
    assert done.adviser_id == "ivy"
    per_week: dict[tuple[str, dt.date], int] = {}
    for pending in store.list_pending():
        key = (pending.adviser_id, pending.week)
        per_week[key] = per_week.get(key, 0) + 1
    assert max(per_week.values()) <= weekly_max
    assert store.get_allocation("D-102").week == done.week != attempts[0]


def racing(firm: Firm, bookings: int, week: dt.date) -> list[int]:
    """Make ``bookings`` webhook bookings for Ivy in ``week`` land just before the
    re-assignment of D-101 is written (once); returns the list its attempts are counted in."""
    from tests.contract.support import allocation, record

    store, attempts = firm.store, []
    update = store.update_allocation

    def racing_update(moved, actor, reason="", based_on=None):  # type: ignore[no-untyped-def]
        if moved.deal_id == "D-101" and based_on is not None:  # not its write-back
            attempts.append(1)
            if len(attempts) == 1:
                for k in range(bookings):
                    record(store, allocation(f"race-{k}", "ivy", week, minutes=k))
        return update(moved, actor, reason, based_on)

    object.__setattr__(store, "update_allocation", racing_update)
    return attempts


def with_ivy(firm: Firm) -> dt.date:
    """Ivy offers Series B too; the week the allocator would open her for D-101."""
    ivy = adviser("ivy", "Ivy", ("Series B",), ("Single", "Couple"))
    firm.store.replace_advisers([*firm.store.list_advisers(), ivy])
    plan = firm.services.allocating.reassign_plan("D-101")
    [ranked] = [r for r in plan.ranking if r.adviser_id == "ivy"]
    assert ranked.earliest_week is not None
    return ranked.earliest_week


def test_a_reassignment_whose_week_fills_up_meanwhile_asks_again_and_changes_nothing(
    firm: Firm,
) -> None:
    week = with_ivy(firm)
    assert firm.services.allocating.reassign_warnings("D-101", "ivy", week) == ()
    before = firm.store.get_allocation("D-101")
    weekly_max = firm.store.get_settings().value.rules.weekly_max_new
    attempts = racing(firm, weekly_max, week)

    with pytest.raises(NeedsConfirmation) as asked:
        firm.services.booking.reassign("D-101", "ivy", week, "asked", EDITOR, is_editor=True)

    assert len(attempts) == 1
    assert any("is not open for Ivy" in w for w in asked.value.warnings)
    assert firm.store.get_allocation("D-101") == before


def test_a_reassignment_whose_week_still_has_room_after_a_booking_meanwhile_goes_through(
    firm: Firm,
) -> None:
    week = with_ivy(firm)
    weekly_max = firm.store.get_settings().value.rules.weekly_max_new
    attempts = racing(firm, weekly_max - 1, week)

    firm.services.booking.reassign("D-101", "ivy", week, "asked", EDITOR, is_editor=True)

    assert len(attempts) == 2  # refused once on the old picture of Ivy, then checked again
    moved = firm.store.get_allocation("D-101")
    assert (moved.adviser_id, moved.week) == ("ivy", week)
