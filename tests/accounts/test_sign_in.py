from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_staff_sign_in_with_email_and_password(client: Client) -> None:
    user = UserFactory(email="sam.patel@trust.example")
    response = client.post(
        reverse("account_login"), {"login": "Sam.Patel@Trust.example", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_is_explained_without_saying_whether_the_account_exists(
    client: Client,
) -> None:
    UserFactory(email="sam.patel@trust.example")
    known = client.post(
        reverse("account_login"),
        {"login": "sam.patel@trust.example", "password": "wrong-password-123"},
    )
    unknown = client.post(
        reverse("account_login"),
        {"login": "nobody@trust.example", "password": "wrong-password-123"},
    )
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_password_reset_does_not_reveal_accounts(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    UserFactory(email="sam.patel@trust.example")
    for email in ("sam.patel@trust.example", "nobody@trust.example"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("account_reset_password"), {"email": email})
        assert response.status_code == 302
        assert response["Location"] == reverse("account_reset_password_done")
    # The known address gets the reset link; the unknown one a note that no account exists.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "nobody@trust.example",
        "sam.patel@trust.example",
    ]


def test_nobody_can_sign_up_on_their_own(client: Client) -> None:
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@person.example",
            "password1": "a-long-password-1",
            "password2": "a-long-password-1",
        },
    )
    assert response.status_code == 200
    assert "Staff accounts are made by invitation" in response.content.decode()
    assert not User.objects.filter(email="new@person.example").exists()


def test_emails_are_stored_lower_case_and_unique(db: None) -> None:
    UserFactory(email="Sam.Patel@Trust.example")
    assert User.objects.get().email == "sam.patel@trust.example"
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="SAM.PATEL@TRUST.EXAMPLE")
