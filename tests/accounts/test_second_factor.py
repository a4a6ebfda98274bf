"""Staff sign-in: the second factor, a new session at login, the idle time-out and rate
limits."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from apps.organisations.models import Organisation
from apps.responders.permissions import can_grant, can_manage
from tests.factories import (
    TEST_PASSWORD,
    TEST_TOTP_SECRET,
    RoleFactory,
    UserFactory,
    totp_code,
    with_second_factor,
)

pytestmark = pytest.mark.django_db


def sign_in(client: Client, email: str) -> None:
    response = client.post(reverse("account_login"), {"login": email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_staff_without_a_second_factor_are_sent_to_set_one_up(org: Organisation) -> None:
    user = UserFactory()
    RoleFactory(user=user, role="super_user", organisation=org)
    client = Client()
    client.force_login(user)
    for url in (
        reverse("inbox:index"),
        reverse("staff:members", kwargs={"slug": org.slug}),
        reverse("moderation:enter"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp")
    # The services refuse too: the check is on the server, not only in the pages.
    assert not can_manage(user, org)
    assert not can_grant(user, "reader", org)
    with_second_factor(user)
    assert client.get(reverse("inbox:index")).status_code == 200
    assert can_manage(User.objects.get(pk=user.pk), org)


def test_setting_up_an_authenticator_app_with_its_code(org: Organisation) -> None:
    user = UserFactory(email="new.nurse@staff.example")
    RoleFactory(user=user, role="responder", organisation=org)
    client = Client()
    sign_in(client, user.email)
    # Changing the second factor asks for the password again first.
    asked = client.get(reverse("mfa_activate_totp"))
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    # Shown for typing in, beside the QR code, in groups of four.
    assert page.context["form"].secret_in_groups.replace(" ", "") == secret
    assert page.context["form"].secret_in_groups in page.content.decode()
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors
    assert not Authenticator.objects.filter(user=user).exists()
    done = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert done.status_code == 302
    assert set(Authenticator.objects.filter(user=user).values_list("type", flat=True)) == {
        "totp",
        "recovery_codes",
    }
    assert client.get(reverse("inbox:index")).status_code == 200


def test_signing_in_with_a_second_factor_asks_for_the_code_and_starts_a_new_session(
    responder: User,
) -> None:
    client = Client()
    client.get(reverse("account_login"))
    before = client.session.session_key
    response = client.post(
        reverse("account_login"), {"login": responder.email, "password": TEST_PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not signed in on the password alone
    assert client.get(reverse("inbox:index")).status_code == 302
    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    done = client.post(reverse("mfa_authenticate"), {"code": totp_code(TEST_TOTP_SECRET)})
    assert done.status_code == 302
    assert client.session["_auth_user_id"] == str(responder.pk)
    assert client.session.session_key != before
    assert client.get(reverse("inbox:index")).status_code == 200


def test_a_recovery_code_signs_in_once(responder: User) -> None:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes(
        Authenticator.objects.get(user=responder, type="recovery_codes")
    ).get_unused_codes()
    assert len(codes) == 10
    for attempt, expected in ((1, True), (2, False)):
        client = Client()
        client.post(reverse("account_login"), {"login": responder.email, "password": TEST_PASSWORD})
        client.post(reverse("mfa_authenticate"), {"code": codes[0]})
        assert ("_auth_user_id" in client.session) is expected, attempt


def test_an_idle_session_is_signed_out(responder: User, settings: object) -> None:
    client = Client()
    client.force_login(responder)
    assert client.get(reverse("inbox:index")).status_code == 200
    session = client.session
    session["last_seen"] = time.time() - 31 * 60
    session.save()
    response = client.get(reverse("inbox:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert response["Location"].endswith("?next=%2Fstaff%2F")
    assert "_auth_user_id" not in client.session
    # htmx requests are told to load the sign-in page whole.
    client.force_login(responder)
    session = client.session
    session["last_seen"] = time.time() - 31 * 60
    session.save()
    hx = client.get(reverse("inbox:index"), headers={"HX-Request": "true"})
    assert hx.status_code == 204
    assert hx["HX-Redirect"].startswith(reverse("account_login"))


def test_an_active_session_is_kept(responder: User) -> None:
    client = Client()
    client.force_login(responder)
    client.get(reverse("inbox:index"))
    session = client.session
    session["last_seen"] = time.time() - 29 * 60
    session.save()
    assert client.get(reverse("inbox:index")).status_code == 200


def test_repeated_wrong_passwords_are_rate_limited(responder: User) -> None:
    client = Client()
    for _ in range(5):
        client.post(
            reverse("account_login"), {"login": responder.email, "password": "wrong-1234567"}
        )
    blocked = client.post(
        reverse("account_login"), {"login": responder.email, "password": TEST_PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert blocked.status_code in (200, 429)
    assert "Too many failed" in blocked.content.decode()


def test_reloading_the_set_up_page_keeps_the_secret_until_sign_out(org: Organisation) -> None:
    user = UserFactory(email="new.nurse@staff.example")
    RoleFactory(user=user, role="responder", organisation=org)
    client = Client()
    sign_in(client, user.email)
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    first = client.get(reverse("mfa_activate_totp"))
    secret = first.context["form"].secret
    again = client.get(reverse("mfa_activate_totp"))
    assert again.context["form"].secret == secret
    assert again.context["totp_svg"] == first.context["totp_svg"]  # the same QR code
    # Shown in groups of four, as people copy it into an app.
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    assert len(secret) >= 16
    assert grouped in again.content.decode()
    # A code from the app set up on the first visit turns the second factor on.
    done = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert done.status_code == 302
    assert Authenticator.objects.filter(user=user, type="totp").exists()


def test_signing_out_forgets_a_set_up_in_progress(org: Organisation) -> None:
    user = UserFactory(email="new.nurse@staff.example")
    client = Client()
    sign_in(client, user.email)
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    client.post(reverse("account_logout"))
    sign_in(client, user.email)
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).context["form"].secret != secret
