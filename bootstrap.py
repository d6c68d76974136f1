"""The one place concrete adapters are chosen, from ``settings.Settings``.

The console (through ``st.cache_resource``), the webhook and the command line call
``build_services``. Adapter modules are imported inside the functions so an entry point only
loads what its settings ask for, and nothing connects anywhere at import time.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from allocation import Closure
from services import Services
from services.errors import ConfigurationError, ConsoleError
from services.facade import Clock, utc_clock
from services.hubspot_names import HubSpotNames
from services.notifiers import LoggingNotifier
from services.ports import Crm, FolderHost, LeaveSource, Notifier, Store
from services.snapshots import SnapshotCache
from services.syncing import Syncer
from settings import Settings

if TYPE_CHECKING:  # imported when built: nothing reaches for HubSpot at import time
    from integrations.hubspot import HubSpotClient

log = logging.getLogger("console.bootstrap")
DEMO_MARKER = "demo_data"  # a token-collection entry: the store holds the demo firm


def open_store(settings: Settings, *, patience: float | None = None) -> Store:
    """The configured store. ``patience`` bounds each Firestore call, retries included (the
    webhook must answer HubSpot within seconds; the console and the CLI can wait longer)."""
    if settings.store_kind == "sqlite":
        from integrations.sqlite import SqliteStore

        return SqliteStore(settings.sqlite_path)
    from integrations.firestore import FirestoreStore

    return FirestoreStore(settings.firestore_project, patience=patience)


def may_seed_demo(settings: Settings) -> bool:
    """Demo data only ever fills the embedded store of a process that is not production: no
    HubSpot credentials (demo advisers must never reach a real deal) and not on Google Cloud
    (each instance would get a throwaway demo firm of its own)."""
    return settings.store_kind == "sqlite" and settings.demo and not settings.production


def seed_if_empty(store: Store, settings: Settings, clock: Clock) -> None:
    """Fill a fresh embedded store with the demo firm (unless CONSOLE_DEMO=0 or production)."""
    if not may_seed_demo(settings) or not store.is_empty():
        return
    from allocation import Rules
    from integrations.demo_data import seed_demo

    now = clock().astimezone(dt.UTC)
    summary = seed_demo(store, now.astimezone(Rules().zone).date(), now)
    mark_demo(store, now)
    log.info("seeded demo data: %s", summary)


def mark_demo(store: Store, now: dt.datetime) -> None:
    store.save_token(DEMO_MARKER, {"seeded_at": now.isoformat()})


def holds_demo_data(store: Store) -> bool:
    return store.load_token(DEMO_MARKER) is not None


def refuse_demo_in_production(store: Store, settings: Settings) -> None:
    """A store holding the demo firm never meets a real HubSpot or a Cloud deployment."""
    if settings.production and holds_demo_data(store):
        raise ConfigurationError(
            f"CONSOLE_STORE ({settings.get('CONSOLE_STORE')}) holds the demo firm, and this is "
            f"production ({settings.production}): demo advisers must never be written to HubSpot. "
            "Point CONSOLE_STORE at a fresh store for the firm's real data."
        )


NAMES_KEPT_SECONDS = 300.0  # a card names an adviser synced in the last minutes by id


class AdviserNames:
    """Advisers' names for Chat cards: from the snapshot the services last prepared (the one
    a decision was just made on: no store call), made once per snapshot; else read from the
    store at most every few minutes, so a card never costs a read of every adviser (on
    Firestore, one per document)."""

    def __init__(
        self,
        store: Store,
        cache: SnapshotCache | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store, self._cache, self._clock = store, cache, clock
        self._lock = threading.Lock()
        self._names: dict[str, str] = {}
        self._snapshot: object | None = None  # what the names were made from ...
        self._read_at: float | None = None  # ... or when they were read from the store

    def __call__(self) -> Mapping[str, str]:
        prepared = self._cache.latest() if self._cache is not None else None
        with self._lock:
            if prepared is not None:
                if prepared.snapshot is not self._snapshot:
                    self._snapshot, self._read_at = prepared.snapshot, None
                    self._names = {a.id: a.name for a in prepared.snapshot.advisers}
            elif self._read_at is None or self._clock() - self._read_at > NAMES_KEPT_SECONDS:
                self._snapshot, self._read_at = None, self._clock()
                self._names = {a.id: a.name for a in self._store.list_advisers()}
            return self._names


def build_notifier(
    settings: Settings,
    *,
    for_webhook: bool = False,
    store: Store | None = None,
    cache: SnapshotCache | None = None,
) -> Notifier:
    if not settings.chat_configured:
        return LoggingNotifier()
    from integrations.google_chat import ChatNotifier

    url, console = settings.require("GOOGLE_CHAT_WEBHOOK_URL"), settings.get("CONSOLE_URL")
    names = AdviserNames(store, cache) if store is not None else None
    if for_webhook:
        return ChatNotifier(url, console, attempts=1, timeout=(1.0, 1.5), adviser_names=names)
    return ChatNotifier(url, console, adviser_names=names)


def build_crm(settings: Settings, *, for_webhook: bool = False) -> HubSpotClient | None:
    """The HubSpot client; the webhook's has a tighter budget (HubSpot waits only seconds)."""
    if not settings.hubspot_configured:
        return None
    from integrations.hubspot import HubSpotClient

    budget: dict[str, Any] = {}
    if for_webhook:
        seconds = settings.webhook_hubspot_timeout
        budget = {
            "attempts": settings.webhook_hubspot_attempts,
            "timeout": (min(3.05, seconds), seconds),
            "max_wait": seconds,
        }
    return HubSpotClient(
        settings.require("HUBSPOT_TOKEN"),
        api_base=settings.hubspot_api_base,
        pipeline=settings.get("HUBSPOT_ONBOARDING_PIPELINE"),
        stages=settings.onboarding_stages,
        property_names=hubspot_names(settings),
        **budget,
    )


