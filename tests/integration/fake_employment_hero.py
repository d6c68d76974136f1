"""A faithful in-memory Employment Hero behind `responses`.

It speaks the OAuth 2 token endpoint (authorization_code with a PKCE S256 check, and
refresh_token with rotation: each refresh issues a new refresh token and the old one is
refused with ``invalid_grant``) and the v1 organisation endpoints, paged with ``page_index``
/ ``item_per_page`` (at most 100) in the ``{"data": {"items": [...], ...}}`` shape. Every API
call must carry a live access token, else 401.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

import responses

API = "https://api.eh.test"
OAUTH = "https://oauth.eh.test/oauth2"
ORG = "org-1"
CLIENT_ID = "eh-client"
CLIENT_SECRET = "eh-secret"
REDIRECT = "https://console.test/settings"

Reply = tuple[int, dict[str, str], str]


def _reply(status: int, body: Any) -> Reply:
    return status, {"Content-Type": "application/json"}, json.dumps(body)


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class FakeEmploymentHero:
    def __init__(self, mock: responses.RequestsMock) -> None:
        self.organisations = [{"id": ORG, "name": "The Firm", "country": "AU"}]
        self.employees: list[dict[str, Any]] = []
        self.leave: list[dict[str, Any]] = []
        self.codes: dict[str, str] = {}  # authorisation code → the PKCE challenge it was given
        self.live_access: set[str] = set()
        self.refresh_token: str | None = None
        self.refresh_calls = 0
        self.revoke_after_calls: int | None = None  # simulate expiry part-way through a sync
        self.api_calls = 0
        self.malformed = False
        self.token_outage: int | None = None  # the token endpoint answers this status instead
        self.token_timeouts: list[Any] = []  # the timeout each token request was sent with
        self._issued = 0
        self._lock = threading.Lock()
        mock.add_callback("POST", f"{OAUTH}/token", callback=self._token)
        pattern = re.compile(re.escape(API) + r"/api/v1/organisations(/[\w-]+/(\w+))?(\?.*)?$")
        mock.add_callback("GET", pattern, callback=self._api)

    # -- arrangement ---------------------------------------------------------------------

    def connect(self) -> dict[str, Any]:
        """Tokens as if someone connected earlier (for a store to hold)."""
        reply = self._issue()
        return {
            "access_token": reply["access_token"],
            "refresh_token": reply["refresh_token"],
            "expires_at": 0.0,
        }

    def add_employee(self, employee_id: str, **fields: Any) -> None:
        self.employees.append({"id": employee_id, "first_name": employee_id, **fields})

    def add_leave(self, leave_id: str, employee_id: str, start: str, end: str, **fields: Any):
        self.leave.append(
            {
                "id": leave_id,
                "employee_id": employee_id,
                "start_date": start,
                "end_date": end,
                "status": "Approved",
                "leave_category_name": "Annual Leave",
                **fields,
            }
        )

    # -- token endpoint --------------------------------------------------------------------

    def _issue(self) -> dict[str, Any]:
        self._issued += 1
        access, refresh = f"access-{self._issued}", f"refresh-{self._issued}"
        self.live_access = {access}
        self.refresh_token = refresh
        return {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "bearer",
            "expires_in": 900,
        }

    def _token(self, request: Any) -> Reply:
        self.token_timeouts.append(request.req_kwargs.get("timeout"))
        if self.token_outage is not None:
            return self.token_outage, {}, ""
        form = {k: v[0] for k, v in parse_qs(request.body).items()}
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return _reply(401, {"error": "invalid_client"})
        with self._lock:
            if form.get("grant_type") == "authorization_code":
                challenge = self.codes.pop(form.get("code", ""), None)
                if challenge is None or s256(form.get("code_verifier", "")) != challenge:
                    return _reply(400, {"error": "invalid_grant"})
                if form.get("redirect_uri") != REDIRECT:
                    return _reply(400, {"error": "invalid_grant"})
                return _reply(200, self._issue())
            if form.get("grant_type") == "refresh_token":
                if not self.refresh_token or form.get("refresh_token") != self.refresh_token:
                    return _reply(400, {"error": "invalid_grant"})
                self.refresh_calls += 1
                return _reply(200, self._issue())
        return _reply(400, {"error": "unsupported_grant_type"})

    # -- API -------------------------------------------------------------------------------

    def _api(self, request: Any) -> Reply:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        with self._lock:
            if token not in self.live_access:
                return _reply(401, {"error": "invalid_token"})
            self.api_calls += 1
            if self.revoke_after_calls is not None and self.api_calls >= self.revoke_after_calls:
                self.live_access = set()  # the token expires after serving this call
                self.revoke_after_calls = None
        if self.malformed:
            return _reply(200, {"items": []})
        path = urlsplit(request.url).path
        rows = {
            "employees": self.employees,
            "leave_requests": self.leave,
        }.get(path.rsplit("/", 1)[-1], self.organisations)
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        index, size = int(query.get("page_index", 1)), int(query.get("item_per_page", 20))
        if size > 100:
            return _reply(400, {"error": "item_per_page must be at most 100"})
        items = rows[(index - 1) * size : index * size]
        data = {
            "items": items,
            "page_index": index,
            "item_per_page": size,
            "total_items": len(rows),
            "total_pages": max(1, math.ceil(len(rows) / size)),
        }
        return _reply(200, {"data": data})
