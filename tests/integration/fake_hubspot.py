"""A faithful in-memory HubSpot behind `responses`: the real paths, payloads and limits.

It speaks CRM v3 objects (users list, deal read / patch), CRM v3
search (filterGroups with IN / EQ / GTE / LT / NOT_HAS_PROPERTY, sorts, ``limit`` ≤ 200,
``after`` cursors, ``total``, and HTTP 400 when paging past 10,000) and v4 association batch
reads. Every call must carry the bearer token.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import responses

BASE = "https://hubspot.test"
TOKEN = "pat-na1-test-token"

Reply = tuple[int, dict[str, str], str]


def _reply(status: int, body: Any) -> Reply:
    return status, {"Content-Type": "application/json"}, json.dumps(body)


def _as_number(value: str | None) -> float | None:
    if value is None or value == "":
        return None
    if value.lstrip("-").isdigit():
        return float(value)
    try:
        return dt.datetime.fromisoformat(value).timestamp() * 1000
    except ValueError:
        return None


def _matches(props: dict[str, Any], flt: dict[str, Any]) -> bool:
    value = props.get(flt["propertyName"])
    op = flt["operator"]
    if op == "NOT_HAS_PROPERTY":
        return value in (None, "")
    if op == "IN":
        return value in flt["values"]
    if op == "EQ":
        return value == flt["value"]
    number, bound = _as_number(value), _as_number(flt["value"])
    if number is None or bound is None:
        return False
    return {"GTE": number >= bound, "LT": number < bound, "GT": number > bound}[op]


class FakeHubSpot:
    def __init__(self, mock: responses.RequestsMock) -> None:
        self.users: list[dict[str, Any]] = []
        self.meetings: list[dict[str, Any]] = []
        self.meeting_deals: dict[str, list[str]] = {}
        self.deals: dict[str, dict[str, Any]] = {}
        self.contacts: dict[str, dict[str, Any]] = {}  # contact id → properties
        self.deal_contacts: dict[str, list[str]] = {}
        self.searches: list[dict[str, Any]] = []
        self.patches: list[tuple[str, dict[str, Any]]] = []
        self.fail_next: list[Reply] = []  # replies served before the real behaviour
        # The account's user properties, as GET /crm/v3/properties/users lists them.
        self.user_properties: list[str] = [
            "hs_object_id", "hs_email", "hs_given_name", "hs_family_name", "hubspot_owner_id",
            "taking_on_clients", "client_types", "household_type", "pod_type",
            "adviser_start_date",
        ]  # fmt: skip
        # The account's deal properties: (name, defined by HubSpot itself).
        self.deal_properties: list[tuple[str, bool]] = [
            ("dealname", True), ("amount", True), ("hubspot_owner_id", True),
            ("advisor", False), ("service_package", False), ("household_type", False),
        ]  # fmt: skip
        self._matched: dict[str, list[dict[str, Any]]] = {}  # query → rows, so paging is cheap
        self._register(mock)

    # -- arrangement helpers ---------------------------------------------------------------

    def add_user(self, user_id: str, **props: Any) -> None:
        self.users.append({"id": user_id, "properties": {"hs_object_id": user_id, **props}})

    def add_meeting(self, meeting_id: str, kind: str, start: str, owner: str | None, deal=None):
        props = {
            "hs_activity_type": kind,
            "hs_meeting_start_time": start,
            "hubspot_owner_id": owner,
        }
        self.meetings.append({"id": meeting_id, "properties": props})
        if deal:
            self.meeting_deals[meeting_id] = [deal] if isinstance(deal, str) else list(deal)

    def add_deal(self, deal_id: str, **props: Any) -> None:
        self.deals[deal_id] = {"hs_object_id": deal_id, **props}

    def add_contact(self, contact_id: str, deal_id: str, **props: Any) -> None:
        self.contacts[contact_id] = {"hs_object_id": contact_id, **props}
        self.deal_contacts.setdefault(deal_id, []).append(contact_id)

    # -- routing ---------------------------------------------------------------------------

    def _register(self, mock: responses.RequestsMock) -> None:
        routes: list[tuple[str, str, Callable[[Any, re.Match[str]], Reply]]] = [
            ("GET", r"/crm/v3/objects/users", self._list_users),
            ("GET", r"/crm/v3/properties/users", self._user_properties),
            ("GET", r"/crm/v3/properties/deals", self._deal_properties),
            ("POST", r"/crm/v3/objects/(\w+)/search", self._search),
            ("POST", r"/crm/v4/associations/meetings/deals/batch/read", self._associations),
            ("POST", r"/crm/v4/associations/deals/contacts/batch/read", self._deal_contacts),
            ("POST", r"/crm/v3/objects/contacts/batch/read", self._read_contacts),
            ("GET", r"/crm/v3/objects/deals/(\w+)", self._read_deal),
            ("PATCH", r"/crm/v3/objects/deals/(\w+)", self._patch_deal),
        ]
        for method, path, handler in routes:
            pattern = re.compile(re.escape(BASE) + path + r"(\?.*)?$")
            mock.add_callback(method, pattern, callback=self._guard(pattern, handler))

    def _guard(self, pattern: re.Pattern[str], handler: Callable[[Any, re.Match[str]], Reply]):
        def callback(request: Any) -> Reply:
            if request.headers.get("Authorization") != f"Bearer {TOKEN}":
                return _reply(401, {"status": "error", "category": "INVALID_AUTHENTICATION"})
            if self.fail_next:
                return self.fail_next.pop(0)
            match = pattern.match(request.url)
            assert match is not None
            return handler(request, match)

        return callback

    # -- handlers --------------------------------------------------------------------------

    @staticmethod
    def _page(rows: list[Any], after: str | None, limit: int) -> dict[str, Any]:
        start = int(after or 0)
        body: dict[str, Any] = {"results": rows[start : start + limit]}
        if start + limit < len(rows):
            body["paging"] = {"next": {"after": str(start + limit), "link": "ignored"}}
        return body

    def _user_properties(self, request: Any, _: re.Match[str]) -> Reply:
        rows = [
            {"name": name, "label": name.replace("_", " ").title(), "type": "string",
             "hubspotDefined": name.startswith("hs_")}
            for name in self.user_properties
        ]  # fmt: skip
        return _reply(200, {"results": rows})

    def _deal_properties(self, request: Any, _: re.Match[str]) -> Reply:
        rows = [
            {"name": name, "label": name.replace("_", " ").title(), "type": "string",
             "hubspotDefined": defined}
            for name, defined in self.deal_properties
        ]  # fmt: skip
        return _reply(200, {"results": rows})

    def _list_users(self, request: Any, _: re.Match[str]) -> Reply:
        query = parse_qs(urlsplit(request.url).query)
        limit = int(query.get("limit", ["10"])[0])
        if limit > 100:
            return _reply(400, {"message": "limit must be at most 100"})
        wanted = query["properties"][0].split(",")
        rows = [
            {"id": u["id"], "properties": {p: u["properties"].get(p) for p in wanted}}
            for u in self.users
        ]
        return _reply(200, self._page(rows, query.get("after", [None])[0], limit))

    def _search(self, request: Any, match: re.Match[str]) -> Reply:
        body = json.loads(request.body)
        self.searches.append(body)
        limit, after = body.get("limit", 10), int(body.get("after", 0))
        if limit > 200:
            return _reply(400, {"message": "limit must be at most 200"})
        if after + limit > 10_000:
            return _reply(400, {"message": "paging past 10,000 results is not supported"})
        query = json.dumps([match.group(1), body["filterGroups"], body.get("sorts")])
        if query not in self._matched:
            self._matched[query] = self._run_query(match.group(1), body)
        rows = self._matched[query]
        wanted = body.get("properties", [])
        rows = [
            {"id": r["id"], "properties": {p: r["properties"].get(p) for p in wanted}} for r in rows
        ]
        page = self._page(rows, str(after), limit)
        return _reply(200, {"total": len(rows), **page})

    def _run_query(self, object_type: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        source = self.meetings if object_type == "meetings" else self._deal_rows()
        groups = body["filterGroups"]
        rows = [
            r
            for r in source
            if any(all(_matches(r["properties"], f) for f in g["filters"]) for g in groups)
        ]
        for sort in body.get("sorts", []):
            key = sort["propertyName"]
            rows.sort(key=lambda r, k=key: _as_number(r["properties"].get(k)) or 0)
        return rows

    def _deal_rows(self) -> list[dict[str, Any]]:
        return [{"id": i, "properties": p} for i, p in self.deals.items()]

    def _associations(self, request: Any, _: re.Match[str]) -> Reply:
        inputs = json.loads(request.body)["inputs"]
        if len(inputs) > 1000:
            return _reply(400, {"message": "too many inputs"})
        results = [
            {
                "from": {"id": item["id"]},
                "to": [
                    {
                        "toObjectId": int(deal),
                        "associationTypes": [
                            {"category": "HUBSPOT_DEFINED", "typeId": 212, "label": None}
                        ],
                    }
                    for deal in self.meeting_deals[item["id"]]
                ],
            }
            for item in inputs
            if item["id"] in self.meeting_deals
        ]
        return _reply(200, {"status": "COMPLETE", "results": results})

    def _deal_contacts(self, request: Any, _: re.Match[str]) -> Reply:
        inputs = json.loads(request.body)["inputs"]
        results = [
            {"from": {"id": item["id"]},
             "to": [{"toObjectId": int(c), "associationTypes": [
                 {"category": "HUBSPOT_DEFINED", "typeId": 3, "label": None}]}
                 for c in self.deal_contacts[item["id"]]]}
            for item in inputs
            if item["id"] in self.deal_contacts
        ]  # fmt: skip
        return _reply(200, {"status": "COMPLETE", "results": results})

    def _read_contacts(self, request: Any, _: re.Match[str]) -> Reply:
        body = json.loads(request.body)
        if len(body["inputs"]) > 100:
            return _reply(400, {"message": "too many inputs"})
        results = [
            {"id": item["id"], "properties": {p: self.contacts[item["id"]].get(p)
                                              for p in body["properties"]}}
            for item in body["inputs"]
            if item["id"] in self.contacts
        ]  # fmt: skip
        return _reply(200, {"status": "COMPLETE", "results": results})

    def _read_deal(self, request: Any, match: re.Match[str]) -> Reply:
        deal = self.deals.get(match.group(1))
        if deal is None:
            return _reply(404, {"message": "Object not found"})
        wanted = parse_qs(urlsplit(request.url).query)["properties"][0].split(",")
        return _reply(200, {"id": match.group(1), "properties": {p: deal.get(p) for p in wanted}})

    def _patch_deal(self, request: Any, match: re.Match[str]) -> Reply:
        deal_id = match.group(1)
        if deal_id not in self.deals:
            return _reply(404, {"message": "Object not found"})
        props = json.loads(request.body)["properties"]
        self.deals[deal_id].update(props)
        self.patches.append((deal_id, props))
        return _reply(200, {"id": deal_id, "properties": self.deals[deal_id]})
