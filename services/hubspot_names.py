"""The HubSpot property names the firm's account uses: one class for the sync and the webhook.

Before, the webhook read deals through its own ``DealFields`` and the sync through
``HubSpotProperties``, so renaming the agreement-start property (``HUBSPOT_DEAL_PROPERTIES``)
changed what the webhook read and not what the deal sync read. Both now take the one
``HubSpotNames`` built from that setting (``bootstrap``), and both names are aliases of it.

The adviser mapping (``region``, ``pod_type``, ``monthly_limit``, ``end_date``) names HubSpot
user properties; empty means the field is not synced (it is set on the Advisers page, or left
to the pod's default). A name that HubSpot does not have is refused when the sync runs, naming
the property and the closest existing ones (``missing_user_properties``).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Collection
from dataclasses import dataclass

# The adviser fields a firm may map to HubSpot user properties of its own, or leave unsynced.
ADVISER_MAPPING = ("region", "pod_type", "monthly_limit", "end_date")


@dataclass(frozen=True)
class HubSpotNames:
    """The firm's property names (defaults from the product brief); all configurable."""

    # users (advisers)
    taking_on_clients: str = "taking_on_clients"
    client_types: str = "client_types"
    household_types: str = "household_type"
    pod_type: str | None = "pod_type"
    start_date: str = "adviser_start_date"
    owner_id: str = "hubspot_owner_id"
    email: str = "hs_email"
    first_name: str = "hs_given_name"
    last_name: str = "hs_family_name"
    region: str | None = None
    monthly_limit: str | None = None
    end_date: str | None = None
    # meetings
    activity_type: str = "hs_activity_type"
    meeting_start: str = "hs_meeting_start_time"
    meeting_owner: str = "hubspot_owner_id"
    # deals
    service_package: str = "service_package"
    household_type: str = "household_type"
    agreement_start: str = "agreement_start_date"
    renewal_service_package: str = "renewal_service_package"
    renewal_household_type: str = "renewal_household_type"
    record_id: str = "hs_deal_record_id"
    pipeline: str = "pipeline"
    stage: str = "dealstage"
    deal_advisers: tuple[str, ...] = ("advisor", "hubspot_owner_id")  # first one set wins
    adviser_email: str = "advisor_email"
    clarify_dates: tuple[str, ...] = (
        "most_recent_clarify_booked_date",
        "most_recent_clarify_call_date",
    )
    created: str = "createdate"

    @classmethod
    def parse(cls, overrides: str | None) -> HubSpotNames:
        """Defaults, with ``name=property`` pairs (comma-separated) replacing some of them;
        ``region=`` (empty) leaves an adviser field unsynced.

        Raises ``ValueError`` naming the bad pair; this is configuration, not request input.
        """
        known = {f.name for f in dataclasses.fields(cls)} - {"deal_advisers", "clarify_dates"}
        chosen: dict[str, str | None] = {}
        for pair in (overrides or "").split(","):
            if not pair.strip():
                continue
            name, sep, prop = (part.strip() for part in pair.partition("="))
            unsynced = name in ADVISER_MAPPING and not prop
            if not sep or name not in known or not (prop or unsynced):
                raise ValueError(
                    f"{pair.strip()!r} is not name=property with name one of {sorted(known)}"
                )
            chosen[name] = prop or None
        return cls(**chosen)  # type: ignore[arg-type]

    def to_read(self) -> list[str]:
        """The deal properties to ask HubSpot for when only a deal id arrived."""
        return [
            self.service_package,
            self.household_type,
            self.agreement_start,
            self.renewal_service_package,
            self.renewal_household_type,
        ]

    def mapped(self) -> dict[str, str]:
        """The adviser fields synced from a HubSpot user property, and its name."""
        found = {field: getattr(self, field) for field in ADVISER_MAPPING}
        return {field: name for field, name in found.items() if name}

    def user_properties(self) -> list[str]:
        names = [
            self.taking_on_clients,
            self.client_types,
            self.household_types,
            self.start_date,
            self.owner_id,
            self.email,
            self.first_name,
            self.last_name,
        ]
        return names + list(self.mapped().values())

    def meeting_properties(self) -> list[str]:
        return [self.activity_type, self.meeting_start, self.meeting_owner]

    def deal_properties(self) -> list[str]:
        return [*self.deal_advisers, self.adviser_email, self.agreement_start, self.created]


def missing_user_properties(names: HubSpotNames, existing: Collection[str]) -> list[str]:
    """One sentence per mapped adviser property HubSpot does not have, with likely meant ones."""
    problems = []
    for field, prop in names.mapped().items():
        if prop in existing:
            continue
        close = difflib.get_close_matches(prop, list(existing), n=2, cutoff=0.6)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        problems.append(
            f"HubSpot has no user property {prop!r} (HUBSPOT_DEAL_PROPERTIES "
            f"{field}={prop}){hint} Fix the name, or set {field}= to leave it unsynced"
        )
    return problems
