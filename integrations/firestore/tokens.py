"""Tokens (OAuth credentials, one-time sign-in secrets) in Firestore; no decision reads them,
so no commit here moves the version."""

from __future__ import annotations

from typing import Any

from integrations.firestore.client import (
    PRECONDITION_FAILED,
    TOKENS,
    FirestoreClient,
    packed,
    unpacked,
    version_of,
)


class FirestoreTokens:
    """``services.ports.Tokens`` in Firestore."""

    def __init__(self, client: FirestoreClient) -> None:
        self._fs = client

    def load_token(self, name: str) -> dict[str, Any] | None:
        snap = self._fs.get(self._fs.ref(TOKENS, name))
        return dict(unpacked(snap.to_dict() or {}, "token")["token"]) if snap.exists else None

    def save_token(self, name: str, token: dict[str, Any]) -> None:
        ref = self._fs.ref(TOKENS, name)
        row = packed({"token": token}, "token")
        self._fs.commit([self._fs.setter(ref, row)], "saving a token", bump=False)

    def take_token(self, name: str) -> dict[str, Any] | None:
        """Read, then delete only if unchanged since that read: of several takers, the first
        delete wins and the others' preconditions fail (no read-write transaction, whose
        locks make contended callers wait)."""
        ref = self._fs.ref(TOKENS, name)
        snap = self._fs.get(ref)
        if not snap.exists:
            return None
        unchanged_since_read = self._fs.precondition(version_of(snap))
        try:
            self._fs.commit(
                [lambda b: b.delete(ref, option=unchanged_since_read)], "taking a token", bump=False
            )
        except PRECONDITION_FAILED:
            return None  # someone else took it (or replaced it) first
        return dict(unpacked(snap.to_dict() or {}, "token")["token"])