def hubspot_names(settings: Settings) -> HubSpotNames:
    """The property names the sync and the webhook both read (one ``HUBSPOT_DEAL_PROPERTIES``)."""
    try:
        return HubSpotNames.parse(settings.get("HUBSPOT_DEAL_PROPERTIES"))
    except ValueError as exc:
        raise ConfigurationError(f"HUBSPOT_DEAL_PROPERTIES: {exc}") from None


def build_box(settings: Settings) -> FolderHost | None:
    """Box, when its secrets are set (client folders are off otherwise)."""
    if not settings.box_configured:
        return None
    from integrations.box import BoxClient

    subject_type, subject_id = settings.box_subject
    return BoxClient(
        settings.require("BOX_CLIENT_ID"),
        settings.require("BOX_CLIENT_SECRET"),
        subject_type=subject_type,
        subject_id=subject_id,
        api_base=settings.box_api_base,
    )


def demo_box(store: Store) -> tuple[FolderHost, Any]:
    """The demo Box and its deal fields; the demo firm's Box settings saved once, so its
    Client folders page works with no Box account."""
    from integrations.demo_box import DEMO_SETTINGS, DemoBox, DemoDeals

    stored = store.get_settings()
    if not stored.value.box.complete:
        store.save_settings(replace(stored.value, box=DEMO_SETTINGS), stored.version, "demo")
    return DemoBox(), DemoDeals()


def build_leave_source(settings: Settings, store: Store) -> LeaveSource | None:
    if not settings.employment_hero_configured:
        return None
    from integrations.employment_hero import EmploymentHeroClient, employment_hero_app

    app = employment_hero_app(
        settings.require("EH_CLIENT_ID"),
        settings.require("EH_CLIENT_SECRET"),
        settings.require("EH_REDIRECT_URI"),
    )
    return EmploymentHeroClient(app, store, settings.get("EH_ORGANISATION_ID"))


def build_syncer(
    settings: Settings,
    store: Store,
    *,
    crm: Crm | None,
    leave_source: LeaveSource | None,
    notifier: Notifier,
    clock: Clock,
    demo: bool,
) -> Syncer:
    """The sync use cases over the configured sources; on demo data, a source without an
    account answers with the demo firm, so every sync works with no accounts."""
    from integrations.public_holidays import public_holidays

    if demo:
        from integrations.demo_sources import DemoCrm, DemoLeaveSource, demo_holidays

        demo_crm = DemoCrm(clock, store)
        return Syncer(
            store,
            crm=crm or demo_crm,
            leave_source=leave_source or DemoLeaveSource(clock),
            holidays=demo_holidays,
            notifier=notifier,
            clock=clock,
            writer=crm or demo_crm,
        )
    country = settings.get("HOLIDAYS_COUNTRY") or "AU"
    subdivision = settings.get("HOLIDAYS_SUBDIVISION") or None

    def holidays(year: int) -> list[Closure]:
        return public_holidays(country, subdivision, year)

    return Syncer(
        store, crm=crm, leave_source=leave_source, holidays=holidays, notifier=notifier,
        clock=clock, writer=crm,
    )  # fmt: skip


# Seconds one store call may take in the webhook, retries included: HubSpot gives a webhook
# only seconds, and a 503 it will retry beats a late answer.
WEBHOOK_STORE_PATIENCE = 5.0


def build_services(
    settings: Settings | None = None,
    *,
    clock: Clock = utc_clock,
    store: Store | None = None,
    for_webhook: bool = False,
) -> Services:
    """Everything the entry points need, wired from settings (a ``store`` may be injected)."""
    settings = settings if settings is not None else Settings.load()
    patience = WEBHOOK_STORE_PATIENCE if for_webhook else None
    store = store if store is not None else open_store(settings, patience=patience)
    seed_if_empty(store, settings, clock)
    refuse_demo_in_production(store, settings)
    from integrations.public_holidays import public_holidays

    cache = SnapshotCache()  # shared with Chat's cards, for the advisers' names
    notifier = build_notifier(settings, for_webhook=for_webhook, store=store, cache=cache)
    crm = build_crm(settings)
    leave_source, demo = build_leave_source(settings, store), holds_demo_data(store)
    syncer = build_syncer(
        settings, store, crm=crm, leave_source=leave_source, notifier=notifier, clock=clock,
        demo=demo,
    )  # fmt: skip
    box, box_deals = build_box(settings), None
    if box is None and demo:
        box, box_deals = demo_box(store)
    services = Services(
        store=store,
        notifier=notifier,
        crm=crm,
        leave_source=leave_source,
        clock=clock,
        settings=settings,
        demo=demo,
        syncer=syncer,
        holiday_calendar=public_holidays,
        deal_properties=crm.deal_properties if crm is not None else None,
        box=box,
        box_deals=box_deals,
        box_links=box_deals,
        cache=cache,
    )
    if demo and box_deals is not None and not store.folders.list_folders(limit=1):
        first_folders(services)
    return services


def first_folders(services: Services) -> None:
    """The demo firm's recent allocations get their folders at once (from the demo Box)."""
    try:
        services.folders.drain()
    except ConsoleError as exc:  # the demo must still start
        log.warning("demo client folders not made: %s", exc)
