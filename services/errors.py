"""Errors the use cases raise. Entry points translate them: a page shows ``st.error``, the
webhook answers 4xx JSON, the command line exits non-zero with one line."""

from __future__ import annotations

from dataclasses import dataclass


class ServiceError(Exception):
    """Base class for every use-case error; the message is meant for people."""


class BadRequest(ServiceError):
    """The input is wrong (missing or unknown package, bad date, …); nothing was written."""


class Forbidden(ServiceError):
    """The caller may not do this (a viewer trying to edit)."""


class NotFound(ServiceError):
    """The record asked for does not exist (e.g. re-assigning a deal never recorded)."""


class Conflict(ServiceError):
    """Someone else changed the record since it was read; reload and try again."""


class Busy(ServiceError):
    """Too many bookings raced for the same advisers; the caller should retry shortly."""


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong (or worth a warning) with one row of an editor form."""

    row: str  # "new row 2" or the record id
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.row}, {self.column}" if self.column else self.row
        return f"{where}: {self.message}"


class ValidationFailed(BadRequest):
    """An editor form has rows that cannot be saved; nothing was saved."""

    def __init__(self, problems: tuple[RowProblem, ...]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems
