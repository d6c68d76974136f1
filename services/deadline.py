"""How long the current piece of work may still take, for every outside call made inside it.

HubSpot waits only seconds for a webhook's answer, and Cloud Run cuts a request off, so the
webhook runs each delivery ``within(seconds)``. The HTTP policy (``integrations.http``) asks
``remaining()`` before each attempt: an attempt's timeout never outlasts the budget, and no
retry starts once it is spent (the write-back is then left to the outbox). Outside such a
block there is no deadline and calls use their own timeouts.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager

_until: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Work inside may take ``seconds`` more in all (or less, inside a tighter block)."""
    until = time.monotonic() + seconds
    outer = _until.get()
    token = _until.set(until if outer is None else min(outer, until))
    try:
        yield
    finally:
        _until.reset(token)


def remaining() -> float | None:
    """Seconds left, or None when no deadline applies."""
    until = _until.get()
    return None if until is None else max(0.0, until - time.monotonic())


def expired() -> bool:
    left = remaining()
    return left is not None and left <= 0.0
