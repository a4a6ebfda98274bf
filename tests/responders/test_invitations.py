from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.core.models import AuditEntry
from apps.organisations.models import Organisation
from apps.responders.invitations import (
    invitation_accept,
    invitation_create,
    invitation_csv_apply,
    invitation_csv_preview,
    invitation_resend,
    invitation_revoke,
)
from apps.responders.models import Invitation, Role
from apps.responders.services import role_revoke
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def create(inviter: User, organisation: Organisation, **kwargs: Any):  # type: ignore[no-untyped-def]
    fields = {
        "email": "Nia.Evans@Trust.example",
        "first_name": "Nia",
        "last_name": "Evans",
        "job_title": "Staff nurse",
        "role": "responder",
        "organisation": organisation,
    }
    fields.update(kwargs)
    return invitation_create(inviter=inviter, **fields)


def accept_url(token: str) -> str:
    return reverse("staff:accept", kwargs={"token": token})


def test_an_invitation_is_emailed_and_stored_hashed(
    org: Organisation, super_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invited = create(super_user, org)
    invitation = Invitation.objects.get()
    assert invitation.email == "nia.evans@trust.example"
    assert invited.token not in invitation.token_hash
    assert invitation.expires_at - timezone.now() > dt.timedelta(days=6, hours=23)
    message = mail.outbox[0]
    assert message.to == ["nia.evans@trust.example"]
    assert accept_url(invited.token) in message.body
    assert "Sasha Super invited you" in message.subject


def test_the_invitee_sees_who_invited_them_to_what_and_where(
    org: Organisation, super_user: User
) -> None:
    page = Client().get(accept_url(create(super_user, org).token)).content.decode()
    assert "Sasha Super" in page
    assert "responder" in page
    assert "Northfield" in page


def test_accepting_makes_the_account_and_grants_the_role_once(
    org: Organisation, super_user: User
) -> None:
    token = create(super_user, org).token
    client = Client()
    response = client.post(
        accept_url(token),
        {
            "display_name": "Nia Evans",
            "job_title": "Staff nurse",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="nia.evans@trust.example")
    assert Role.objects.get(user=user).organisation == org
    assert user.has_perm("organisations.respond", org)
    assert client.session["_auth_user_id"] == str(user.pk)
    # Used: the same link is refused, with a 403, and audited.
    again = Client().get(accept_url(token))
    assert again.status_code == 403
    assert "not valid" in again.content.decode()
    assert AuditEntry.objects.filter(
        action="responders.invitation.refused", details__problem="used"
    ).exists()


def test_a_bad_new_account_is_explained_beside_its_fields(
    org: Organisation, super_user: User
) -> None:
    token = create(super_user, org).token
    response = Client().post(
        accept_url(token),
        {
            "display_name": "",
            "password1": "short",
            "password2": "different",
        },
    )
    form = response.context["form"]
    assert form.errors["display_name"] == ["This field is required."]
    assert form.errors["password2"] == ["The two passwords are not the same."]
    assert not User.objects.filter(email="nia.evans@trust.example").exists()


def test_an_expired_invitation_is_refused_and_audited(org: Organisation, super_user: User) -> None:
    token = create(super_user, org).token
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client().get(accept_url(token)).status_code == 403
    assert AuditEntry.objects.filter(details__problem="expired").exists()
    with pytest.raises(PermissionDenied):
        invitation_accept(token=token, user=UserFactory())


def test_an_altered_token_is_refused(org: Organisation, super_user: User) -> None:
    token = create(super_user, org).token
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert Client().get(accept_url(altered)).status_code == 403
    refused = AuditEntry.objects.get(action="responders.invitation.refused")
    assert refused.details == {"problem": "unknown"}
    assert token not in str(refused.details)
    assert altered not in str(refused.details)


def test_a_used_invitation_is_refused_and_audited(org: Organisation, super_user: User) -> None:
    token = create(super_user, org).token
    invitation_accept(token=token, user=UserFactory(email="nia.evans@trust.example"))
    assert Client().get(accept_url(token)).status_code == 403
    assert AuditEntry.objects.filter(details__problem="used").exists()


def test_an_invitation_is_refused_to_an_account_of_another_address(
    org: Organisation, super_user: User, other_org_responder: User
) -> None:
    """A forwarded or leaked link gives nothing to whoever is signed in when they open it."""
    token = create(super_user, org, role="super_user").token
    client = Client()
    client.force_login(other_org_responder)
    page = client.get(accept_url(token)).content.decode()
    assert "Accept the invitation" not in page
    assert (
        f"sent to nia.evans@trust.example, but you are signed in as {other_org_responder.email}"
        in page
    )
    response = client.post(accept_url(token))
    assert response.status_code == 403
    assert "sent to another email address" in response.content.decode()
    assert not Role.objects.filter(user=other_org_responder, organisation=org).exists()
    refused = AuditEntry.objects.get(details__problem="other_address")
    assert (refused.actor, refused.action) == (other_org_responder, "responders.invitation.refused")
    # The link still works for the person it was sent to.
    assert Invitation.objects.get().accepted_at is None


def test_an_unverified_matching_address_is_not_enough(org: Organisation, super_user: User) -> None:
    token = create(super_user, org).token
    user = UserFactory(email="nia.evans@trust.example")
    user.emailaddress_set.update(verified=False)
    with pytest.raises(PermissionDenied, match="another email address"):
        invitation_accept(token=token, user=user)
    assert not Role.objects.filter(user=user).exists()


def test_a_signed_in_addressee_accepts_whatever_the_case_of_the_address(
    org: Organisation, super_user: User
) -> None:
    token = create(super_user, org).token
    user = UserFactory(email="NIA.Evans@trust.EXAMPLE")
    client = Client()
    client.force_login(user)
    assert "Accept the invitation" in client.get(accept_url(token)).content.decode()
    assert client.post(accept_url(token)).status_code == 302
    assert Role.objects.get(user=user).organisation == org


def test_inviting_a_platform_admin_is_refused_and_audited(
    org: Organisation, super_user: User
) -> None:
    with pytest.raises(PermissionDenied):
        create(super_user, org, role="platform_admin")
    refused = AuditEntry.objects.get(action="responders.invitation.refused")
    assert (refused.actor, refused.details["role"]) == (super_user, "platform_admin")
    assert not Invitation.objects.exists()


def test_inviting_outside_the_subtree_is_refused_and_audited(
    other_org: Organisation, super_user: User
) -> None:
    with pytest.raises(PermissionDenied):
        create(super_user, other_org)
    refused = AuditEntry.objects.get(action="responders.invitation.refused")
    assert refused.organisation_path == other_org.path
    assert not Invitation.objects.exists()


def test_resend_gives_a_new_link_and_revoke_stops_it(org: Organisation, super_user: User) -> None:
    first = create(super_user, org)
    second = invitation_resend(actor=super_user, invitation=first.invitation)
    assert Client().get(accept_url(first.token)).status_code == 403
    assert Client().get(accept_url(second.token)).status_code == 200
    invitation_revoke(actor=super_user, invitation=second.invitation)
    assert Client().get(accept_url(second.token)).status_code == 403


def test_an_invitation_fails_when_the_inviter_lost_their_rights(
    org: Organisation, super_user: User, platform_admin: User
) -> None:
    token = create(super_user, org).token
    role_revoke(revoker=platform_admin, grant=Role.objects.get(user=super_user))
    with pytest.raises(PermissionDenied, match="can no longer give this role"):
        invitation_accept(token=token, user=UserFactory())


CSV_HEADER = "first name,last name,email,job title,role,node\n"


def test_csv_preview_names_each_bad_row_and_applies_all_or_nothing(
    org: Organisation, other_org: Organisation, super_user: User
) -> None:
    text = CSV_HEADER + (
        "Ann,Lee,ann@trust.example,Matron,responder,RNF\n"
        "Bob,Kay,not-an-email,Porter,reader,RNF\n"
        "Cy,Day,cy@trust.example,Nurse,platform_admin,RNF\n"
        "Di,Ray,di@trust.example,Nurse,reader,RSG\n"
        "Ed,Fox,ed@trust.example,Nurse,reader,NOPE\n"
        "Ann,Lee,ann@trust.example,Matron,reader,RNF\n"
        "too,few\n"
    )
    rows = invitation_csv_preview(inviter=super_user, text=text)
    assert [(row.line, row.error) for row in rows] == [
        (2, ""),
        (3, "“not-an-email” is not an email address."),
        (4, "Role “platform_admin” must be reader, responder or super_user."),
        (5, "You cannot invite a reader at Southgate."),
        (6, "No organisation has the ODS code or address “NOPE”."),
        (7, "ann@trust.example is already invited on line 2."),
        (8, "Expected 6 columns, found 2."),
    ]
    with pytest.raises(ValidationError) as excinfo:
        invitation_csv_apply(inviter=super_user, text=text)
    assert "Line 3: “not-an-email” is not an email address." in excinfo.value.messages
    assert not Invitation.objects.exists()
    good = (
        CSV_HEADER
        + "Ann,Lee,ann@trust.example,Matron,responder,RNF\n"
        + "Bob,Kay,bob@trust.example,Porter,reader,northfield\n"
    )
    invited = invitation_csv_apply(inviter=super_user, text=good)
    assert sorted(i.invitation.email for i in invited) == ["ann@trust.example", "bob@trust.example"]


def test_csv_needs_its_header(org: Organisation, super_user: User) -> None:
    rows = invitation_csv_preview(inviter=super_user, text="name,email\n")
    assert rows[0].error.startswith("The first line must be the column names")
