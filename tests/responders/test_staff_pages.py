"""The super-user pages: members, invitations (one and CSV), teams and the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from apps.core.models import AuditEntry
from apps.organisations.models import Organisation
from apps.responders.models import Invitation, Role, Team
from tests.factories import RoleFactory, UserFactory, with_second_factor
from tests.querybudget import QueryBudget

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, org: Organisation) -> str:
    return reverse(f"staff:{name}", kwargs={"slug": org.slug})


def site(org: Organisation) -> Organisation:
    return Organisation.objects.get(path__startswith=org.path, depth=2)


def test_members_shows_who_holds_what_where(org: Organisation, super_user: User) -> None:
    nurse = UserFactory(display_name="Nia Evans", email="nia@staff.example")
    RoleFactory(user=nurse, role="responder", organisation=site(org))
    signed_in(nurse)  # signs in once: a last sign-in to show
    User.objects.filter(pk=nurse.pk).update(last_login="2026-11-20T09:30:00Z")
    page = signed_in(super_user).get(url("members", org)).content.decode()
    assert "Nia Evans" in page
    assert "nia@staff.example" in page
    assert "20 Nov 2026" in page
    assert "Not set up" in page  # Nia has no second factor yet
    assert "Sasha Super" in page


def test_granting_and_removing_a_role_from_the_members_page(
    org: Organisation, super_user: User
) -> None:
    person = UserFactory(email="ann@staff.example")
    client = signed_in(super_user)
    response = client.post(
        url("members", org),
        {"email": "Ann@staff.example", "role": "responder", "node": str(site(org).pk)},
    )
    assert response.status_code == 302
    grant = Role.objects.get(user=person)
    assert (grant.role, grant.organisation) == ("responder", site(org))
    client.post(reverse("staff:revoke_role", kwargs={"pk": grant.pk}))
    assert not Role.objects.filter(user=person).exists()
    actions = set(AuditEntry.objects.filter(actor=super_user).values_list("action", flat=True))
    assert actions == {"responders.role.granted", "responders.role.revoked"}


def test_a_bad_grant_is_explained_beside_its_field(
    org: Organisation, other_org: Organisation, super_user: User
) -> None:
    response = signed_in(super_user).post(
        url("members", org),
        {"email": "nobody@staff.example", "role": "moderator", "node": str(other_org.pk)},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "invite them instead" in errors["email"][0]
    assert "role" in errors
    assert "node" in errors
    assert Role.objects.filter(organisation=other_org).count() == 0


def test_a_super_user_of_one_trust_cannot_open_another_trusts_pages(
    org: Organisation, other_org: Organisation, super_user: User
) -> None:
    client = signed_in(super_user)
    for name in ("members", "invitations", "invitations_upload", "teams", "audit"):
        assert client.get(url(name, other_org)).status_code == 403, name
    refused = AuditEntry.objects.filter(actor=super_user, action="responders.staff_page.refused")
    assert refused.count() == 5
    assert {e.organisation_path for e in refused} == {other_org.path}
    assert {e.details["page"] for e in refused} == {
        "staff:members",
        "staff:invitations",
        "staff:invitations_upload",
        "staff:teams",
        "staff:audit",
    }


def test_granting_in_another_trust_by_changing_the_url_is_refused_and_audited(
    org: Organisation, other_org: Organisation, super_user: User
) -> None:
    target = UserFactory(email="x@staff.example")
    response = signed_in(super_user).post(
        url("members", other_org),
        {"email": target.email, "role": "reader", "node": str(other_org.pk)},
    )
    assert response.status_code == 403
    assert not Role.objects.filter(user=target).exists()
    assert AuditEntry.objects.filter(
        actor=super_user, action="responders.staff_page.refused"
    ).exists()


def test_another_trusts_team_by_id_is_refused(
    org: Organisation, other_org: Organisation, super_user: User, platform_admin: User
) -> None:
    from apps.responders.teams import team_create

    theirs = team_create(actor=platform_admin, organisation=other_org, name="Their team")
    assert (
        signed_in(super_user).get(reverse("staff:team", kwargs={"pk": theirs.pk})).status_code
        == 403
    )
    assert AuditEntry.objects.filter(actor=super_user, organisation_path=other_org.path).exists()


def test_inviting_one_person_from_the_page(
    org: Organisation, super_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(super_user)
    data = {
        "first_name": "Nia",
        "last_name": "Evans",
        "email": "nia@staff.example",
        "job_title": "Ward sister",
        "role": "responder",
        "node": str(site(org).pk),
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url("invitations", org), data).status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.organisation, invitation.role) == (site(org), "responder")
    assert mail.outbox[0].to == ["nia@staff.example"]
    listing = client.get(url("invitations", org)).content.decode()
    assert "Nia Evans" in listing
    assert "Open until" in listing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:invitation_resend", kwargs={"pk": invitation.pk}))
    assert len(mail.outbox) == 2
    client.post(reverse("staff:invitation_revoke", kwargs={"pk": invitation.pk}))
    assert "Revoked" in client.get(url("invitations", org)).content.decode()
    missing = client.post(url("invitations", org), {**data, "email": "not-an-email"})
    assert missing.status_code == 200
    assert "email" in missing.context["form"].errors


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("staff.csv", text.encode(), content_type="text/csv")


def test_a_csv_is_previewed_then_applied_all_or_nothing(
    org: Organisation, super_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(super_user)
    head = "first name,last name,email,job title,role,node\n"
    bad = (
        head + "Ann,Bee,ann@staff.example,Nurse,responder,RNF\nCy,Day,cy@nowhere,Nurse,reader,RNF\n"
    )
    preview = client.post(url("invitations_upload", org), {"file": csv_file(bad)})
    page = preview.content.decode()
    assert "Nothing has been sent" in page
    assert "“cy@nowhere” is not an email address." in page
    assert [row.line for row in preview.context["rows"] if row.error] == [3]
    # Applying the bad text anyway (a crafted form) still sends nothing.
    client.post(url("invitations_upload", org), {"text": bad, "apply": "1"})
    assert not Invitation.objects.exists()
    good = (
        head
        + "Ann,Bee,ann@staff.example,Nurse,responder,RNF\n"
        + "Cy,Day,cy@staff.example,Nurse,reader,RNF\n"
    )
    preview = client.post(url("invitations_upload", org), {"file": csv_file(good)})
    assert "Send 2 invitations" in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url("invitations_upload", org), {"text": good, "apply": "1"})
    assert done.status_code == 302
    assert Invitation.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@staff.example", "cy@staff.example"]


def test_a_csv_that_is_not_text_is_explained(org: Organisation, super_user: User) -> None:
    response = signed_in(super_user).post(
        url("invitations_upload", org),
        {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00bad", content_type="text/csv")},
    )
    assert "not text in UTF-8" in response.content.decode()
    nothing = signed_in(super_user).post(url("invitations_upload", org), {})
    assert "Choose a CSV file." in nothing.content.decode()


def test_forming_a_team_and_its_members(org: Organisation, super_user: User) -> None:
    client = signed_in(super_user)
    made = client.post(url("teams", org), {"name": "  Ward 7   nurses "})
    team = Team.objects.get()
    assert made["Location"] == reverse("staff:team", kwargs={"pk": team.pk})
    assert team.name == "Ward 7 nurses"
    again = client.post(url("teams", org), {"name": "Ward 7 nurses"})
    assert "already has a team called" in again.content.decode()
    nurse = UserFactory(email="nurse@staff.example")
    refused = client.post(reverse("staff:team", kwargs={"pk": team.pk}), {"email": nurse.email})
    assert "Only staff who hold a role" in refused.content.decode()
    RoleFactory(user=nurse, role="reader", organisation=site(org))
    client.post(reverse("staff:team", kwargs={"pk": team.pk}), {"email": nurse.email})
    assert list(team.group.user_set.all()) == [nurse]
    client.post(reverse("staff:team_remove", kwargs={"pk": team.pk, "user_pk": nurse.pk}))
    assert not team.group.user_set.exists()
    assert AuditEntry.objects.filter(action__startswith="responders.team.").count() == 3


def test_the_audit_log_shows_the_subtree_only(
    org: Organisation, other_org: Organisation, super_user: User, platform_admin: User
) -> None:
    from apps.responders.services import role_grant

    role_grant(granter=platform_admin, user=UserFactory(), role="reader", organisation=site(org))
    role_grant(granter=platform_admin, user=UserFactory(), role="reader", organisation=other_org)
    page = signed_in(super_user).get(url("audit", org))
    entries = list(page.context["page"].object_list)
    assert entries
    assert all(e.organisation_path.startswith(org.path) for e in entries)
    assert "responders.role.granted" in page.content.decode()


def test_the_members_page_keeps_its_query_budget(org: Organisation, super_user: User) -> None:
    client = signed_in(super_user)
    budget = QueryBudget("members page", limit=12)
    for _ in range(5):
        RoleFactory(user=with_second_factor(UserFactory()), role="reader", organisation=site(org))
    budget.measure(5, lambda: client.get(url("members", org)))
    for _ in range(60):
        RoleFactory(user=UserFactory(), role="responder", organisation=site(org))
    budget.measure(65, lambda: client.get(url("members", org)))
    budget.assert_flat()
