"""The named moderation services, and the one URL per decision that calls each."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.accounts.models import User
from apps.core.models import AuditEntry
from apps.organisations.models import Organisation
from apps.stories import moderation
from apps.stories.models import ModerationDecision, Story, StoryStatus
from apps.stories.moderation import StoryEdits
from tests.factories import UserFactory

from .test_moderation import decide, signed_in, waiting

pytestmark = pytest.mark.django_db


def held(org: Organisation, moderator: User, **kwargs: Any) -> Story:
    """A waiting story this moderator has open."""
    story = waiting(org, **kwargs)
    assert moderation.story_lock(story_id=story.pk, moderator=moderator).held
    return story


def edits(story: Story, **changes: Any) -> StoryEdits:
    return StoryEdits(**{"title": story.title, "body": story.body, "criticality": 1, **changes})


# --- the services ----------------------------------------------------------------------


def test_story_publish_publishes_records_and_tells_the_author(
    org: Organisation, moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    story = held(org, moderator, author_email="me@home.example")
    with django_capture_on_commit_callbacks(execute=True):
        done = moderation.story_publish(story_id=story.pk, moderator=moderator, edits=edits(story))
    done.refresh_from_db()
    assert (done.status, done.criticality, done.locked_by) == ("published", 1, None)
    assert done.published_at is not None
    assert ModerationDecision.objects.get().action == ModerationDecision.Action.PUBLISHED
    assert AuditEntry.objects.filter(action="stories.story.published").count() == 1
    assert [m.to for m in mail.outbox] == [["me@home.example"]]


def test_story_publish_needs_a_criticality(org: Organisation, moderator: User) -> None:
    story = held(org, moderator)
    with pytest.raises(ValidationError) as caught:
        moderation.story_publish(
            story_id=story.pk, moderator=moderator, edits=edits(story, criticality=None)
        )
    assert "criticality" in caught.value.message_dict
    assert Story.objects.get(pk=story.pk).status == StoryStatus.AWAITING_MODERATION


def test_story_ask_author_keeps_the_edit_and_waits_for_the_author(
    org: Organisation, moderator: User
) -> None:
    story = held(org, moderator, body="The nurse called Bethany was rude.")
    moderation.story_ask_author(
        story_id=story.pk, moderator=moderator, edits=edits(story, body="A nurse was rude.")
    )
    story.refresh_from_db()
    assert (story.status, story.body, story.locked_by) == (
        "awaiting_author",
        "A nurse was rude.",
        None,
    )
    assert list(story.revisions.values_list("number", flat=True).order_by("number")) == [0, 1]
    assert ModerationDecision.objects.get().action == ModerationDecision.Action.ASKED_AUTHOR


def test_story_reject_needs_a_reason_and_a_note_for_other(
    org: Organisation, moderator: User
) -> None:
    story = held(org, moderator)
    reject = moderation.story_reject
    with pytest.raises(ValidationError, match="Choose why"):
        reject(story_id=story.pk, moderator=moderator, edits=edits(story), reason="")
    with pytest.raises(ValidationError, match="Explain the reason"):
        reject(story_id=story.pk, moderator=moderator, edits=edits(story), reason="other")
    reject(
        story_id=story.pk, moderator=moderator, edits=edits(story), reason="other", note=" Why. "
    )
    story.refresh_from_db()
    assert (story.status, story.rejection_reason, story.rejection_note) == (
        "rejected",
        "other",
        "Why.",
    )
    decision = ModerationDecision.objects.get()
    assert (decision.action, decision.reason, decision.note) == ("rejected", "other", "Why.")


def test_story_save_edits_keeps_the_story_waiting_and_held(
    org: Organisation, moderator: User
) -> None:
    story = held(org, moderator)
    moderation.story_save_edits(
        story_id=story.pk,
        moderator=moderator,
        edits=edits(story, title="A new title", moderator_note=" for staff "),
    )
    story.refresh_from_db()
    assert (story.status, story.title, story.moderator_note) == (
        "awaiting_moderation",
        "A new title",
        "for staff",
    )
    assert story.locked_by == moderator
    assert not ModerationDecision.objects.exists()
    entry = AuditEntry.objects.get(action="stories.story.edited")
    assert entry.details["edited"] is True


@pytest.mark.parametrize(
    "service",
    [
        moderation.story_publish,
        moderation.story_ask_author,
        moderation.story_save_edits,
    ],
)
def test_every_service_needs_the_hold_and_an_undecided_story(
    org: Organisation, moderator: User, service: Any
) -> None:
    story = waiting(org)
    with pytest.raises(ValidationError, match="hold on this story has expired"):
        service(story_id=story.pk, moderator=moderator, edits=edits(story))
    moderation.story_lock(story_id=story.pk, moderator=moderator)
    Story.objects.filter(pk=story.pk).update(status=StoryStatus.WITHDRAWN)
    with pytest.raises(ValidationError, match="already been decided"):
        service(story_id=story.pk, moderator=moderator, edits=edits(story))
    with pytest.raises(PermissionDenied):
        service(story_id=story.pk, moderator=UserFactory(), edits=edits(story))


# --- one URL per decision ------------------------------------------------------------

URLS = ("story_publish", "story_ask_author", "story_reject", "story_save")


def test_each_button_posts_the_one_form_to_its_own_url(org: Organisation, moderator: User) -> None:
    story = waiting(org)
    page = signed_in(moderator).get(reverse("moderation:story", kwargs={"pk": story.pk}))
    html = page.content.decode()
    assert html.count('<form method="post"') == 1
    for name in URLS:
        assert f'formaction="{reverse(f"moderation:{name}", kwargs={"pk": story.pk})}"' in html
    assert 'name="action"' not in html


@pytest.mark.parametrize(
    ("action", "fields", "status", "decisions"),
    [
        ("publish", {}, "published", ["published"]),
        ("ask_author", {}, "awaiting_author", ["asked_author"]),
        ("reject", {"reason": "legal"}, "rejected", ["rejected"]),
        ("save", {"reason": "legal"}, "awaiting_moderation", []),
    ],
)
def test_each_decision_url_does_its_one_thing(
    org: Organisation,
    moderator: User,
    action: str,
    fields: dict[str, str],
    status: str,
    decisions: list[str],
) -> None:
    story = waiting(org)
    client = signed_in(moderator)
    client.get(reverse("moderation:story", kwargs={"pk": story.pk}))
    data = {"title": story.title, "body": story.body, "criticality": "1", **fields}
    # An old-style "action" field is ignored: the URL decides.
    url = reverse(f"moderation:story_{action}", kwargs={"pk": story.pk})
    response = client.post(url, {**data, "action": "publish"})
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == status
    assert list(ModerationDecision.objects.values_list("action", flat=True)) == decisions


def test_an_unknown_decision_cannot_be_posted(org: Organisation, moderator: User) -> None:
    story = waiting(org)
    client = signed_in(moderator)
    page = reverse("moderation:story", kwargs={"pk": story.pk})
    client.get(page)
    data = {"title": story.title, "body": story.body, "criticality": "1", "action": "publish"}
    assert client.post(page, data).status_code == 405
    assert client.post(page + "frobnicate/", data).status_code == 404
    for name in URLS:
        assert client.get(reverse(f"moderation:{name}", kwargs={"pk": story.pk})).status_code == 405
    story.refresh_from_db()
    assert story.status == StoryStatus.AWAITING_MODERATION
    assert not AuditEntry.objects.filter(action__startswith="stories.story.").exists()


def test_a_decision_url_without_the_hold_changes_nothing(
    org: Organisation, moderator: User
) -> None:
    from apps.responders.models import RoleName
    from tests.factories import RoleFactory, with_second_factor

    other = with_second_factor(UserFactory(display_name="Other Moderator"))
    RoleFactory(user=other, role=RoleName.MODERATOR, organisation=None)
    story = held(org, other)
    response = decide(signed_in(moderator), story, "publish")
    assert response.status_code == 200
    assert "is moderating this story until" in response.content.decode()
    story.refresh_from_db()
    assert story.status == StoryStatus.AWAITING_MODERATION


def test_a_refused_decision_lists_the_problem_at_the_top_linking_to_its_field(
    org: Organisation, moderator: User
) -> None:
    """Criticality sits far down the page: the summary at the top names it and links there."""
    story = waiting(org)
    client = signed_in(moderator)
    client.get(reverse("moderation:story", kwargs={"pk": story.pk}))
    url = reverse("moderation:story_publish", kwargs={"pk": story.pk})
    html = client.post(url, {"title": story.title, "body": story.body}).content.decode()
    summary = html[
        html.index('class="error-summary"') : html.index(
            "</div>", html.index('class="error-summary"')
        )
    ]
    assert "Set the criticality before publishing." in summary
    assert 'href="#id_criticality_0"' in summary
    assert Story.objects.get(pk=story.pk).status == StoryStatus.AWAITING_MODERATION
