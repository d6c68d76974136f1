"""The capacity outlook's daily snapshots are kept per day and segment; alerts are claimed once."""

from __future__ import annotations

import datetime as dt
import threading

from services.ports import Store
from services.records import OutlookDay


def day(text: str, segment: str = "Series A · Couple", places: int = 5) -> OutlookDay:
    return OutlookDay(
        dt.date.fromisoformat(text), segment, dt.date(2026, 3, 23), places, 2,
        dt.date(2026, 4, 6),
    )  # fmt: skip


class TrendsContract:
    def test_days_are_kept_per_segment_and_listed_oldest_first(self, store: Store) -> None:
        store.save_outlook_days([day("2026-03-11"), day("2026-03-11", "Seed / Single ?#")])
        store.save_outlook_days([day("2026-03-10", places=7)])
        kept = store.list_outlook_days(dt.date(2026, 3, 1))
        assert [(d.day.isoformat(), d.segment) for d in kept] == [
            ("2026-03-10", "Series A · Couple"),
            ("2026-03-11", "Seed / Single ?#"),
            ("2026-03-11", "Series A · Couple"),
        ]
        assert kept[0] == day("2026-03-10", places=7)

    def test_a_second_run_the_same_day_replaces_that_days_figures(self, store: Store) -> None:
        store.save_outlook_days([day("2026-03-11", places=5)])
        store.save_outlook_days([day("2026-03-11", places=3)])
        assert [d.places_8_weeks for d in store.list_outlook_days(dt.date(2026, 3, 11))] == [3]

    def test_days_before_the_window_are_left_out(self, store: Store) -> None:
        store.save_outlook_days([day("2025-12-01"), day("2026-03-11")])
        assert [d.day.isoformat() for d in store.list_outlook_days(dt.date(2026, 1, 1))] == [
            "2026-03-11"
        ]

    def test_keeping_trends_does_not_move_the_data_version(self, store: Store) -> None:
        before = store.data_version()
        store.save_outlook_days([day("2026-03-11")])
        store.claim_alert("2026-03-11|Series A · Couple|soonest")
        assert store.data_version() == before

    def test_an_alert_is_claimed_once_even_by_callers_at_the_same_time(self, store: Store) -> None:
        key = "2026-03-11|Series A/Couple|places"
        wins: list[bool] = []
        claimants = [
            threading.Thread(target=lambda: wins.append(store.claim_alert(key))) for _ in range(4)
        ]
        for t in claimants:
            t.start()
        for t in claimants:
            t.join()
        assert sorted(wins) == [False, False, False, True]
        assert store.claim_alert(key) is False
        assert store.claim_alert("2026-03-12|Series A/Couple|places") is True

    def test_an_alert_given_back_is_claimed_again_once(self, store: Store) -> None:
        key = "2026-03-11|Series A/Couple|soonest"
        assert store.claim_alert(key) is True
        store.release_alert(key)  # Chat did not take it: the next run tries again
        assert store.claim_alert(key) is True
        assert store.claim_alert(key) is False
        store.release_alert("2026-03-11|never claimed")  # giving back nothing is harmless
