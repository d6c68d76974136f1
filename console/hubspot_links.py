"""Links from a deal id in the console to that deal in HubSpot (``HUBSPOT_PORTAL_ID``)."""

from __future__ import annotations

import re

from console.handle import ConsoleConfig

PORTAL_KEY = "HUBSPOT_PORTAL_ID"
_PORTAL = re.compile(r"[0-9]{1,20}")
# Deals are HubSpot's object type 0-3; this is the record page HubSpot itself links to.
DEAL_PAGE = "https://app.hubspot.com/contacts/{portal}/record/0-3/{deal}"


def portal_id(config: ConsoleConfig) -> str | None:
    """The configured portal id, or None when it is unset or not an id (digits)."""
    value = (config.get(PORTAL_KEY) or "").strip()
    return value if _PORTAL.fullmatch(value) else None


def portal_problem(config: ConsoleConfig) -> str | None:
    """What is wrong with a configured portal id (so deal links are left out), or None."""
    value = (config.get(PORTAL_KEY) or "").strip()
    if not value or _PORTAL.fullmatch(value):
        return None
    return f"{PORTAL_KEY} must be the digits of the HubSpot account id, so deals are not linked."


def deal_url(portal: str | None, deal_id: str | None) -> str | None:
    """The deal's page in HubSpot, or None without a portal id or a HubSpot deal id."""
    if portal is None or not deal_id or not deal_id.isdigit():
        return None
    return DEAL_PAGE.format(portal=portal, deal=deal_id)
