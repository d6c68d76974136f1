"""In-memory stand-ins for the notifier, CRM, leave-source and Box ports, for unit tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from allocation import Adviser, Meeting
from integrations.demo_box import DemoBox
from services.errors import UpstreamRejected, UpstreamUnavailable
from services.folder_records import BoxItem, FolderRecord
from services.records import (
    AllocationRecord,
    ExcludedRecord,
    LeaveRequest,
    OpenDeal,
    RejectedDelivery,
    SyncRun,
)


@dataclass
class RecordingNotifier:
    """Keeps every message it was asked to post; can be told to blow up like a broken webhook."""

    decisions: list[AllocationRecord] = field(default_factory=list)
    writeback_failures: list[tuple[AllocationRecord, str]] = field(default_factory=list)
    sync_failures: list[SyncRun] = field(default_factory=list)
    rejections: list[RejectedDelivery] = field(default_factory=list)
    excluded: list[list[ExcludedRecord]] = field(default_factory=list)
    notices: list[tuple[str, str]] = field(default_factory=list)  # (thread, title)
    folders_ready: list[FolderRecord] = field(default_factory=list)
    folders_failed: list[tuple[FolderRecord, str]] = field(default_factory=list)
    broken: bool = False

    def _check(self) -> None:
        if self.broken:
            raise RuntimeError("chat webhook is down")

    def decision(self, record: AllocationRecord) -> None:
        self._check()
        self.decisions.append(record)

    def writeback_failed(self, record: AllocationRecord, error: str) -> None:
        self._check()
        self.writeback_failures.append((record, error))

    def sync_failed(self, run: SyncRun) -> None:
        self._check()
        self.sync_failures.append(run)

    def rejected(self, rejection: RejectedDelivery) -> None:
        self._check()
        self.rejections.append(rejection)

    def bad_records(self, records: Sequence[ExcludedRecord]) -> None:
        self._check()
        self.excluded.append(list(records))

    def notice(
        self, thread: str, title: str, subtitle: str, facts: Sequence[tuple[str, str]]
    ) -> bool:
        self._check()
        self.notices.append((thread, title))
        return True

    def folder_provisioned(self, record: FolderRecord) -> None:
        self._check()
        self.folders_ready.append(record)

    def folder_failed(self, record: FolderRecord, error: str) -> None:
        self._check()
        self.folders_failed.append((record, error))

    @property
    def alerts(self) -> list[AllocationRecord]:
        return [r for r in self.decisions if r.status == "unallocated"]


@dataclass
class FakeCrm:
    """HubSpot as the use cases see it. ``fail_next(n)`` makes the next n write-backs fail."""

    advisers: list[Adviser] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    open_deals: list[OpenDeal] = field(default_factory=list)
    deals: dict[str, dict[str, str | None]] = field(default_factory=dict)
    contacts: dict[str, list[str]] = field(default_factory=dict)  # deal id → contact emails
    writes: list[tuple[str, str, str]] = field(default_factory=list)
    calls: int = 0
    _failures: int = 0
    _rejecting: bool = False

    def fail_next(self, times: int, rejected: bool = False) -> None:
        self._failures = times
        self._rejecting = rejected

    def fetch_advisers(self) -> list[Adviser]:
        self.calls += 1
        return list(self.advisers)

    def fetch_meetings(self, start: dt.date, end: dt.date) -> list[Meeting]:
        self.calls += 1
        return [m for m in self.meetings if start <= m.start.astimezone(dt.UTC).date() < end]

    def fetch_open_deals(self) -> list[OpenDeal]:
        self.calls += 1
        return list(self.open_deals)

    def read_deal(self, deal_id: str, properties: Sequence[str]) -> dict[str, str | None]:
        self.calls += 1
        deal = self.deals.get(deal_id, {})
        return {p: deal.get(p) for p in properties}

    def contact_emails(self, deal_id: str) -> list[str]:
        self.calls += 1
        return list(self.contacts.get(deal_id, []))

    def write_adviser(self, deal_id: str, adviser_id: str, property_name: str) -> None:
        self.calls += 1
        if self._failures > 0:
            self._failures -= 1
            if self._rejecting:
                raise UpstreamRejected(f"HubSpot refused deal {deal_id} (400)")
            raise UpstreamUnavailable(f"HubSpot unavailable writing deal {deal_id} (503)")
        self.writes.append((deal_id, adviser_id, property_name))


@dataclass
class FakeLeaveSource:
    requests: list[LeaveRequest] = field(default_factory=list)
    calls: int = 0

    def fetch_leave(self, since: dt.date, until: dt.date) -> list[LeaveRequest]:
        self.calls += 1
        return [r for r in self.requests if r.end >= since and r.start <= until]


class FakeBox(DemoBox):
    """Box in memory (the demo Box, steady), which can be taken down; counts its copies."""

    def __init__(self) -> None:
        super().__init__(hiccups=False)
        self.down = False
        self.copies = 0

    def _check(self) -> None:
        if self.down:
            raise UpstreamUnavailable(
                "Box is unavailable: POST /2.0/folders/100/copy failed 5 times"
            )

    def copy_folder(self, source_id: str, parent_id: str, name: str) -> BoxItem:
        self._check()
        held = self.find_folder(parent_id, name)
        if held is None:
            self.copies += 1
        return super().copy_folder(source_id, parent_id, name)

    def find_folder(self, parent_id: str, name: str, what: str = "folder") -> BoxItem | None:
        self._check()
        return super().find_folder(parent_id, name, what)
