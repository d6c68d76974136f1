"""Deliveries refused for their content are kept, counted and closed, never lost."""

from __future__ import annotations

import pytest

from services.errors import NotFound
from services.ports import Store
from services.records import RejectedDelivery
from tests.contract.support import at


def rejection(
    rid: str = "4101", minutes: int = 0, reason: str = "unknown package 'Sed'"
) -> RejectedDelivery:
    return RejectedDelivery(
        id=rid, reason=reason, received_at=at(minutes), deal_id=rid,
        fields={"service_package": "Sed", "household_type": "Couple"},
    )  # fmt: skip


class RejectionContract:
    def test_a_rejected_delivery_is_kept_and_listed_newest_first(self, store: Store) -> None:
        assert store.record_rejection(rejection("4101", minutes=0)) is True
        assert store.record_rejection(rejection("4102", minutes=5)) is True
        assert [r.id for r in store.list_rejections()] == ["4102", "4101"]
        assert store.list_rejections()[1] == rejection("4101")

    def test_the_same_delivery_again_is_counted_not_raised_twice(self, store: Store) -> None:
        store.record_rejection(rejection())
        assert store.record_rejection(rejection(reason="still unknown")) is False
        [kept] = store.list_rejections()
        assert (kept.times, kept.reason) == (2, "still unknown")

    def test_resolving_closes_it_with_words_and_an_audit_entry(self, store: Store) -> None:
        store.record_rejection(rejection())
        store.resolve_rejection("4101", "allocated to Dana Lee", actor="ann@firm.au")
        assert store.list_rejections() == []
        [closed] = store.list_rejections(status="resolved")
        assert closed.resolution == "allocated to Dana Lee"
        [entry] = store.list_audit("rejections")
        assert (entry.actor, entry.entity_id) == ("ann@firm.au", "4101")

    def test_a_resolved_delivery_arriving_again_is_open_again(self, store: Store) -> None:
        store.record_rejection(rejection())
        store.resolve_rejection("4101", "dismissed", actor="ann@firm.au")
        assert store.record_rejection(rejection(reason="blank package")) is True
        [again] = store.list_rejections()
        assert (again.status, again.reason, again.times) == ("open", "blank package", 2)

    def test_resolving_an_unknown_rejection_is_refused(self, store: Store) -> None:
        with pytest.raises(NotFound, match="9999"):
            store.resolve_rejection("9999", "dismissed", actor="ann@firm.au")
