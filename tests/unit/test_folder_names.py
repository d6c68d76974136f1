"""A client folder's name and the client's addresses, as Box and people need them."""

from __future__ import annotations

import pytest

from services.errors import BadRequest
from services.folders import box_date, client_emails, folder_name


def test_the_name_is_the_household_and_the_deal_id() -> None:
    assert folder_name("Kim & Lee Ng", "4301") == "Kim & Lee Ng (deal 4301)"


@pytest.mark.parametrize(
    ("deal_name", "expected"),
    [
        ("Ng / Lee\\Smith", "Ng Lee Smith (deal 9)"),
        ("  ..Ng household..  ", "Ng household (deal 9)"),
        ("Ng\nhousehold\t", "Ng household (deal 9)"),
        ("", "Client (deal 9)"),
        (None, "Client (deal 9)"),
        ("...", "Client (deal 9)"),
    ],
)
def test_names_keep_to_boxs_rules(deal_name: str | None, expected: str) -> None:
    assert folder_name(deal_name, "9") == expected


def test_a_long_name_is_cut_to_255_characters_keeping_the_deal_id() -> None:
    name = folder_name("Household " + "x" * 400, "12345")
    assert len(name) == 255
    assert name.endswith(" (deal 12345)")


def test_a_deal_id_with_a_slash_cannot_make_a_path() -> None:
    assert "/" not in folder_name("Ng", "a/b")


def test_client_emails_split_on_commas_semicolons_and_spaces_once_each() -> None:
    raw = "kim@example.com; Lee@Example.com,  kim@example.com lee@example.com"
    assert client_emails(raw, "9", "client_email") == ("kim@example.com", "lee@example.com")


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (None, "deal 9 has no client email (HubSpot property 'client_email', nor a contact"),
        ("  ", "deal 9 has no client email"),
        ("kim at example", "'kim' (HubSpot property 'client_email') is not an email address"),
        ("kim@example", "'kim@example' (HubSpot property 'client_email') is not an email"),
    ],
)
def test_a_missing_or_malformed_email_says_which_deal_and_property(
    raw: str | None, words: str
) -> None:
    with pytest.raises(BadRequest, match=words.replace("(", r"\(").replace(")", r"\)")):
        client_emails(raw, "9", "client_email")


def test_box_dates_are_midnight_utc_date_times() -> None:
    import datetime as dt

    assert box_date(dt.date(2026, 3, 16)) == "2026-03-16T00:00:00.000Z"
    assert box_date(None) is None


def test_the_contacts_emails_are_used_only_when_the_deal_has_none() -> None:
    contacts = ["Kim@example.com", " lee@example.com "]
    assert client_emails("", "9", "client_email", contacts) == (
        "kim@example.com",
        "lee@example.com",
    )
    assert client_emails("sam@example.com", "9", "client_email", contacts) == ("sam@example.com",)
    with pytest.raises(BadRequest, match=r"'kim at x' \(on an associated contact\)"):
        client_emails(None, "9", "client_email", ["kim at x"])
