"""The privacy notice says what issue 17's retention and authors' rights do, with the
platform's own settings."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def _notice(client: Client) -> str:
    return " ".join(client.get("/about/privacy/").content.decode().split())


def test_the_privacy_notice_says_how_long_words_are_kept_and_what_authors_can_do(
    client: Client,
) -> None:
    html = _notice(client)
    for words in (
        "stories about care in the last 3 years",
        "30 days later its words are deleted for good",
        "We keep only what statistics need",
        "cannot be undone",
        "your link keeps working after that",
        "Copies of the emails we sent you, which hold your address, are deleted 30 days",
        "download everything you wrote and received",
        "erase your email address",
        "withdraw your story",
        "deactivates the account",
        "under the name and job title they had when they wrote them",
    ):
        assert words in html, words


@override_settings(STORY_MAX_AGE_YEARS=2, PURGE_AFTER_DAYS=14)
def test_the_privacy_notice_follows_the_settings(client: Client) -> None:
    html = _notice(client)
    assert "in the last 2 years" in html
    assert "14 days later its words are deleted" in html
