"""Use cases the editing pages need beside ``services.editing``: importing public holidays as
closures, and connecting Employment Hero (OAuth 2 with PKCE) from the Settings page.

The PKCE verifier is kept in the store's token collection, keyed by the OAuth ``state``,
because Employment Hero sends the browser back to a *new* Streamlit session: nothing in the
first session's memory survives the round trip. A verifier is used once and expires.

The callback *takes* the verifier (``Store.take_token``, one atomic read-and-delete), so of
several callbacks carrying one state (a double submit, a replayed URL) exactly one exchanges
the code. The verifier is bound to the editor who pressed Connect: a callback from anyone else
is refused, and the state is consumed all the same. A callback URL that reached another
editor has left the browser it was meant for, and it carries a live authorisation code (or is
someone's attempt to attach their own Employment Hero account to this console); nobody should
be able to finish it, and consuming first keeps every outcome one atomic step. The editor who
started it only has to press Connect again.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from allocation import Closure, normalise
from services.editing import SaveResult, require_editor
from services.errors import (
    BadRequest,
    ConfigurationError,
    Conflict,
    ConsoleError,
    Forbidden,
    ServiceError,
)
from services.ports import HolidayCalendar, Store
from services.records import AuditEntry, ChangeCounts, EditBatch, Versioned

PKCE_PREFIX = "employment_hero.pkce."
PKCE_LIFETIME = dt.timedelta(minutes=15)


@runtime_checkable
class Connectable(Protocol):
    """The Employment Hero client's connecting half (``integrations.employment_hero``)."""

    def authorization_url(self, state: str) -> tuple[str, str]: ...

    def exchange_code(self, code: str, code_verifier: str) -> None: ...

    def connected(self) -> bool: ...


# --- public holidays ----------------------------------------------------------------------


def _already_closed(holiday: Closure, existing: Sequence[Versioned[Closure]]) -> bool:
    """Imported before (same stable id), or entered by hand (same day, same name)."""
    for stored in existing:
        same_day = stored.value.start == holiday.start
        same_name = normalise(stored.value.description) == normalise(holiday.description)
        if stored.value.id == holiday.id or (same_day and same_name):
            return True
    return False


def holiday_closures(
    store: Store, calendar: HolidayCalendar, country: str, subdivision: str, year: int
) -> list[Closure]:
    """Weekday public holidays not yet stored as closures, ready to preview and save."""
    if not country.strip():
        raise BadRequest("choose a country code, such as AU")
    try:
        found = calendar(country, subdivision or None, year)
    except ConfigurationError as exc:
        raise BadRequest(str(exc)) from exc
    existing = store.list_closures()
    return [h for h in found if not _already_closed(h, existing)]


def import_holidays(
    closures: Sequence[Closure], *, store: Store, actor: str, is_editor: bool
) -> SaveResult:
    """Save previewed holidays as new closures in one audited batch (their stable ids kept)."""
    require_editor(is_editor, actor, "closures")
    if not closures:
        return SaveResult(ChangeCounts())
    try:
        store.save_closures(EditBatch(added=tuple(closures)), actor)
    except Conflict as exc:
        raise Conflict(f"{exc} — preview the holidays again to see what is new") from exc
    return SaveResult(ChangeCounts(added=len(closures)))


# --- Employment Hero ------------------------------------------------------------------------


def start_connect(
    client: Connectable, *, store: Store, actor: str, is_editor: bool, now: dt.datetime
) -> str:
    """The Employment Hero sign-in URL to send the editor to; the verifier waits in the store."""
    require_editor(is_editor, actor, "integrations")
    state = secrets.token_urlsafe(24)
    url, verifier = client.authorization_url(state)
    kept = {"verifier": verifier, "started_at": now.isoformat(), "actor": actor}
    store.save_token(PKCE_PREFIX + state, kept)
    return url


def _usable(kept: dict[str, Any] | None, actor: str, now: dt.datetime) -> str:
    if not kept or not kept.get("verifier"):
        raise BadRequest(
            "this Employment Hero sign-in was not started here or was already used; "
            "press Connect again"
        )
    starter = str(kept.get("actor") or "someone else")
    if starter != actor:
        raise Forbidden(
            f"this Employment Hero sign-in was started by {starter}, not by {actor}, so it "
            "has been cancelled; press Connect to start your own"
        )
    if now - dt.datetime.fromisoformat(kept["started_at"]) > PKCE_LIFETIME:
        raise BadRequest("this Employment Hero sign-in took too long; press Connect again")
    return str(kept["verifier"])


def finish_connect(
    client: Connectable,
    code: str,
    state: str,
    *,
    store: Store,
    actor: str,
    is_editor: bool,
    now: dt.datetime,
) -> None:
    """Exchange the code Employment Hero sent back; tokens are kept by the client."""
    require_editor(is_editor, actor, "integrations")
    if not code or not state:
        raise BadRequest("Employment Hero's reply had no code or state; press Connect again")
    # Taken, not read: one use only, whoever sent it and whatever happens next.
    verifier = _usable(store.take_token(PKCE_PREFIX + state), actor, now)
    try:
        client.exchange_code(code, verifier)
    except ConsoleError as exc:
        raise ServiceError(f"Employment Hero did not accept the connection: {exc}") from exc
    entry = AuditEntry(now, actor, "integration.connect", "integrations", "employment_hero")
    store.append_audit(entry)
