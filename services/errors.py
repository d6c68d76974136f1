"""Every error the use cases and their ports promise, in one tree; entry points translate them.

    ConsoleError                  anything raised on purpose; the message is for people
    ├── ConfigurationError        a setting or secret is missing or malformed (named, never its
    │                             value)
    ├── ServiceError              what a use case or a store refuses
    │   ├── BadRequest            the input is wrong; nothing was written
    │   │   ├── ValidationFailed  an editor form's rows, each problem listed
    │   │   └── NeedsConfirmation an action a person must confirm (each warning listed)
    │   ├── Forbidden             a viewer tried to edit
    │   ├── NotFound              the record asked for does not exist
    │   ├── Conflict              someone else changed the record since it was read (a stale
    │   │                         edit, or a booking decided on an out-of-date adviser load)
    │   ├── AlreadyRecorded       the deal was decided before; carries the recorded decision
    │   ├── Busy                  too many bookings raced for the same advisers
    │   └── SyncInProgress        the same sync is already running
    └── UpstreamError             an outside service, or the store, misbehaved
        ├── UpstreamUnavailable   it kept failing (429, 5xx, timeout, connection) after retries
        │   └── StoreUnavailable  the store cannot be reached or read (named); nothing written
        ├── UpstreamRejected      it refused the request (4xx but 429); retrying will not help
        │   └── Unauthorized      it refused our credentials (401)
        └── MalformedReply        it answered with something not of the expected shape

Adapters (``integrations/``) raise these for the ports they implement and keep only their
private errors. Entry points alone choose how each reads: a page shows ``st.error``, the webhook
picks the HTTP status (``webhook.py``), the command line its exit code (``cli.py``).
"""

from __future__ import annotations

from dataclasses import dataclass


class ConsoleError(Exception):
    """Base class of every error raised on purpose here."""


class ConfigurationError(ConsoleError):
    """A setting or secret is missing or malformed; the message names the key."""


class ServiceError(ConsoleError):
    """A use case or a store refused; the message is meant for people."""


class BadRequest(ServiceError):
    """The input is wrong (missing or unknown package, bad date, …); nothing was written."""


class Forbidden(ServiceError):
    """The caller may not do this (a viewer trying to edit)."""


class NotFound(ServiceError):
    """The record asked for does not exist (e.g. re-assigning a deal never recorded)."""


class Conflict(ServiceError):
    """Someone else changed the record since it was read; the message names it. Reload and
    try again (a booking: decide again on the news)."""


class AlreadyRecorded(ServiceError):
    """An allocation for this deal exists already (a replayed delivery); carries it."""

    def __init__(self, record: object) -> None:
        super().__init__(f"deal {getattr(record, 'deal_id', '?')} is already recorded")
        self.record = record


class Busy(ServiceError):
    """Too many bookings raced for the same advisers; the caller should retry shortly."""


class SyncInProgress(ServiceError):
    """Another run of the same sync is still going; try again when it has finished."""


class UpstreamError(ConsoleError):
    """An outside service, or the store, did not do what was asked."""


class UpstreamUnavailable(UpstreamError):
    """An outside service kept failing (429, 5xx, timeout, connection) after retries."""


class StoreUnavailable(UpstreamUnavailable):
    """The store cannot be reached or read (Firestore down, a locked, corrupt or foreign SQLite
    file); the message names it. Nothing was written."""


class UpstreamRejected(UpstreamError):
    """An outside service refused the request (4xx other than 429); retrying will not help."""


class Unauthorized(UpstreamRejected):
    """The service refused our credentials (HTTP 401); refreshing the token may help."""


class MalformedReply(UpstreamError):
    """An outside service answered with something that is not the shape we expect."""


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong (or worth a warning) with one row of an editor form."""

    row: str  # "new row 2" or the record id
    column: str | None
    message: str  # names the field in words: "End date 1 Apr 2026 is before …"

    @property
    def where(self) -> str:
        """'row 2 (new)' for the second added row; a stored record's id as it is."""
        if self.row.startswith(NEW_ROW):
            return f"row {self.row[len(NEW_ROW) :]} (new)"
        return self.row

    def __str__(self) -> str:
        if self.row == "settings" and self.column:  # the console words it by the field's label
            return f"{self.column}: {self.message}"
        return f"{self.where}: {self.message}"


NEW_ROW = "new row "  # how the editors' checks label an added row


class ValidationFailed(BadRequest):
    """An editor form has rows that cannot be saved; nothing was saved."""

    def __init__(self, problems: tuple[RowProblem, ...]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class NeedsConfirmation(BadRequest):
    """A person asked for something the allocator would not do (an adviser who does not offer
    the package, a past or closed week): nothing was done; ask again with the confirmation."""

    def __init__(self, subject: str, warnings: tuple[str, ...]) -> None:
        super().__init__(f"{subject}: " + "; ".join(warnings) + " (confirm to go ahead)")
        self.warnings = warnings
