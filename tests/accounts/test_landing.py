"""Staff land on their work after signing in, through the second factor; a safe `next`
still wins and an unsafe one is ignored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, UserFactory, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    """Sign-in is rate limited per address (30 a minute) in the shared cache: these
    tests sign in many times from 127.0.0.1, so they start and leave the count at zero."""
    cache.clear()
    yield
    cache.clear()


LANDINGS = {
    "moderator": "moderation:queue",
    "responder": "inbox:index",
    "super_user": "inbox:index",
    "reader": "inbox:index",
    "platform_admin": "inbox:index",
}


def sign_in_with_code(client: Client, user: User, query: str = "", step: int = 0) -> str:
    """Password, then the authenticator code; where the browser is sent at the end."""
    first = client.post(
        reverse("account_login") + query, {"login": user.email, "password": TEST_PASSWORD}
    )
    assert first["Location"] == reverse("mfa_authenticate")
    done = client.post(reverse("mfa_authenticate"), {"code": totp_code(TEST_TOTP_SECRET, step)})
    assert done.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    return str(done["Location"])


@pytest.mark.parametrize("member", sorted(LANDINGS))
def test_each_staff_role_lands_on_its_work_after_the_second_factor(
    member: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(member)
    client = Client()
    landing = sign_in_with_code(client, user)
    assert landing == reverse(LANDINGS[member])
    assert client.get(landing).status_code == 200


def test_a_moderator_who_also_answers_for_a_trust_lands_on_the_queue(
    moderator: User, org: object
) -> None:
    from tests.factories import RoleFactory

    RoleFactory(user=moderator, role="responder", organisation=org)
    assert sign_in_with_code(Client(), moderator) == reverse("moderation:queue")


def test_a_safe_next_still_wins_and_an_unsafe_one_is_ignored(responder: User) -> None:
    wanted = reverse("alerts:index")
    assert sign_in_with_code(Client(), responder, f"?next={wanted}") == wanted
    # A code is good once: the second sign-in uses the app's next one (within tolerance).
    landing = sign_in_with_code(Client(), responder, "?next=https://evil.example/staff/", 1)
    assert landing == reverse("inbox:index")


def test_someone_without_a_second_factor_or_a_role_lands_in_the_staff_area(
    db: None,
) -> None:
    person = UserFactory(email="new.starter@staff.example")
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": person.email, "password": TEST_PASSWORD}
    )
    assert response["Location"] == reverse("inbox:index")
    # The staff area then asks them to set up an authenticator app first.
    assert client.get(response["Location"])["Location"] == reverse("mfa_activate_totp")
