"""HubSpot API facts in one place: versioned paths, page sizes, limits, property names.

HubSpot's CRM v3 object and search endpoints and the v4 associations endpoints are used.
Moving to a newer API version means changing the paths here and nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from services.hubspot_names import HubSpotNames

API_BASE = "https://api.hubapi.com"
CRM_OBJECTS = "/crm/v3/objects"
USERS_PATH = f"{CRM_OBJECTS}/users"
ASSOCIATIONS = "/crm/v4/associations"


def object_path(object_type: str, record_id: str = "") -> str:
    return f"{CRM_OBJECTS}/{object_type}" + (f"/{record_id}" if record_id else "")


def properties_path(object_type: str) -> str:
    return f"/crm/v3/properties/{object_type}"


def search_path(object_type: str) -> str:
    return f"{CRM_OBJECTS}/{object_type}/search"


def associations_batch_path(from_type: str, to_type: str) -> str:
    return f"{ASSOCIATIONS}/{from_type}/{to_type}/batch/read"


def batch_read_path(object_type: str) -> str:
    return f"{CRM_OBJECTS}/{object_type}/batch/read"


LIST_PAGE_SIZE = 100  # GET list endpoints take at most 100 per page
SEARCH_PAGE_SIZE = 200  # the search API's own maximum page
SEARCH_RESULT_CAP = 10_000  # the search API will not page past this many results per query
ASSOCIATION_BATCH_SIZE = 1_000  # v4 associations batch read inputs per call
OBJECT_BATCH_SIZE = 100  # v3 objects batch read inputs per call
CONTACT_EMAIL = "email"  # HubSpot's own contact property
# The search endpoints have their own limit (a few requests per second per token), separate
# from the general burst limit; spacing calls avoids spending retries on avoidable 429s.
SEARCH_MIN_INTERVAL = 0.25

MEETING_KINDS = {"clarify": "clarify", "kick off": "kickoff"}  # hs_activity_type → kind
MEETING_ACTIVITY_TYPES = ("Clarify", "Kick Off")  # as the firm spells them in HubSpot


# The one class of property names, shared with the webhook (``services.hubspot_names``).
HubSpotProperties = HubSpotNames


class SearchThrottle:
    """Keeps at least ``interval`` seconds between search calls (clock and sleep injectable)."""

    def __init__(
        self,
        interval: float = SEARCH_MIN_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None

    def wait(self) -> None:
        now = self._clock()
        if self._last is not None:
            remaining = self._interval - (now - self._last)
            if remaining > 0:
                self._sleep(remaining)
                now = self._clock()
        self._last = now
