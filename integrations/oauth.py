"""OAuth 2 authorisation code with PKCE, and tokens kept fresh in the store.

Access tokens are short-lived and every refresh returns a new refresh token (the old one
stops working), so two refreshes racing each other would leave one holder with a dead
refresh token. Refreshing therefore happens under a lock, and the stored token is re-read
after the lock is taken: whoever comes second finds the fresh token and makes no call.
The lock is per token name and per process; the console and the scheduled sync are separate
processes, which is acceptable because the scheduled sync runs when nobody is connecting.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

import requests

from integrations.http import make_session, send
from services.errors import ConfigurationError, MalformedReply, UpstreamRejected

log = logging.getLogger(__name__)

EXPIRY_SKEW = 60.0  # refresh a minute early so a token does not expire mid-request


class TokenStore(Protocol):
    """The token part of ``services.ports.Store``."""

    def load_token(self, name: str) -> dict[str, Any] | None: ...

    def save_token(self, name: str, token: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class OAuthApp:
    service: str
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    redirect_uri: str
    scopes: tuple[str, ...] = ()


def pkce_pair() -> tuple[str, str]:
    """A fresh (code_verifier, S256 code_challenge), RFC 7636."""
    verifier = secrets.token_urlsafe(64)  # 86 characters, within the 43–128 allowed
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(name: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(name, threading.Lock())


class OAuthTokens:
    """Obtains, stores and refreshes one service's tokens."""

    def __init__(
        self,
        app: OAuthApp,
        store: TokenStore,
        name: str,
        *,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._app = app
        self._store = store
        self._name = name
        self._session = session or make_session(app.service)
        self._clock = clock
        self._sleep = sleep
        self._lock = _lock_for(name)

    def authorization_url(self, state: str) -> tuple[str, str]:
        """Where to send the person, and the verifier to keep (server-side) until they return."""
        verifier, challenge = pkce_pair()
        query = {
            "client_id": self._app.client_id,
            "redirect_uri": self._app.redirect_uri,
            "response_type": "code",
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        if self._app.scopes:
            query["scope"] = " ".join(self._app.scopes)
        return f"{self._app.authorize_url}?{urlencode(query)}", verifier

    def exchange_code(self, code: str, code_verifier: str) -> None:
        reply = self._token_call(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self._app.redirect_uri,
                "code_verifier": code_verifier,
            },
            failure="the sign-in code was refused; start the connection again",
        )
        with self._lock:
            self._store.save_token(self._name, self._token_from(reply, previous=None))
        log.info("%s connected", self._app.service)

    def connected(self) -> bool:
        return self._store.load_token(self._name) is not None

    def access_token(self) -> str:
        token = self._load()
        if not self._expired(token):
            return str(token["access_token"])
        return self._refresh(stale_access=str(token.get("access_token", "")))

    def refresh_after_rejection(self, rejected_access: str) -> str:
        """The service said 401 to ``rejected_access``: refresh, unless someone already did."""
        return self._refresh(stale_access=rejected_access, force=True)

    # -- internals -------------------------------------------------------------------------

    def _load(self) -> dict[str, Any]:
        token = self._store.load_token(self._name)
        if not token or not token.get("access_token"):
            raise ConfigurationError(
                f"{self._app.service} is not connected; connect it from the Settings page"
            )
        return token

    def _expired(self, token: dict[str, Any]) -> bool:
        return float(token.get("expires_at", 0)) - EXPIRY_SKEW <= self._clock()

    def _refresh(self, stale_access: str, force: bool = False) -> str:
        with self._lock:
            token = self._load()  # re-read: another caller may have refreshed while we waited
            replaced = token.get("access_token") != stale_access
            if replaced and not self._expired(token):
                return str(token["access_token"])
            if not force and not self._expired(token):
                return str(token["access_token"])
            reply = self._token_call(
                {"grant_type": "refresh_token", "refresh_token": token.get("refresh_token", "")},
                failure="the stored refresh token was refused; reconnect from the Settings page",
            )
            fresh = self._token_from(reply, previous=token)
            self._store.save_token(self._name, fresh)
            log.info("%s access token refreshed", self._app.service)
            return str(fresh["access_token"])

    def _token_call(self, form: dict[str, str], failure: str) -> dict[str, Any]:
        form = {**form, "client_id": self._app.client_id, "client_secret": self._app.client_secret}
        try:
            reply = send(self._session, "POST", self._app.token_url, data=form, sleep=self._sleep)
        except UpstreamRejected as exc:
            raise UpstreamRejected(f"{self._app.service}: {failure} ({exc})") from exc
        if not isinstance(reply, dict) or not reply.get("access_token"):
            raise MalformedReply(f"{self._app.service} token reply has no access_token")
        return reply

    def _token_from(self, reply: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
        # A service that does not rotate may omit refresh_token; keep the one we had then.
        refresh = reply.get("refresh_token") or (previous or {}).get("refresh_token")
        return {
            "access_token": reply["access_token"],
            "refresh_token": refresh,
            "expires_at": self._clock() + float(reply.get("expires_in") or 0),
            "token_type": reply.get("token_type", "bearer"),
            "scope": reply.get("scope", ""),
        }
