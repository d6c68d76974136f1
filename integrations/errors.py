"""Errors raised by adapters. Entry points translate them into messages for people."""


class IntegrationError(Exception):
    """Base class for every adapter error."""


class ConfigurationError(IntegrationError):
    """A setting or secret is missing or malformed; the message names the key."""


class UpstreamUnavailable(IntegrationError):
    """An outside service kept failing (429, 5xx, timeout, connection) after retries."""


class StoreUnavailable(UpstreamUnavailable):
    """The store cannot be reached or read (Firestore down, a locked, corrupt or foreign SQLite
    file); the message names the store. Nothing was written."""


class UpstreamRejected(IntegrationError):
    """An outside service refused the request (4xx other than 429); retrying will not help."""


class MalformedReply(IntegrationError):
    """An outside service answered with something that is not the shape we expect."""


class StaleEdit(IntegrationError):
    """Someone else changed the record since it was read; the message names the record."""


class NotFound(IntegrationError):
    """The record asked for does not exist."""


class AlreadyRecorded(IntegrationError):
    """An allocation for this deal exists already (a replayed delivery); carries it."""

    def __init__(self, record: object) -> None:
        super().__init__(f"deal {getattr(record, 'deal_id', '?')} is already recorded")
        self.record = record


class SyncInProgress(IntegrationError):
    """Another run of the same sync is still going; try again when it has finished."""


class Unauthorized(UpstreamRejected):
    """The service refused our credentials (HTTP 401); refreshing the token may help."""


class SignatureRejected(IntegrationError):
    """A webhook call's signature is missing, stale or wrong; the message says which."""
