"""Accepting an invitation with a new account: the service makes the account and the role
together; the page signs the person in and welcomes them."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from apps.accounts.services import account_create_verified
from apps.organisations.models import Organisation
from apps.responders.invitations import invitation_accept_new_account
from apps.responders.models import Invitation, Role
from apps.responders.services import role_revoke
from tests.factories import invite

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-enough-passphrase"


def test_account_create_verified_proves_the_address(db: None) -> None:
    user = account_create_verified(
        email="sam@trust.example", password=PASSWORD, display_name="Sam", job_title="Nurse"
    )
    assert user.check_password(PASSWORD)
    assert (user.display_name, user.job_title) == ("Sam", "Nurse")
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("sam@trust.example", True, True)


def test_accepting_with_a_new_account_makes_it_with_the_role(org: Organisation) -> None:
    token = invite(org)
    user = invitation_accept_new_account(
        token=token, password=PASSWORD, display_name="Nia Evans", job_title="Staff nurse"
    )
    assert user.email == "new@staff.example"
    assert EmailAddress.objects.get(user=user).verified
    assert Role.objects.get(user=user).organisation == org
    assert Invitation.objects.get().accepted_by == user


def test_no_account_is_left_without_its_role(org: Organisation, platform_admin: User) -> None:
    token = invite(org)
    inviter = Invitation.objects.get().invited_by
    role_revoke(revoker=platform_admin, grant=Role.objects.get(user=inviter))
    with pytest.raises(PermissionDenied):
        invitation_accept_new_account(
            token=token, password=PASSWORD, display_name="Nia", job_title=""
        )
    assert not User.objects.filter(email="new@staff.example").exists()
    assert not EmailAddress.objects.filter(email="new@staff.example").exists()


def test_the_page_signs_in_the_new_account_fresh_and_welcomes_them(org: Organisation) -> None:
    token = invite(org)
    client = Client()
    response = client.post(
        reverse("staff:accept", kwargs={"token": token}),
        {
            "display_name": "Nia Evans",
            "job_title": "Staff nurse",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        follow=True,
    )
    user = User.objects.get(email="new@staff.example")
    assert client.session["_auth_user_id"] == str(user.pk)
    # Recorded as a fresh password sign-in, so setting up the second factor next does
    # not ask for the password again.
    assert client.session.get("account_authentication_methods")
    assert "Welcome. You are now responder" in response.content.decode()
