"""Staff who leave: super-users (inside their subtree) and platform admins deactivate
them; their past responses keep the name and job title they were published under."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.core.models import AuditEntry
from apps.organisations.models import Organisation
from apps.responders.permissions import can_deactivate
from apps.responses.models import Response
from tests.factories import RoleFactory, StoryFactory, UserFactory, team_of, with_second_factor
from tests.querybudget import QueryBudget

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def deactivate(actor: User, person: User, org: Organisation | None = None) -> int:
    data = {"organisation": org.slug} if org else {}
    url = reverse("staff:deactivate", kwargs={"pk": person.pk})
    return signed_in(actor).post(url, data).status_code


def test_a_super_user_deactivates_someone_who_left_and_their_responses_keep_their_name(
    org: Organisation, super_user: User, responder: User
) -> None:
    story = StoryFactory(services=[org])
    Response.objects.create(
        story=story,
        organisation=org,
        author=responder,
        author_name=responder.display_name,
        author_job_title="Ward manager",
        body="Thank you for telling us.",
        body_html="<p>Thank you for telling us.</p>",
        published_at=timezone.now(),
    )
    session = signed_in(responder)
    assert session.get(reverse("inbox:index")).status_code == 200
    assert deactivate(super_user, responder, org) == 302
    responder.refresh_from_db()
    assert responder.is_active is False
    entry = AuditEntry.objects.get(action="responders.user.deactivated")
    assert (entry.actor, entry.object_id) == (super_user, str(responder.pk))
    # Their open session ends at its next request; they cannot sign in again.
    assert session.get(reverse("inbox:index")).status_code == 302
    # The account's details change later (or are blanked): the response does not.
    User.objects.filter(pk=responder.pk).update(display_name="Former staff", job_title="")
    page = Client().get(story.get_absolute_url()).content.decode()
    assert "Rory Responder" in page
    assert "Ward manager" in page
    assert "Former staff" not in page


def test_the_members_page_marks_them_and_offers_to_bring_them_back(
    org: Organisation, super_user: User, responder: User
) -> None:
    assert deactivate(super_user, responder, org) == 302
    page = signed_in(super_user).get(reverse("staff:members", kwargs={"slug": org.slug}))
    html = page.content.decode()
    assert "Deactivated" in html
    assert reverse("staff:reactivate", kwargs={"pk": responder.pk}) in html
    assert reverse("staff:deactivate", kwargs={"pk": super_user.pk}) not in html  # not oneself
    url = reverse("staff:reactivate", kwargs={"pk": responder.pk})
    assert signed_in(super_user).post(url, {"organisation": org.slug}).status_code == 302
    responder.refresh_from_db()
    assert responder.is_active
    assert AuditEntry.objects.filter(action="responders.user.reactivated").count() == 1


def test_a_super_user_cannot_deactivate_outside_their_subtree(
    org: Organisation,
    other_org: Organisation,
    super_user: User,
    other_org_responder: User,
    moderator: User,
    platform_admin: User,
) -> None:
    both = with_second_factor(UserFactory())
    RoleFactory(user=both, role="responder", organisation=org)
    RoleFactory(user=both, role="reader", organisation=other_org)
    in_other_team = UserFactory()
    RoleFactory(user=in_other_team, role="reader", organisation=org)
    team_of(other_org, in_other_team)
    no_role = UserFactory()
    for person in (other_org_responder, moderator, platform_admin, both, in_other_team, no_role):
        assert deactivate(super_user, person) == 403, person
        person.refresh_from_db()
        assert person.is_active
    assert AuditEntry.objects.filter(action="responders.user.deactivate_refused").count() == 6
    assert not can_deactivate(super_user, super_user)


def test_a_platform_admin_deactivates_anyone_but_themselves(
    platform_admin: User, other_org_responder: User, moderator: User
) -> None:
    assert deactivate(platform_admin, other_org_responder) == 302
    assert deactivate(platform_admin, moderator) == 302
    assert deactivate(platform_admin, platform_admin) == 403
    assert User.objects.filter(is_active=False).count() == 2


def test_others_cannot_deactivate(
    responder: User, reader: User, moderator: User, super_user: User
) -> None:
    for actor in (responder, reader, moderator):
        assert deactivate(actor, super_user) == 403
    assert Client().post(reverse("staff:deactivate", kwargs={"pk": reader.pk})).status_code == 302
    reader.refresh_from_db()
    assert reader.is_active


def test_the_members_page_keeps_its_query_budget(org: Organisation, super_user: User) -> None:
    client = signed_in(super_user)
    budget = QueryBudget("members page", limit=20)
    url = reverse("staff:members", kwargs={"slug": org.slug})
    for size in (2, 12):
        while User.objects.count() < size + 1:
            RoleFactory(user=UserFactory(), role="responder", organisation=org)
        budget.measure(size, lambda: client.get(url))
    budget.assert_flat()
