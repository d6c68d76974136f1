"""HubSpot records → the console's records. Pure functions over the API's JSON shapes.

HubSpot returns every property as a string (or null): booleans as "True"/"false", dates as
"2026-02-03" or a millisecond epoch, datetimes as ISO 8601 with "Z", multi-values joined by
";" (the firm also uses "," "/" "|" in free-text fields).

A deal's agreement start is read by the webhook's own rule
(``services.deal_intake.parse_agreement_start``), so the sync and the webhook agree on every
deal: a date the webhook would refuse is reported here, not silently read another way.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from allocation import Adviser, Meeting
from integrations.hubspot_api import CONTACT_EMAIL, MEETING_KINDS, HubSpotProperties
from services.deal_intake import hubspot_instant, parse_agreement_start
from services.errors import BadRequest, MalformedReply
from services.records import OpenDeal

_SEPARATORS = re.compile(r"[;,/|]")
_TRUE = frozenset({"true", "yes", "1"})


def split_values(text: str | None) -> frozenset[str]:
    return frozenset(part.strip() for part in _SEPARATORS.split(text or "") if part.strip())


def parse_flag(text: str | None) -> bool:
    """Only an explicit yes counts: an unset flag must not start sending an adviser clients."""
    return (text or "").strip().casefold() in _TRUE


def parse_datetime(text: str | None) -> dt.datetime | None:
    """A HubSpot date-time property (the webhook's own reading of them), or None when blank
    or unreadable (the caller says which record it skipped)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return hubspot_instant(text)
    except ValueError:
        return None


def parse_date(text: str | None) -> dt.date | None:
    """The UTC day of a date ("2026-02-03", or midnight UTC in epoch ms) or datetime."""
    moment = parse_datetime(text)
    return moment.astimezone(dt.UTC).date() if moment else None


def properties_of(record: Any) -> Mapping[str, str | None]:
    if not isinstance(record, dict) or not isinstance(record.get("properties"), dict):
        raise MalformedReply("HubSpot returned a record without a properties object")
    props: Mapping[str, str | None] = record["properties"]
    return props


def adviser_from_user(record: Any, names: HubSpotProperties) -> Adviser | None:
    """An adviser from a HubSpot user; ``None`` when the user is not an owner (cannot be
    assigned deals, so cannot be an adviser)."""
    props = properties_of(record)
    owner_id = (props.get(names.owner_id) or "").strip()
    if not owner_id:
        return None
    email = (props.get(names.email) or "").strip().lower()
    full_name = " ".join(
        part.strip() for part in (props.get(names.first_name), props.get(names.last_name)) if part
    )
    return Adviser(
        id=owner_id,
        name=full_name or email or owner_id,
        email=email,
        taking_on_clients=parse_flag(props.get(names.taking_on_clients)),
        service_packages=split_values(props.get(names.client_types)),
        household_types=split_values(props.get(names.household_types)),
        pod_type=_text(props, names.pod_type) or "Standard",
        start_date=parse_date(props.get(names.start_date)),
        region=_text(props, names.region),
        monthly_limit=_limit(props, names.monthly_limit),
        end_date=parse_date(props.get(names.end_date)) if names.end_date else None,
    )


def unread_limit(record: Any, adviser: Adviser, names: HubSpotProperties) -> list[str]:
    """A note when the mapped monthly limit held something other than a number from 0 to
    100: the adviser is kept, at their pod's default, and the sync run says why."""
    raw = _text(properties_of(record), names.monthly_limit)
    if raw is None or adviser.monthly_limit is not None:
        return []
    return [
        f"adviser {adviser.id} ({adviser.name}): monthly limit {raw[:40]!r} is not a number "
        f"from 0 to 100; their pod's default applies (set one on the Advisers page)"
    ]


def _text(props: Mapping[str, str | None], name: str | None) -> str | None:
    """A mapped property's text; None when it is not mapped (not synced) or empty."""
    if not name:
        return None
    return (props.get(name) or "").strip() or None


def _limit(props: Mapping[str, str | None], name: str | None) -> float | None:
    """A monthly limit from HubSpot: a number from 0 to 100, else None (the pod's default);
    anything else is a typo the Advisers page can override, not a reason to drop the adviser."""
    text = _text(props, name)
    try:
        limit = float(text) if text is not None else None
    except ValueError:
        return None
    return limit if limit is not None and 0 <= limit <= 100 else None


def meeting_kind(activity_type: str | None) -> str | None:
    return MEETING_KINDS.get(" ".join((activity_type or "").casefold().split()))


def meeting_from(record: Any, deal_id: str | None, names: HubSpotProperties) -> Meeting | None:
    """A Clarify / Kick Off meeting; ``None`` when it has no owner, kind or start time."""
    props = properties_of(record)
    owner = (props.get(names.meeting_owner) or "").strip()
    kind = meeting_kind(props.get(names.activity_type))
    start = parse_datetime(props.get(names.meeting_start))
    if not owner or kind is None or start is None:
        return None
    return Meeting(
        id=str(record.get("id")), adviser_id=owner, start=start, kind=kind, deal_id=deal_id
    )


def open_deal_from(
    record: Any, names: HubSpotProperties, today: dt.date
) -> tuple[OpenDeal, str | None]:
    """An open deal, and a note when its agreement start was refused: the deal then counts
    by its creation date, as one without an agreement start does."""
    props = properties_of(record)
    deal_id = str(record.get("id"))
    adviser = next(
        (v.strip() for p in names.deal_advisers if (v := props.get(p)) and v.strip()), None
    )
    email = (props.get(names.adviser_email) or "").strip().lower() or None
    note = None
    try:
        start = parse_agreement_start(
            props.get(names.agreement_start), names.agreement_start, today=today
        )
    except BadRequest as refused:
        start, note = None, f"deal {deal_id}: {refused}; counted by its creation date"
    deal = OpenDeal(
        deal_id=deal_id,
        adviser_id=adviser,
        adviser_email=email,
        agreement_start=start,
        created=parse_date(props.get(names.created)),
    )
    return deal, note


def association_targets(association_results: Any) -> dict[str, list[str]]:
    """from id → the ids it is associated with, from a v4 associations batch read reply."""
    if not isinstance(association_results, list):
        raise MalformedReply("HubSpot associations reply has no results list")
    targets: dict[str, list[str]] = {}
    for row in association_results:
        try:
            source = str(row["from"]["id"])
            targets[source] = [str(t["toObjectId"]) for t in row.get("to", [])]
        except (KeyError, TypeError) as exc:
            raise MalformedReply("HubSpot associations reply has an unexpected row") from exc
    return targets


def first_deal_ids(association_results: Any) -> dict[str, str]:
    """meeting id → associated deal id from a v4 associations batch read reply (the lowest
    deal id when a meeting is linked to several, so reruns agree)."""
    return {
        meeting: min(deals, key=lambda t: (len(t), t))
        for meeting, deals in association_targets(association_results).items()
        if deals
    }


def emails_of(contact_rows: Any) -> list[str]:
    """The contacts' email addresses from a v3 batch read reply's results, by contact id
    (a couple's two partners come in a stable order); contacts without one are passed over."""
    if not isinstance(contact_rows, list):
        raise MalformedReply("HubSpot contacts reply has no results list")
    found: list[tuple[str, str]] = []
    for row in contact_rows:
        props = row.get("properties") if isinstance(row, dict) else None
        if not isinstance(props, dict):
            raise MalformedReply("HubSpot contacts reply has a contact without properties")
        email = str(props.get(CONTACT_EMAIL) or "").strip()
        if email:
            found.append((str(row.get("id", "")), email))
    return [email for _, email in sorted(found, key=lambda f: (len(f[0]), f[0]))]
