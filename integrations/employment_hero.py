"""The Employment Hero client (``services.ports.LeaveSource``): approved leave with emails.

Leave requests name an ``employee_id``; emails come from the organisation's employees
(``company_email``, else ``account_email``, lower-cased so matching advisers by email is
case-insensitive). Both lists are paged with ``page_index`` (from 1) and ``item_per_page``
(at most 100); replies look like ``{"data": {"items": [...], "page_index": 1,
"total_pages": 3, ...}}``.

All leave requests are read and filtered here rather than through the API's ``start_date``
filter, because leave that began before the sync window but is still running must be kept.

Half days (our rule): a request's hours (``total_hours``, else the sum of ``hours_per_day``)
spread over its weekdays; when that is under three quarters of a standard day (7.6 h by
default) the leave counts as a half day (``day_fraction`` 0.5), otherwise as whole days.
Requests without hours count as whole days.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests

from integrations.http import make_session, send
from integrations.oauth import OAuthApp, OAuthTokens
from services.errors import ConfigurationError, MalformedReply, Unauthorized
from services.ports import Tokens
from services.records import LeaveRequest

log = logging.getLogger(__name__)

SERVICE = "Employment Hero"
API_BASE = "https://api.employmenthero.com"
AUTHORIZE_URL = "https://oauth.employmenthero.com/oauth2/authorize"
TOKEN_URL = "https://oauth.employmenthero.com/oauth2/token"
API_PREFIX = "/api/v1"
PAGE_SIZE = 100  # the API's maximum item_per_page
MAX_PAGES = 10_000  # a guard against a reply that never says it is the last page
TOKEN_NAME = "employment_hero"
STANDARD_DAY_HOURS = 7.6
HALF_DAY_BELOW = 0.75  # of a standard day, per weekday


def employment_hero_app(client_id: str, client_secret: str, redirect_uri: str) -> OAuthApp:
    return OAuthApp(SERVICE, client_id, client_secret, AUTHORIZE_URL, TOKEN_URL, redirect_uri)


def _date(value: Any) -> dt.date | None:
    text = str(value or "")[:10]
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _weekdays(start: dt.date, end: dt.date) -> int:
    days = (end - start).days + 1
    return sum(1 for n in range(days) if (start + dt.timedelta(n)).weekday() < 5)


def _hours(item: dict[str, Any]) -> float | None:
    total = item.get("total_hours")
    if isinstance(total, int | float) and total > 0:
        return float(total)
    per_day = item.get("hours_per_day")
    if isinstance(per_day, list):
        summed = sum(float(d.get("hours") or 0) for d in per_day if isinstance(d, dict))
        return summed if summed > 0 else None
    return None


def day_fraction(item: dict[str, Any], start: dt.date, end: dt.date, standard: float) -> float:
    hours = _hours(item)
    if hours is None:
        return 1.0
    per_weekday = hours / max(1, _weekdays(start, end))
    return 0.5 if per_weekday < HALF_DAY_BELOW * standard else 1.0


def employee_email(employee: dict[str, Any]) -> str | None:
    for key in ("company_email", "account_email"):
        value = (employee.get(key) or "").strip()
        if value:
            return value.lower()
    return None


class EmploymentHeroClient:
    def __init__(
        self,
        app: OAuthApp,
        tokens: Tokens,
        organisation_id: str | None = None,
        *,
        api_base: str = API_BASE,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        standard_day_hours: float = STANDARD_DAY_HOURS,
        page_size: int = PAGE_SIZE,
        token_name: str = TOKEN_NAME,
    ) -> None:
        self._session = session or make_session(SERVICE)
        self._oauth = OAuthTokens(app, tokens, token_name)
        self._organisation_id = organisation_id or None
        self._base = api_base.rstrip("/") + API_PREFIX
        self._sleep = sleep
        self._standard = standard_day_hours
        self._page_size = min(page_size, PAGE_SIZE)
        self.warnings: list[str] = []

    # -- connecting (the Settings page) ---------------------------------------------------

    def authorization_url(self, state: str) -> tuple[str, str]:
        return self._oauth.authorization_url(state)

    def exchange_code(self, code: str, code_verifier: str) -> None:
        self._oauth.exchange_code(code, code_verifier)

    def connected(self) -> bool:
        return self._oauth.connected()

    # -- leave -----------------------------------------------------------------------------

    def fetch_leave(self, since: dt.date, until: dt.date) -> list[LeaveRequest]:
        self.warnings = []
        organisation = self._organisation()
        emails = {
            str(e.get("id")): employee_email(e)
            for e in self._all_items(f"/organisations/{organisation}/employees")
        }
        leave: list[LeaveRequest] = []
        for item in self._all_items(f"/organisations/{organisation}/leave_requests"):
            request = self._leave_from(item, emails)
            if request and request.start <= until and request.end >= since:
                leave.append(request)
        return leave

    def _leave_from(
        self, item: dict[str, Any], emails: dict[str, str | None]
    ) -> LeaveRequest | None:
        if str(item.get("status", "")).strip().casefold() != "approved":
            return None
        start, end = _date(item.get("start_date")), _date(item.get("end_date"))
        if start is None or end is None or end < start:
            self.warnings.append(f"leave request {item.get('id')} has unreadable dates; skipped")
            return None
        email = emails.get(str(item.get("employee_id")))
        if not email:
            self.warnings.append(
                f"leave request {item.get('id')}: employee {item.get('employee_id')} "
                "has no email in Employment Hero; skipped"
            )
            return None
        fraction = day_fraction(item, start, end, self._standard)
        return LeaveRequest(str(item.get("id")), email, start, end, fraction)

    def _organisation(self) -> str:
        if self._organisation_id:
            return self._organisation_id
        found = [str(o.get("id")) for o in self._all_items("/organisations")]
        if len(found) != 1:
            raise ConfigurationError(
                f"EMPLOYMENT_HERO_ORGANISATION_ID is not set and the connection sees "
                f"{len(found)} organisations; set it to one of: {', '.join(found) or 'none'}"
            )
        self._organisation_id = found[0]
        return found[0]

    # -- transport -------------------------------------------------------------------------

    def _all_items(self, path: str) -> Iterator[dict[str, Any]]:
        for index in range(1, MAX_PAGES + 1):
            params = {"page_index": index, "item_per_page": self._page_size}
            data = self._get(path, params)
            items = data.get("items")
            if not isinstance(items, list):
                raise MalformedReply(f"{SERVICE} {path} reply has no data.items list")
            yield from (i for i in items if isinstance(i, dict))
            total_pages = data.get("total_pages")
            last = index >= total_pages if isinstance(total_pages, int) else not items
            if last or not items:
                return
        raise MalformedReply(f"{SERVICE} {path} did not stop after {MAX_PAGES} pages")

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """One authorised GET; a 401 (the token expired under us) refreshes once and retries."""
        token = self._oauth.access_token()
        try:
            reply = self._send(path, params, token)
        except Unauthorized:
            token = self._oauth.refresh_after_rejection(token)
            reply = self._send(path, params, token)
        data = reply.get("data") if isinstance(reply, dict) else None
        if not isinstance(data, dict):
            raise MalformedReply(f"{SERVICE} {path} reply has no data object")
        return data

    def _send(self, path: str, params: dict[str, Any], token: str) -> Any:
        return send(
            self._session,
            "GET",
            self._base + path,
            params=params,
            headers={"Authorization": f"Bearer {token}"},
            sleep=self._sleep,
        )
