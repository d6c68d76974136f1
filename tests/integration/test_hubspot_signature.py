"""HubSpot v3 webhook signatures: genuine calls pass; forged, stale or unsigned ones do not."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from integrations.errors import SignatureRejected
from integrations.hubspot_signature import sign_v3, signed_uri, verify_v3

SECRET = "client-secret"
URI = "https://hooks.example.test/webhook"
BODY = b'[{"objectId": 123, "subscriptionType": "deal.creation"}]'
NOW = 1_767_225_600_000  # 2026-01-01T00:00:00Z in ms
TS = str(NOW - 1_000)


def test_signature_is_base64_hmac_sha256_of_method_uri_body_and_timestamp():
    expected = base64.b64encode(
        hmac.new(
            SECRET.encode(), b"POST" + URI.encode() + BODY + TS.encode(), hashlib.sha256
        ).digest()
    ).decode()

    assert sign_v3(SECRET, "POST", URI, BODY, TS) == expected


def test_a_genuine_request_is_accepted():
    signature = sign_v3(SECRET, "POST", URI, BODY, TS)

    verify_v3(SECRET, "POST", URI, BODY, TS, signature, now_ms=NOW)


def test_percent_encoded_characters_hubspot_decodes_still_verify():
    signature = sign_v3(SECRET, "POST", URI + "?portal=1:2", BODY, TS)

    verify_v3(SECRET, "POST", URI + "?portal=1%3A2", BODY, TS, signature, now_ms=NOW)


def test_a_tampered_body_is_rejected():
    signature = sign_v3(SECRET, "POST", URI, BODY, TS)

    with pytest.raises(SignatureRejected, match="does not match"):
        verify_v3(SECRET, "POST", URI, BODY.replace(b"123", b"999"), TS, signature, now_ms=NOW)


def test_a_signature_made_with_another_secret_is_rejected():
    forged = sign_v3("guessed-secret", "POST", URI, BODY, TS)

    with pytest.raises(SignatureRejected, match="does not match"):
        verify_v3(SECRET, "POST", URI, BODY, TS, forged, now_ms=NOW)


def test_a_request_older_than_five_minutes_is_rejected_as_stale():
    old = str(NOW - 5 * 60 * 1000 - 1)
    signature = sign_v3(SECRET, "POST", URI, BODY, old)

    with pytest.raises(SignatureRejected, match="stale"):
        verify_v3(SECRET, "POST", URI, BODY, old, signature, now_ms=NOW)


@pytest.mark.parametrize(
    ("timestamp", "signature", "message"),
    [
        (TS, None, "missing X-HubSpot-Signature-v3"),
        (TS, "", "missing X-HubSpot-Signature-v3"),
        (None, "abc", "missing X-HubSpot-Request-Timestamp"),
        ("yesterday", "abc", "not a millisecond timestamp"),
    ],
)
def test_missing_or_garbled_headers_are_rejected_with_a_clear_reason(timestamp, signature, message):
    with pytest.raises(SignatureRejected, match=message):
        verify_v3(SECRET, "POST", URI, BODY, timestamp, signature, now_ms=NOW)


def test_an_unconfigured_secret_refuses_every_call():
    signature = sign_v3("", "POST", URI, BODY, TS)

    with pytest.raises(SignatureRejected, match="not configured"):
        verify_v3("", "POST", URI, BODY, TS, signature, now_ms=NOW)


def test_the_public_url_is_what_was_signed_for_a_request_at_the_webhooks_own_path():
    assert signed_uri(URI, "/webhook") == URI  # Cloud Run passes the path on unchanged
    assert signed_uri(URI, "/") == URI  # Cloud Functions strips the function's name
    assert signed_uri(URI, "/webhook?portal=1") == URI + "?portal=1"
    assert signed_uri(URI + "?portal=1", "/webhook?portal=1") == URI + "?portal=1"
    assert signed_uri(URI, "http://10.0.0.1:8080/webhook") == URI  # absolute-form target


@pytest.mark.parametrize(
    "target", ["/x", "/%2e%2e/other", "/webhook/../other", "/webhook/", "/other?x=/webhook"]
)
def test_a_request_sent_to_any_other_path_is_refused_whatever_its_signature(target):
    with pytest.raises(SignatureRejected, match="answers only at /webhook"):
        signed_uri(URI, target)


def test_with_the_public_url_at_the_root_only_the_root_is_the_webhook():
    root = "https://hooks.example.test/"
    assert signed_uri(root, "/") == root
    for target in ("/x", "/%2e%2e/other", "//", "/./"):
        with pytest.raises(SignatureRejected, match="answers only at /"):
            signed_uri(root, target)
