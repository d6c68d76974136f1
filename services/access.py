"""Who may use the console once sign-in is configured, and who may edit: one pure rule.

The console's gate (``console.auth``) asks ``Services.admission`` with what the identity
provider vouched for. The rule fails closed: an address the provider has not verified is
refused, and while the stored policy names nobody (no allowed emails, domains or editors)
only the administrators from the ``CONSOLE_ADMINS`` setting get in, so a fresh deploy is
neither open to every account the provider accepts nor locked for good.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from services.records import ConsoleSettings

# Google's ID tokens carry one of these issuers; its ``hd`` claim names the Workspace domain
# that manages the account, which a personal account claiming a firm address cannot forge.
GOOGLE_ISSUERS = frozenset({"https://accounts.google.com", "accounts.google.com"})

NOBODY_ALLOWED = (
    "Only editors are let in for now: sign-in is configured, but the console's allowed emails "
    "and allowed domains (settings allowed_emails and allowed_domains) are empty. An editor "
    "fills in Allowed emails or Allowed domains on the Settings page (Console policy); on a "
    "fresh deploy, name the first editors in the CONSOLE_ADMINS setting."
)


@dataclass(frozen=True)
class SignIn:
    """What the identity provider vouched for (claims of its ID token)."""

    email: str
    email_verified: object = None  # the claim as sent: True, False, "true", or None if absent
    hosted_domain: str | None = None  # Google's ``hd``
    issuer: str | None = None  # ``iss``

    @property
    def address(self) -> str:
        return self.email.strip().casefold()

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]

    @property
    def verified(self) -> bool:
        # Some providers send the claim as a string; anything but an explicit yes is a no.
        claim = self.email_verified
        return claim is True or (isinstance(claim, str) and claim.strip().casefold() == "true")

    @property
    def vouched_by_domain(self) -> bool:
        """Whether the token can say which Workspace domain owns the account."""
        return self.hosted_domain is not None or (self.issuer or "").strip() in GOOGLE_ISSUERS


@dataclass(frozen=True)
class Admission:
    allowed: bool
    editor: bool = False
    reason: str = ""  # why someone was refused, in words they can act on


def _emails(values: Collection[str]) -> set[str]:
    return {v.strip().casefold() for v in values if v.strip()}


def _domains(values: Collection[str]) -> set[str]:
    return {v.strip().casefold().lstrip("@") for v in values if v.strip()}


def _unverified(person: SignIn) -> str:
    said = (
        "did not say the address is verified (no email_verified claim)"
        if person.email_verified is None
        else "says the address is not verified (email_verified is false)"
    )
    return (
        f"{person.address} cannot be used to sign in: your identity provider {said}. "
        "Verify the address with your provider, or sign in with another account."
    )


def _wrong_workspace(person: SignIn) -> str:
    got = (
        "does not name a Workspace domain (no hd claim)"
        if person.hosted_domain is None
        else f"names the Workspace domain {person.hosted_domain}"
    )
    return (
        f"{person.address} is let in as a member of {person.domain}, but its sign-in {got}. "
        f"Sign in with your {person.domain} work account."
    )


def admit(person: SignIn, policy: ConsoleSettings, admins: Collection[str] = ()) -> Admission:
    """May this person use the console, and edit? People named one by one (``admins``,
    stored editors, allowed emails) need a verified address; people let in because of their
    domain also need the provider to vouch for the domain when it can (Google's ``hd``)."""
    if not person.verified:
        return Admission(False, reason=_unverified(person))
    address = person.address
    editors = _emails(policy.editors)
    if address in _emails(admins) or address in editors:
        return Admission(True, editor=True)
    allowed_domains = _domains(policy.allowed_domains)
    if not (_emails(policy.allowed_emails) or allowed_domains):
        return Admission(False, reason=f"{address} is not allowed in. {NOBODY_ALLOWED}")
    if address in _emails(policy.allowed_emails):
        return Admission(True)
    if person.domain in allowed_domains:
        hosted = (person.hosted_domain or "").strip().casefold()
        if person.vouched_by_domain and hosted != person.domain:
            return Admission(False, reason=_wrong_workspace(person))
        return Admission(True)
    return Admission(False, reason=f"{address} is not allowed to use this console.")
