"""A small OpenID Connect provider on 127.0.0.1, for real ``st.login`` sign-ins in tests.

It speaks the authorization-code flow the way Streamlit's Authlib client uses it: a discovery
document, an authorize endpoint that shows a login form, a token endpoint (client secret by
HTTP Basic or form, PKCE S256, single-use codes bound to the redirect URI) and a JWKS with
the RSA key that signs the ID tokens (RS256). Which identity a sign-in gets is chosen the way
a person would: the browser types an email into the form, and the provider answers with the
claims of the account registered under that email (``email_verified``, Google's ``hd``…).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlencode, urlsplit

from authlib.jose import JsonWebKey, jwt

KEY_ID = "loopback-1"
CODE_SECONDS = 60
TOKEN_SECONDS = 600


@dataclass(frozen=True)
class Account:
    """An account the provider can sign in. ``email_verified=None`` leaves the claim out."""

    email: str
    name: str
    email_verified: bool | None = True
    hd: str | None = None  # Google Workspace domain, as Google's ``hd`` claim

    def claims(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "sub": hashlib.sha256(self.email.encode()).hexdigest()[:21],
            "email": self.email,
            "name": self.name,
        }
        if self.email_verified is not None:
            found["email_verified"] = self.email_verified
        if self.hd is not None:
            found["hd"] = self.hd
        return found


@dataclass
class _Grant:
    account: Account
    redirect_uri: str
    nonce: str | None
    challenge: str | None
    expires: float


@dataclass
class Provider:
    """Start with ``start()`` (or ``with``); ``metadata_url`` goes into ``[auth]``."""

    client_id: str
    client_secret: str
    accounts: Iterable[Account] = ()
    issued: list[str] = field(default_factory=list)  # emails whose ID token was handed out

    def __post_init__(self) -> None:
        self._accounts = {a.email.casefold(): a for a in self.accounts}
        self._key = JsonWebKey.generate_key("RSA", 2048, is_private=True)
        self._requests: dict[str, dict[str, str]] = {}  # login-form id -> authorize request
        self._grants: dict[str, _Grant] = {}  # code -> grant
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- running ---------------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        assert self._server is not None, "the provider is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def start(self) -> Provider:
        provider = self

        class Handler(_Handler):
            owner = provider

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> Provider:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # --- the protocol ----------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name", "hd", "nonce"],
        }

    def jwks(self) -> dict[str, Any]:
        public = self._key.as_dict(is_private=False)
        return {"keys": [{**public, "kid": KEY_ID, "use": "sig", "alg": "RS256"}]}

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """The login form, or why the request is refused (as a provider's error page)."""
        problem = self._bad_authorize(query)
        if problem:
            return 400, _page("Sign-in request refused", f"<p>{html.escape(problem)}</p>")
        request_id = secrets.token_urlsafe(16)
        with self._lock:
            self._requests[request_id] = query
        form = (
            '<form method="post" action="/authorize">'
            f'<input type="hidden" name="request" value="{request_id}">'
            '<label>Email <input name="email" type="email" autocomplete="off"></label>'
            '<button type="submit">Continue</button></form>'
        )
        return 200, _page("Sign in to Loopback ID", form)

    def _bad_authorize(self, query: dict[str, str]) -> str:
        if query.get("client_id") != self.client_id:
            return "unknown client_id"
        if query.get("response_type") != "code":
            return "response_type must be code"
        if "openid" not in query.get("scope", "").split():
            return "the openid scope is required"
        if not query.get("redirect_uri") or not query.get("state"):
            return "redirect_uri and state are required"
        if query.get("code_challenge") and query.get("code_challenge_method") != "S256":
            return "only S256 code challenges are supported"
        return ""

    def login(self, form: dict[str, str]) -> tuple[int, str, str | None]:
        """The submitted login form: (status, page, redirect location)."""
        with self._lock:
            query = self._requests.pop(form.get("request", ""), None)
        if query is None:
            return 400, _page("Sign-in expired", "<p>Start again from the app.</p>"), None
        account = self._accounts.get(form.get("email", "").strip().casefold())
        if account is None:
            email = html.escape(form.get("email", ""))
            return 200, _page("No such account", f"<p>No account for {email}.</p>"), None
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._grants[code] = _Grant(
                account,
                query["redirect_uri"],
                query.get("nonce"),
                query.get("code_challenge"),
                time.time() + CODE_SECONDS,
            )
        target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        return 302, "", target

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        client_id, client_secret = _client_credentials(form, authorization)
        if (client_id, client_secret) != (self.client_id, self.client_secret):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant.expires < time.time():
            return 400, {"error": "invalid_grant", "error_description": "unknown or used code"}
        if form.get("redirect_uri") != grant.redirect_uri:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri differs"}
        if grant.challenge is not None and _s256(form.get("code_verifier", "")) != grant.challenge:
            return 400, {"error": "invalid_grant", "error_description": "PKCE check failed"}
        with self._lock:
            self.issued.append(grant.account.email)
        return 200, {
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": TOKEN_SECONDS,
            "scope": "openid email profile",
            "id_token": self._id_token(grant),
        }

    def _id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        claims = {
            **grant.account.claims(),
            "iss": self.issuer,
            "aud": self.client_id,
            "azp": self.client_id,
            "iat": now,
            "auth_time": now,
            "exp": now + TOKEN_SECONDS,
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        signed: bytes = jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, self._key)
        return signed.decode()


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _client_credentials(form: dict[str, str], authorization: str | None) -> tuple[str, str]:
    if authorization and authorization.startswith("Basic "):
        decoded = base64.b64decode(authorization.removeprefix("Basic ")).decode()
        client_id, _, client_secret = decoded.partition(":")  # each form-encoded (RFC 6749)
        return unquote_plus(client_id), unquote_plus(client_secret)
    return form.get("client_id", ""), form.get("client_secret", "")


def _page(title: str, body: str) -> str:
    return f"<!doctype html><title>{title}</title><h1>{title}</h1>{body}"


def _single(values: dict[str, list[str]]) -> dict[str, str]:
    return {k: v[0] for k, v in values.items()}


class _Handler(BaseHTTPRequestHandler):
    owner: Provider

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/.well-known/openid-configuration":
            self._json(200, self.owner.metadata())
        elif url.path == "/jwks":
            self._json(200, self.owner.jwks())
        elif url.path == "/authorize":
            self._html(*self.owner.authorize(_single(parse_qs(url.query))))
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = _single(parse_qs(self.rfile.read(length).decode()))
        path = urlsplit(self.path).path
        if path == "/authorize":
            status, page, location = self.owner.login(form)
            if location is None:
                self._html(status, page)
            else:
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
        elif path == "/token":
            self._json(*self.owner.token(form, self.headers.get("Authorization")))
        else:
            self._json(404, {"error": "not_found"})

    def _json(self, status: int, body: dict[str, Any]) -> None:
        self._send(status, json.dumps(body).encode(), "application/json")

    def _html(self, status: int, page: str) -> None:
        self._send(status, page.encode(), "text/html; charset=utf-8")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet; failures show up in the console's own log
