"""``Services``: the one handle the entry points (pages, the webhook, the command line) hold,
composed of feature objects — ``svc.browsing``, ``svc.booking``, ``svc.history``,
``svc.rejected``, ``svc.editing``, ``svc.sync``, ``svc.access`` (``services.features``),
``svc.quality`` (``services.data_quality``), ``svc.advisers`` (``services.adviser_edits``),
``svc.outlook`` (``services.outlook``), ``svc.allocating`` (the console's allocation
actions, ``services.allocating``) and ``svc.folders`` (``services.client_folders``) — over
one ``Context`` (the ports, the clock, the cache; its docstring states the cache policy).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from services.adviser_edits import AdviserEditing
from services.allocating import Allocating
from services.client_folders import ClientFolders
from services.context import Clock, Context, utc_clock
from services.data_quality import DataQuality
from services.features import Access, Booking, Browsing, Editing, History, Rejected, Sync
from services.folders import DealReader
from services.outlook import OutlookFeature
from services.ports import (
    AppSettings,
    Crm,
    DealLinks,
    FolderHost,
    HolidayCalendar,
    LeaveSource,
    Notifier,
    Store,
)
from services.snapshots import SnapshotCache
from services.syncing import Syncer

__all__ = ["Clock", "Services", "utc_clock"]


class Services:
    def __init__(
        self,
        store: Store,
        notifier: Notifier | None = None,
        crm: Crm | None = None,
        leave_source: LeaveSource | None = None,
        clock: Clock = utc_clock,
        settings: AppSettings | None = None,
        demo: bool = False,
        syncer: Syncer | None = None,
        holiday_calendar: HolidayCalendar | None = None,
        deal_properties: Callable[[], Sequence[Any]] | None = None,
        box: FolderHost | None = None,
        box_deals: DealReader | None = None,
        box_links: DealLinks | None = None,
        cache: SnapshotCache | None = None,
    ) -> None:
        """``box`` (Box, or the demo Box) turns client folders on; ``box_deals`` and
        ``box_links`` are HubSpot's deal reads and link writes for them (default: ``crm``).
        ``cache``: the snapshot cache, when the composition root shares it (Chat's names)."""
        self.context = Context(store, clock, notifier, crm, settings, cache or SnapshotCache(),
                               box=box)  # fmt: skip
        self.store, self.demo = store, demo
        # Without a syncer from bootstrap (tests, schedulers), sync the configured sources.
        syncer = syncer or Syncer(
            store, crm=crm, leave_source=leave_source, holidays=None, notifier=notifier,
            clock=clock, writer=crm,
        )  # fmt: skip
        self.browsing = Browsing(self.context)
        self.booking = Booking(self.context)
        self.history = History(self.context, self.browsing)
        self.rejected = Rejected(self.context, self.booking, self.browsing)
        self.editing = Editing(self.context, self.browsing, holiday_calendar, deal_properties)
        self.quality = DataQuality(self.context)
        self.advisers = AdviserEditing(self.context)
        self.sync = Sync(self.context, syncer, leave_source, after_sync=self.quality.alert_new)
        self.access = Access(self.context)
        self.outlook = OutlookFeature(self.context)
        self.allocating = Allocating(self.context, self.rejected.deal_fields)
        links = box_links if box_links is not None else _links_of(crm)
        self.folders = ClientFolders(self.context, box_deals or crm, links)
        if box is not None and syncer.folders is None:
            syncer.folders = self.folders.drain

    # The ports the features share live on the context; these let wiring (and tests) read and
    # swap them in one place.

    @property
    def crm(self) -> Crm | None:
        return self.context.crm

    @crm.setter
    def crm(self, crm: Crm | None) -> None:
        self.context.crm = crm

    @property
    def notifier(self) -> Notifier | None:
        return self.context.notifier

    @property
    def syncer(self) -> Syncer:
        return self.sync.syncer

    @syncer.setter
    def syncer(self, syncer: Syncer) -> None:
        self.sync.syncer = syncer

    @property
    def settings(self) -> AppSettings | None:
        return self.context.settings

    @settings.setter
    def settings(self, settings: AppSettings | None) -> None:
        self.context.settings = settings

    @property
    def leave_source(self) -> LeaveSource | None:
        return self.sync.leave_source

    @leave_source.setter
    def leave_source(self, source: LeaveSource | None) -> None:
        self.sync.leave_source = source

    @property
    def cache(self) -> SnapshotCache:
        return self.context.cache

    @property
    def clock(self) -> Clock:
        return self.context.clock

    def now(self) -> dt.datetime:
        return self.context.now()

    def today(self) -> dt.date:
        """The clock's date in the firm's timezone."""
        return self.context.today()


def _links_of(crm: Crm | None) -> DealLinks | None:
    """HubSpot writes the folder link when the CRM can write a deal property."""
    return crm if isinstance(crm, _CanLink) else None


@runtime_checkable
class _CanLink(Protocol):
    def write_deal_property(self, deal_id: str, name: str, value: str) -> None: ...
