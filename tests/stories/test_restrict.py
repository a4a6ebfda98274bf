"""Restricting a published story at a provider's request: platform admins only, with a
reason and the requesting organisation, audited; the story leaves every feed, search, the
API, the widget and the counts, and its page says who asked and why; lifting it is
audited too."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.core.models import AuditEntry
from apps.organisations.models import Organisation
from apps.responses.models import Response
from apps.stories import restrictions
from apps.stories.models import Story, StoryStatus, StoryTag, Tag
from apps.stories.selectors import story_count_for_organisation
from tests.factories import StoryFactory

from .test_moderation import signed_in

pytestmark = pytest.mark.django_db

BODY = "The porter dropped my father's notes in the corridor and laughed about it."
ANSWER = "We have spoken to the portering team about how notes are carried."
REASON = "it names a member of staff who is the subject of an open investigation"


def service_of(org: Organisation) -> Organisation:
    return Organisation.objects.get(path__startswith=org.path, depth=3)


@pytest.fixture
def story(org: Organisation, responder: User) -> Story:
    """A published story about the trust's service, tagged, with a published response."""
    service = service_of(org)
    story = StoryFactory(services=[service], title="Notes dropped by the porter", body=BODY)
    tag = Tag.objects.get(slug="discharge")
    StoryTag.objects.create(story=story, tag=tag, polarity="improve")
    Response.objects.create(
        story=story,
        organisation=service,
        author=responder,
        author_name=responder.display_name,
        body=ANSWER,
        body_html=f"<p>{ANSWER}</p>",
        published_at=timezone.now(),
    )
    return story


def surfaces(story: Story, org: Organisation) -> dict[str, bool]:
    """Whether the story's title shows on each public surface, for an anonymous visitor."""
    anonymous = Client()
    service = service_of(org)
    pages = {
        "list": reverse("stories:list"),
        "search": reverse("stories:list") + "?q=porter",
        "home": reverse("home"),
        "organisation page": reverse("organisations:detail", kwargs={"slug": org.slug}),
        "organisation feed": reverse("feeds:organisation", kwargs={"slug": org.slug}),
        "service feed": reverse("feeds:service", kwargs={"slug": service.slug}),
        "tag feed": reverse("feeds:tag", kwargs={"slug": "discharge"}),
        "widget": reverse("feeds:widget", kwargs={"slug": org.slug}),
        "service widget": reverse("feeds:widget", kwargs={"slug": service.slug}),
        "api list": reverse("api:stories"),
        "api search": reverse("api:stories") + "?q=porter",
        "api story": reverse("api:story", kwargs={"pk": story.pk}),
        "api responses": reverse("api:story_responses", kwargs={"pk": story.pk}),
    }
    shown = {}
    for name, url in pages.items():
        page = anonymous.get(url)
        text = page.content.decode()
        shown[name] = page.status_code == 200 and (
            story.title in text or (name == "api responses" and ANSWER in text)
        )
    shown["count"] = story_count_for_organisation(org) == 1
    return shown


def restrict(client: Client, story: Story, **fields: Any) -> Any:
    data = {"organisation": fields.pop("organisation", ""), "reason": REASON, **fields}
    return client.post(reverse("moderation:story_restrict", kwargs={"pk": story.pk}), data)


def test_restriction_removes_the_story_from_feeds_search_the_api_and_the_widget(
    org: Organisation, story: Story, platform_admin: User
) -> None:
    before = surfaces(story, org)
    assert all(before.values()), before

    admin = signed_in(platform_admin)
    form = admin.get(reverse("moderation:story_restrict", kwargs={"pk": story.pk}))
    assert form.status_code == 200
    assert "no-store" in form["Cache-Control"]
    done = restrict(admin, story, organisation=org.pk)
    assert done.status_code == 302
    story.refresh_from_db()
    assert (story.status, story.restricted_by, story.restriction_reason) == (
        StoryStatus.RESTRICTED,
        org,
        REASON,
    )

    after = surfaces(story, org)
    assert not any(after.values()), after
    # Its page still answers: who asked and why, in place of its text and conversation.
    page = Client().get(reverse("stories:detail", kwargs={"pk": story.pk}))
    assert page.status_code == 200
    text = page.content.decode()
    assert f"This story has been restricted by Northfield because {REASON}" in text
    assert BODY not in text
    assert "porter dropped" not in text
    assert ANSWER not in text
    # Nothing else of it answers in public: "I've experienced this", reports, votes.
    anonymous = Client()
    assert anonymous.post(reverse("stories:me_too", kwargs={"pk": story.pk})).status_code == 404
    assert anonymous.get(reverse("stories:report", kwargs={"pk": story.pk})).status_code == 404
    response = Response.objects.get()
    vote = anonymous.post(reverse("conversation:helpful", kwargs={"pk": response.pk}))
    assert vote.status_code == 404
    # Audited: who, the requesting organisation and why.
    entry = AuditEntry.objects.get(action="stories.story.restricted")
    assert entry.actor == platform_admin
    assert entry.details["reason"] == REASON
    assert entry.details["requested_by"] == "Northfield"
    assert entry.organisation_path == org.path


