"""HubSpot webhook request signatures, version 3.

HubSpot signs ``method + uri + raw body + timestamp`` with HMAC-SHA256 keyed by the app's
client secret, base64-encodes the digest into ``X-HubSpot-Signature-v3`` and sends the
millisecond timestamp in ``X-HubSpot-Request-Timestamp``. Requests older than five minutes
are refused so a captured call cannot be replayed later, and a request sent to any path but the
webhook's own is refused (``signed_uri``) so a captured call cannot be replayed elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

from integrations.errors import SignatureRejected

SIGNATURE_HEADER = "X-HubSpot-Signature-v3"
TIMESTAMP_HEADER = "X-HubSpot-Request-Timestamp"
MAX_AGE_MS = 5 * 60 * 1000

# HubSpot signs the URI with these percent-escapes decoded (its documented table), so a proxy
# that re-encodes them must not break verification.
_DECODED = {
    "%3A": ":",
    "%2F": "/",
    "%3F": "?",
    "%40": "@",
    "%21": "!",
    "%24": "$",
    "%27": "'",
    "%28": "(",
    "%29": ")",
    "%2A": "*",
    "%2C": ",",
    "%3B": ";",
}


def _canonical_uri(uri: str) -> str:
    for encoded, char in _DECODED.items():
        uri = uri.replace(encoded, char).replace(encoded.lower(), char)
    return uri


def signed_uri(public_url: str, request_target: str) -> str:
    """The URI HubSpot signed, for a request that arrived with ``request_target`` (its path and
    query exactly as sent, before any decoding) at a webhook published as ``public_url``.

    HubSpot calls one URL, so only the path that URL arrives on is the webhook: the public
    URL's own path (Cloud Run and a local server pass it on unchanged) or ``/`` (Cloud
    Functions strips the function's name). Any other path (``/x``, ``/%2e%2e/other``) was not
    signed, and is refused rather than verified against the public URL it does not match.
    """
    public_path = urlsplit(public_url).path or "/"
    if request_target.startswith("/"):
        path, _, query = request_target.partition("?")
    else:  # absolute form, "http://host/path?query"
        parts = urlsplit(request_target)
        path, query = parts.path or "/", parts.query
    if path not in {public_path, "/"}:
        raise SignatureRejected(
            f"this webhook answers only at {public_path}; {path[:200]} is not a URL HubSpot signed"
        )
    return f"{public_url}?{query}" if query and "?" not in public_url else public_url


def sign_v3(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    """The signature HubSpot would send for this request (used by tests and the bench)."""
    message = method.upper().encode() + _canonical_uri(uri).encode() + body + timestamp.encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_v3(
    secret: str,
    method: str,
    uri: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    now_ms: int,
    *,
    max_age_ms: int = MAX_AGE_MS,
) -> None:
    """Return quietly for a genuine, fresh request; raise ``SignatureRejected`` otherwise."""
    if not secret:
        raise SignatureRejected("webhook secret is not configured; refusing unsigned calls")
    if not signature:
        raise SignatureRejected(f"missing {SIGNATURE_HEADER} header")
    if not timestamp:
        raise SignatureRejected(f"missing {TIMESTAMP_HEADER} header")
    try:
        sent_ms = int(timestamp)
    except ValueError:
        raise SignatureRejected(f"{TIMESTAMP_HEADER} is not a millisecond timestamp") from None
    if abs(now_ms - sent_ms) > max_age_ms:
        raise SignatureRejected("stale request: timestamp is more than 5 minutes from now")
    expected = sign_v3(secret, method, uri, body, timestamp)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise SignatureRejected("signature does not match the request")
