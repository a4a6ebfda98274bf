"""allauth's emails (password reset, no such account) go through the outbox, in the
site's words, with links built from SITE_URL whatever Host the request named."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from apps.core.models import OutboxEmail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE_URL = "https://carevoice.example.org"


@pytest.fixture(autouse=True)
def site(settings: Any) -> None:
    settings.SITE_URL = SITE_URL
    # A server that answers any Host (a proxy passing it through, a wildcard
    # ALLOWED_HOSTS) is where a forged Host header would reach the email.
    settings.ALLOWED_HOSTS = ["*"]


def ask_for_reset(client: Client, email: str) -> Any:
    return client.post(
        reverse("account_reset_password"), {"email": email}, headers={"host": "evil.example"}
    )


def test_a_password_reset_link_starts_with_site_url_whatever_the_host_header(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    UserFactory(email="sam.patel@trust.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_reset(client, "sam.patel@trust.example")
    assert response.status_code == 302
    row = OutboxEmail.objects.get(to="sam.patel@trust.example")
    assert row.kind == "accounts.password_reset_key"
    assert row.subject == "Reset your CareVoice password"
    links = re.findall(r"https?://\S+", mail.outbox[0].body)
    assert links, mail.outbox[0].body
    assert all(link.startswith(SITE_URL) for link in links), links
    assert "evil.example" not in mail.outbox[0].body
    assert "evil.example" not in mail.outbox[0].subject
    reset_link = next(link for link in links if "/password/reset/key/" in link)
    # The link works: it leads to the page for choosing a new password.
    page = client.get(reset_link.removeprefix(SITE_URL), follow=True)
    assert page.status_code == 200
    assert "Choose a new password" in page.content.decode()


def test_an_unknown_address_gets_a_note_in_the_sites_words_and_no_sign_up_link(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_reset(client, "nobody@trust.example")
    assert response["Location"] == reverse("account_reset_password_done")
    row = OutboxEmail.objects.get(to="nobody@trust.example")
    assert row.kind == "accounts.unknown_account"
    body = mail.outbox[0].body
    assert "There is no staff account with this address" in body
    assert "sign up" not in body.lower()
    links = re.findall(r"https?://\S+", body)
    assert links
    assert all(link.startswith(SITE_URL) for link in links), links


def test_the_reset_page_answers_alike_for_known_and_unknown_addresses(client: Client) -> None:
    UserFactory(email="sam.patel@trust.example")
    known = ask_for_reset(client, "sam.patel@trust.example")
    unknown = ask_for_reset(Client(), "nobody@trust.example")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # Each address gets one email, queued in the outbox.
    assert sorted(OutboxEmail.objects.values_list("to", flat=True)) == [
        "nobody@trust.example",
        "sam.patel@trust.example",
    ]


def test_asking_twice_at_once_queues_one_email(client: Client) -> None:
    ask_for_reset(client, "nobody@trust.example")
    ask_for_reset(client, "nobody@trust.example")
    assert OutboxEmail.objects.filter(to="nobody@trust.example").count() == 1
