"""A notifier that only logs, for when no Google Chat webhook is configured, and a guard that
keeps any notifier from failing the use case that called it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from services.folder_records import FolderRecord
from services.ports import Notifier
from services.records import AllocationRecord, ExcludedRecord, RejectedDelivery, SyncRun

log = logging.getLogger("console.notify")


class LoggingNotifier:
    """Writes one log line per message (no secrets, no client details beyond ids)."""

    def decision(self, record: AllocationRecord) -> None:
        log.info(
            "decision deal=%s status=%s adviser=%s week=%s",
            record.deal_id,
            record.status,
            record.adviser_id,
            record.week,
        )

    def writeback_failed(self, record: AllocationRecord, error: str) -> None:
        log.warning("write-back gave up deal=%s error=%s", record.deal_id, error)

    def rejected(self, rejection: RejectedDelivery) -> None:
        log.warning("delivery refused deal=%s reason=%s", rejection.deal_id, rejection.reason)

    def sync_failed(self, run: SyncRun) -> None:
        log.warning("sync failed source=%s run=%s errors=%d", run.source, run.id, len(run.errors))

    def bad_records(self, records: Sequence[ExcludedRecord]) -> None:
        log.warning("records excluded from decisions count=%d", len(records))

    def notice(
        self, thread: str, title: str, subtitle: str, facts: Sequence[tuple[str, str]]
    ) -> bool:
        log.info("notice thread=%s title=%s", thread, title)
        return True

    def folder_provisioned(self, record: FolderRecord) -> None:
        log.info("client folder ready deal=%s folder=%s", record.deal_id, record.folder_id)

    def folder_failed(self, record: FolderRecord, error: str) -> None:
        log.warning("client folder gave up deal=%s error=%s", record.deal_id, error)


def safely(action: Callable[[], None], what: str) -> None:
    """Run a notifier call; a failure is logged and swallowed, never raised to the booking."""
    try:
        action()
    except Exception:  # a broken chat webhook must never fail an allocation
        log.exception("notifier failed while posting %s", what)


def notify_decision(notifier: Notifier | None, record: AllocationRecord) -> None:
    if notifier is not None:
        safely(lambda: notifier.decision(record), f"decision for {record.deal_id}")


def notify_rejected(notifier: Notifier | None, rejection: RejectedDelivery) -> None:
    if notifier is not None:
        safely(lambda: notifier.rejected(rejection), f"rejection of {rejection.id}")


def notify_writeback_failed(notifier: Notifier | None, record: AllocationRecord, err: str) -> None:
    if notifier is not None:
        safely(lambda: notifier.writeback_failed(record, err), f"failure for {record.deal_id}")
