"""The HubSpot CRM client (``services.ports.Crm``): advisers, meetings, open deals, write-back.

Every call goes through ``integrations.http.send`` (timeouts, retries, typed errors).
Paths, versions, page sizes and limits live in ``integrations.hubspot_api``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import requests

from allocation import Adviser, Meeting
from integrations import hubspot_api as api
from integrations.http import DEFAULT_TIMEOUT, MAX_WAIT, make_session, send
from integrations.hubspot_api import HubSpotProperties, SearchThrottle
from integrations.hubspot_parse import (
    adviser_from_user,
    association_targets,
    emails_of,
    first_deal_ids,
    meeting_from,
    open_deal_from,
    unread_limit,
)
from services.errors import ConfigurationError, MalformedReply, UpstreamRejected
from services.hubspot_names import missing_user_properties
from services.policy import DealProperty
from services.records import OpenDeal

log = logging.getLogger(__name__)

Filter = dict[str, Any]


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _ms(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).timestamp() * 1000)


def _next_after(reply: Mapping[str, Any]) -> str | None:
    after = ((reply.get("paging") or {}).get("next") or {}).get("after")
    return str(after) if after not in (None, "") else None


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _results(reply: Any, what: str) -> list[Any]:
    if not isinstance(reply, dict) or not isinstance(reply.get("results"), list):
        raise MalformedReply(f"HubSpot {what} reply has no results list")
    results: list[Any] = reply["results"]
    return results


class HubSpotClient:
    def __init__(
        self,
        token: str,
        *,
        api_base: str = api.API_BASE,
        session: requests.Session | None = None,
        pipeline: str | None = None,
        stages: Sequence[str] = (),
        property_names: HubSpotProperties | None = None,
        attempts: int = 5,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_wait: float = MAX_WAIT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], dt.date] = utc_today,
        search_interval: float = api.SEARCH_MIN_INTERVAL,
    ) -> None:
        self._token = token
        self._base = api_base.rstrip("/")
        self._session = session or make_session("HubSpot")
        self._pipeline = pipeline
        self._stages = tuple(stages)
        self._names = property_names or HubSpotProperties()
        self._attempts = attempts
        self._timeout = timeout
        self._max_wait = max_wait
        self._sleep = sleep
        self._throttle = SearchThrottle(search_interval, clock=clock, sleep=sleep)
        self._today = today  # agreement starts far from today are refused, as by the webhook
        self.warnings: list[str] = []  # records skipped by the last fetch, for the sync's run

    # -- transport -----------------------------------------------------------------------

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return send(
            self._session,
            method,
            self._base + path,
            headers={"Authorization": f"Bearer {self._token}"},
            attempts=self._attempts,
            timeout=self._timeout,
            max_wait=self._max_wait,
            sleep=self._sleep,
            **kwargs,
        )

    def _search_page(self, object_type: str, body: dict[str, Any]) -> dict[str, Any]:
        self._throttle.wait()
        reply = self._call("POST", api.search_path(object_type), json=body)
        _results(reply, f"{object_type} search")
        if not isinstance(reply.get("total"), int):
            raise MalformedReply(f"HubSpot {object_type} search reply has no total")
        page: dict[str, Any] = reply
        return page

    def _search(
        self, object_type: str, filters: list[Filter], properties: list[str], sort: str
    ) -> tuple[int, Iterator[Any]]:
        """The total and an iterator over every result; the first page is fetched at once so
        the caller can decide to split before paging on."""
        body: dict[str, Any] = {
            "filterGroups": [{"filters": filters}],
            "properties": properties,
            "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
            "limit": api.SEARCH_PAGE_SIZE,
        }
        first = self._search_page(object_type, body)

        def rows() -> Iterator[Any]:
            page = first
            while True:
                yield from page["results"]
                after = _next_after(page)
                if after is None:
                    return
                page = self._search_page(object_type, {**body, "after": after})

        return first["total"], rows()

    # -- advisers ------------------------------------------------------------------------

    def user_property_names(self) -> set[str]:
        """The names of every user property HubSpot has (custom ones included)."""
        reply = self._call("GET", api.properties_path("users"))
        rows = _results(reply, "user properties")
        return {str(row["name"]) for row in rows if isinstance(row, dict) and row.get("name")}

    def deal_properties(self) -> list[DealProperty]:
        """Every deal property HubSpot has, with whether HubSpot itself defines it (the
        Settings page refuses to write the adviser into one of those, or one that is missing)."""
        reply = self._call("GET", api.properties_path("deals"))
        rows = _results(reply, "deal properties")
        return [
            DealProperty(
                str(row["name"]), str(row.get("label") or ""), bool(row.get("hubspotDefined"))
            )
            for row in rows
            if isinstance(row, dict) and row.get("name")
        ]

    def check_mapping(self) -> None:
        """Refuse a sync whose mapped adviser properties HubSpot does not have, by name: read
        silently, a typo would leave every adviser's region (say) empty."""
        if not self._names.mapped():
            return
        missing = missing_user_properties(self._names, self.user_property_names())
        if missing:
            raise ConfigurationError("; ".join(missing))

    def fetch_advisers(self) -> list[Adviser]:
        self.warnings = []
        self.check_mapping()
        advisers: list[Adviser] = []
        params: dict[str, Any] = {
            "limit": api.LIST_PAGE_SIZE,
            "properties": ",".join(self._names.user_properties()),
            "archived": "false",
        }
        while True:
            reply = self._call("GET", api.USERS_PATH, params=params)
            for user in _results(reply, "users"):
                adviser = adviser_from_user(user, self._names)
                if adviser is None:
                    self.warnings.append(f"user {user.get('id')} has no owner id; skipped")
                else:
                    advisers.append(adviser)
                    self.warnings += unread_limit(user, adviser, self._names)
            after = _next_after(reply)
            if after is None:
                return advisers
            params = {**params, "after": after}

    # -- meetings ------------------------------------------------------------------------

    def fetch_meetings(self, start: dt.date, end: dt.date) -> list[Meeting]:
        self.warnings = []
        records = self._meetings_between(_ms(start), _ms(end))
        deal_of = self._deals_of_meetings([str(r.get("id")) for r in records])
        meetings: list[Meeting] = []
        for record in records:
            meeting = meeting_from(record, deal_of.get(str(record.get("id"))), self._names)
            if meeting is None:
                self.warnings.append(f"meeting {record.get('id')} lacks owner, type or start")
            else:
                meetings.append(meeting)
        return meetings

    def _meeting_filters(self, low_ms: int, high_ms: int) -> list[Filter]:
        names = self._names
        return [
            {
                "propertyName": names.activity_type,
                "operator": "IN",
                "values": list(api.MEETING_ACTIVITY_TYPES),
            },
            {"propertyName": names.meeting_start, "operator": "GTE", "value": str(low_ms)},
            {"propertyName": names.meeting_start, "operator": "LT", "value": str(high_ms)},
        ]

    def _meetings_between(self, low_ms: int, high_ms: int) -> list[Any]:
        """Every matching meeting in [low, high); halves the range while a query would
        match more than the search API can page through."""
        total, rows = self._search(
            "meetings",
            self._meeting_filters(low_ms, high_ms),
            self._names.meeting_properties(),
            sort=self._names.meeting_start,
        )
        if total <= api.SEARCH_RESULT_CAP:
            return list(rows)
        if high_ms - low_ms <= 1:
            raise UpstreamRejected(
                f"HubSpot has {total} meetings starting in one millisecond; cannot page them"
            )
        middle = (low_ms + high_ms) // 2
        log.info("HubSpot meeting search matched %d; splitting the range in two", total)
        return self._meetings_between(low_ms, middle) + self._meetings_between(middle, high_ms)

    def _deals_of_meetings(self, meeting_ids: Sequence[str]) -> dict[str, str]:
        deals: dict[str, str] = {}
        path = api.associations_batch_path("meetings", "deals")
        for chunk in _chunks(meeting_ids, api.ASSOCIATION_BATCH_SIZE):
            reply = self._call("POST", path, json={"inputs": [{"id": i} for i in chunk]})
            deals.update(first_deal_ids(_results(reply, "associations")))
        return deals

    # -- deals ---------------------------------------------------------------------------

    def fetch_open_deals(self) -> list[OpenDeal]:
        self.warnings = []
        names = self._names
        filters: list[Filter] = [
            {"propertyName": p, "operator": "NOT_HAS_PROPERTY"} for p in names.clarify_dates
        ]
        if self._pipeline:
            filters.append(
                {"propertyName": names.pipeline, "operator": "EQ", "value": self._pipeline}
            )
        if self._stages:
            filters.append(
                {"propertyName": names.stage, "operator": "IN", "values": list(self._stages)}
            )
        total, rows = self._search("deals", filters, names.deal_properties(), sort=names.created)
        if total > api.SEARCH_RESULT_CAP:
            raise UpstreamRejected(
                f"HubSpot matched {total} open onboarding deals, more than search can page "
                f"({api.SEARCH_RESULT_CAP}); check the pipeline and stage settings"
            )
        today = self._today()
        deals: list[OpenDeal] = []
        for row in rows:
            deal, note = open_deal_from(row, names, today)
            deals.append(deal)
            if note:
                self.warnings.append(note)
        return deals

    def read_deal(self, deal_id: str, properties: Sequence[str]) -> dict[str, str | None]:
        reply = self._call(
            "GET", api.object_path("deals", deal_id), params={"properties": ",".join(properties)}
        )
        props = reply.get("properties") if isinstance(reply, dict) else None
        if not isinstance(props, dict):
            raise MalformedReply(f"HubSpot deal {deal_id} reply has no properties")
        return {name: props.get(name) for name in properties}

    def contact_emails(self, deal_id: str) -> list[str]:
        """The email addresses of the contacts associated with the deal (the client, or both
        partners of a couple): where a firm keeps them when the deal has no email of its own."""
        path = api.associations_batch_path("deals", "contacts")
        reply = self._call("POST", path, json={"inputs": [{"id": deal_id}]})
        contacts = association_targets(_results(reply, "deal contacts")).get(deal_id, [])
        emails: list[str] = []
        for chunk in _chunks(contacts, api.OBJECT_BATCH_SIZE):
            body = {"properties": [api.CONTACT_EMAIL], "inputs": [{"id": c} for c in chunk]}
            reply = self._call("POST", api.batch_read_path("contacts"), json=body)
            emails += emails_of(_results(reply, "contacts"))
        return emails

    def write_adviser(self, deal_id: str, adviser_id: str, property_name: str) -> None:
        self._call(
            "PATCH",
            api.object_path("deals", deal_id),
            json={"properties": {property_name: adviser_id}},
        )

    def write_deal_property(self, deal_id: str, name: str, value: str) -> None:
        """One deal property (the client folder's link, ``services.folders``)."""
        self._call("PATCH", api.object_path("deals", deal_id), json={"properties": {name: value}})
