"""OAuth 2 authorisation code with PKCE, and tokens kept fresh in the store.

Authlib's ``OAuth2Session`` speaks the protocol: the S256 code challenge, the token requests
and their client authentication, the expiry (refreshed a minute early), and keeping the old
refresh token when a refresh reply carries none. What is ours: the tokens live server-side in
the store (``services.ports.Tokens``), and each refresh returns a new refresh token (the old
one stops working), so two refreshes racing each other would leave one holder with a dead
refresh token. Refreshing therefore happens under a lock, and the stored token is re-read
after the lock is taken: whoever comes second finds the fresh token and makes no call.
The lock is per token name and per process; the console and the scheduled sync are separate
processes, which is acceptable because the scheduled sync runs when nobody is connecting.

Token requests are not retried: a retried refresh whose first reply was lost would spend a
refresh token the server has already replaced. A failure is surfaced, and the next sync tries.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oauth2.rfc6749 import OAuth2Token

from integrations.http import DEFAULT_TIMEOUT, identify
from services.errors import (
    ConfigurationError,
    MalformedReply,
    UpstreamRejected,
    UpstreamUnavailable,
)
from services.ports import Tokens

log = logging.getLogger(__name__)

EXPIRY_LEEWAY = 60  # seconds: refresh a minute early so a token does not expire mid-request
VERIFIER_LENGTH = 64  # PKCE code verifier characters, within the 43–128 RFC 7636 allows


@dataclass(frozen=True)
class OAuthApp:
    service: str
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    redirect_uri: str
    scopes: tuple[str, ...] = ()


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
        store: Tokens,
        name: str,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self._app = app
        self._store = store
        self._name = name
        self._lock = _lock_for(name)
        self._oauth = OAuth2Session(
            client_id=app.client_id,
            client_secret=app.client_secret,
            token_endpoint_auth_method="client_secret_post",
            scope=" ".join(app.scopes) or None,
            redirect_uri=app.redirect_uri,
            code_challenge_method="S256",
            token_endpoint=app.token_url,
            update_token=self._refreshed,
            leeway=EXPIRY_LEEWAY,
            default_timeout=timeout,
        )
        identify(self._oauth, app.service)

    def authorization_url(self, state: str) -> tuple[str, str]:
        """Where to send the person, and the verifier to keep (server-side) until they return."""
        verifier = generate_token(VERIFIER_LENGTH)
        url, _ = self._oauth.create_authorization_url(
            self._app.authorize_url, state=state, code_verifier=verifier
        )
        return str(url), verifier

    def exchange_code(self, code: str, code_verifier: str) -> None:
        failure = "the sign-in code was refused; start the connection again"
        with self._lock:
            token = self._token_call(
                failure,
                lambda: self._oauth.fetch_token(
                    grant_type="authorization_code", code=code, code_verifier=code_verifier
                ),
            )
            self._store.save_token(self._name, dict(token))
        log.info("%s connected", self._app.service)

    def connected(self) -> bool:
        return self._store.load_token(self._name) is not None

    def access_token(self) -> str:
        token = self._load()
        if not token.is_expired(leeway=EXPIRY_LEEWAY):
            return str(token["access_token"])
        return self._refresh(stale_access=str(token["access_token"]))

    def refresh_after_rejection(self, rejected_access: str) -> str:
        """The service said 401 to ``rejected_access``: refresh, unless someone already did."""
        return self._refresh(stale_access=rejected_access, force=True)

    # -- internals -------------------------------------------------------------------------

    def _load(self) -> Any:  # an OAuth2Token (Authlib is untyped)
        stored = self._store.load_token(self._name)
        if not stored or not stored.get("access_token"):
            raise ConfigurationError(
                f"{self._app.service} is not connected; connect it from the Settings page"
            )
        return OAuth2Token.from_dict(stored)

    def _refresh(self, stale_access: str, force: bool = False) -> str:
        with self._lock:
            token = self._load()  # re-read: another caller may have refreshed while we waited
            fresh = not token.is_expired(leeway=EXPIRY_LEEWAY)
            if fresh and (not force or token["access_token"] != stale_access):
                return str(token["access_token"])
            self._oauth.token = token
            failure = "the stored refresh token was refused; reconnect from the Settings page"
            refreshed = self._token_call(failure, self._oauth.refresh_token)
            log.info("%s access token refreshed", self._app.service)
            return str(refreshed["access_token"])

    def _refreshed(self, token: dict[str, Any], refresh_token: str | None = None) -> None:
        """Authlib's ``update_token`` hook: the rotated refresh token must be kept at once (a
        reply without an access token is not a token; ``_token_call`` reports it)."""
        if token.get("access_token"):
            self._store.save_token(self._name, dict(token))

    def _token_call(self, failure: str, call: Callable[[], Any]) -> Any:
        service = self._app.service
        try:
            token = call()
        except OAuthError as exc:  # the token endpoint answered with an OAuth error
            raise UpstreamRejected(f"{service}: {failure} ({exc.error})") from exc
        except ValueError as exc:  # not JSON (requests' JSON error is a ValueError too)
            raise MalformedReply(f"{service} token reply is not JSON") from exc
        except requests.RequestException as exc:  # 5xx, timeout, no connection
            raise UpstreamUnavailable(
                f"{service} token endpoint is unavailable ({type(exc).__name__}); try again later"
            ) from exc
        if not token.get("access_token"):
            raise MalformedReply(f"{service} token reply has no access_token")
        return token