def test_lifting_a_restriction_publishes_it_again_and_is_audited(
    org: Organisation, story: Story, platform_admin: User
) -> None:
    admin = signed_in(platform_admin)
    restrict(admin, story, organisation=org.pk)
    published_at = Story.objects.get(pk=story.pk).published_at
    page = admin.get(reverse("moderation:story_restrict", kwargs={"pk": story.pk}))
    assert "Lift the restriction" in page.content.decode()
    empty = admin.post(
        reverse("moderation:story_lift_restriction", kwargs={"pk": story.pk}), {"lift_reason": ""}
    )
    assert empty.status_code == 200
    assert "Say why the restriction is lifted." in empty.content.decode()
    assert Story.objects.get(pk=story.pk).status == StoryStatus.RESTRICTED

    lifted = admin.post(
        reverse("moderation:story_lift_restriction", kwargs={"pk": story.pk}),
        {"lift_reason": "The investigation has closed."},
    )
    assert lifted.status_code == 302
    story.refresh_from_db()
    assert (story.status, story.restricted_by, story.restriction_reason, story.published_at) == (
        StoryStatus.PUBLISHED,
        None,
        "",
        published_at,
    )
    assert all(surfaces(story, org).values())
    entry = AuditEntry.objects.get(action="stories.story.restriction_lifted")
    assert entry.actor == platform_admin
    assert entry.details["reason"] == "The investigation has closed."
    assert entry.details["restriction_reason"] == REASON


def test_only_platform_admins_restrict(
    org: Organisation, story: Story, moderator: User, super_user: User
) -> None:
    for person in (moderator, super_user):
        assert restrict(signed_in(person), story, organisation=org.pk).status_code == 403
        with pytest.raises(PermissionDenied):
            restrictions.story_restrict(
                story_id=story.pk, admin=person, organisation=org, reason=REASON
            )
    assert Story.objects.get(pk=story.pk).status == StoryStatus.PUBLISHED
    assert not AuditEntry.objects.filter(action="stories.story.restricted").exists()


def test_restricting_needs_a_reason_and_an_organisation_over_the_story(
    org: Organisation, other_org: Organisation, story: Story, platform_admin: User
) -> None:
    admin = signed_in(platform_admin)
    no_reason = restrict(admin, story, organisation=org.pk, reason="  ")
    assert no_reason.status_code == 200
    assert no_reason.context["form"].errors["reason"]
    elsewhere = restrict(admin, story, organisation=other_org.pk)
    assert elsewhere.status_code == 200
    assert elsewhere.context["form"].errors["organisation"]
    for odd in ("x" * 5000, "\x00", "-1", "9" * 40, "<script>alert(1)</script>"):
        assert restrict(admin, story, organisation=odd, reason=odd).status_code < 500
    assert Story.objects.get(pk=story.pk).status == StoryStatus.PUBLISHED


def test_a_double_submit_restricts_once(
    org: Organisation, story: Story, platform_admin: User
) -> None:
    admin = signed_in(platform_admin)
    assert restrict(admin, story, organisation=org.pk).status_code == 302
    again = restrict(admin, story, organisation=org.pk)
    assert again.status_code == 200
    assert "Only a published story can be restricted." in again.content.decode()
    assert AuditEntry.objects.filter(action="stories.story.restricted").count() == 1


def test_staff_still_read_a_restricted_story_but_cannot_respond(
    org: Organisation, story: Story, platform_admin: User, responder: User
) -> None:
    restrict(signed_in(platform_admin), story, organisation=org.pk)
    page = signed_in(responder).get(reverse("inbox:story", kwargs={"pk": story.pk}))
    assert page.status_code == 200
    assert "restricted by Northfield" in page.content.decode()
    assert not page.context["may_respond"]
    refused = signed_in(responder).post(
        reverse("inbox:post_response", kwargs={"pk": story.pk}),
        {"organisation": service_of(org).pk, "body": "More", "submission_key": ""},
    )
    assert refused.status_code == 403


def test_the_moderation_page_offers_platform_admins_the_restriction(
    story: Story, platform_admin: User, moderator: User
) -> None:
    url = reverse("moderation:story", kwargs={"pk": story.pk})
    link = reverse("moderation:story_restrict", kwargs={"pk": story.pk})
    assert link in signed_in(platform_admin).get(url).content.decode()
    assert link not in signed_in(moderator).get(url).content.decode()
