"""The inbox's copies of story links (`InboxLink`) are kept by the database's triggers,
whoever writes the tables they copy: after every kind of write they equal what the
source tables say, worked out here again in Python."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import Min
from django.utils import timezone

from apps.organisations.models import Organisation
from apps.responses.models import InboxLink, Response, ResponseStatus
from apps.stories.models import Story, StoryService, StoryStatus
from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db


def node(org: Organisation, depth: int) -> Organisation:
    return Organisation.objects.filter(path__startswith=org.path, depth=depth).first()  # type: ignore[return-value]


def expected() -> dict[int, tuple[Any, ...]]:
    """Each link's copy as the source tables say it should be."""
    rows = {}
    for link in StoryService.objects.select_related("story", "organisation"):
        story = link.story
        answered = Response.objects.filter(story=story, status=ResponseStatus.PUBLISHED).aggregate(
            first=Min("published_at")
        )["first"]
        trusts = {
            Organisation.objects.get(path=other.organisation.path[: Organisation.steplen])
            for other in StoryService.objects.filter(story=story).select_related("organisation")
        }
        target = min(trust.response_target_working_days for trust in trusts)
        # The story's link before this one by path (bytewise), then by link.
        order = sorted(
            (other.organisation.path.encode(), other.pk, other.organisation.path)
            for other in StoryService.objects.filter(story=story).select_related("organisation")
        )
        at = [key[1] for key in order].index(link.pk)
        rows[link.pk] = (
            story.pk,
            link.organisation.path,
            story.status,
            story.published_at,
            story.criticality,
            answered,
            target,
            order[at - 1][2] if at else "",
        )
    return rows


def copies() -> dict[int, tuple[Any, ...]]:
    return {
        row.link_id: (
            row.story_id,
            row.path,
            row.status,
            row.published_at,
            row.criticality,
            row.answered_at,
            row.target_days,
            row.prev_path,
        )
        for row in InboxLink.objects.all()
    }


def assert_kept() -> None:
    assert copies() == expected()


def respond(story: Story, at: dt.datetime, status: str = ResponseStatus.PUBLISHED) -> Response:
    return Response.objects.create(
        story=story,
        organisation=story.services.first(),
        body="Thank you for telling us.",
        body_html="<p>Thank you for telling us.</p>",
        status=status,
        published_at=at if status == ResponseStatus.PUBLISHED else None,
    )


def test_a_storys_copies_follow_its_responses(org: Organisation) -> None:
    story = StoryFactory(services=[node(org, 3)])
    assert_kept()
    assert InboxLink.objects.get(story=story).answered_at is None
    now = timezone.now()
    held = respond(story, now, ResponseStatus.AWAITING_MODERATION)
    assert InboxLink.objects.get(story=story).answered_at is None  # not an answer yet
    held.status = ResponseStatus.PUBLISHED
    held.published_at = now
    held.save()
    earlier = respond(story, now - dt.timedelta(hours=1))
    assert InboxLink.objects.get(story=story).answered_at == earlier.published_at
    assert_kept()
    Response.objects.filter(pk=earlier.pk).update(status=ResponseStatus.HIDDEN)
    assert InboxLink.objects.get(story=story).answered_at == held.published_at
    held.status = ResponseStatus.WITHDRAWN
    held.save()
    assert InboxLink.objects.get(story=story).answered_at is None
    assert_kept()
    Response.objects.filter(pk=earlier.pk).update(status=ResponseStatus.PUBLISHED)
    Response.objects.filter(pk=earlier.pk).delete()
    assert InboxLink.objects.get(story=story).answered_at is None
    assert_kept()


def test_a_storys_copies_follow_the_story(org: Organisation) -> None:
    story = StoryFactory(
        services=[node(org, 3)], status=StoryStatus.AWAITING_MODERATION, published_at=None
    )
    assert InboxLink.objects.get(story=story).status == StoryStatus.AWAITING_MODERATION
    story.status = StoryStatus.PUBLISHED
    story.published_at = timezone.now()
    story.criticality = 4
    story.save()
    assert InboxLink.objects.get(story=story).criticality == 4
    assert_kept()
    Story.objects.filter(pk=story.pk).update(status=StoryStatus.WITHDRAWN)
    assert InboxLink.objects.get(story=story).status == StoryStatus.WITHDRAWN
    assert_kept()
    story.delete()
    assert not InboxLink.objects.exists()


def test_the_target_is_the_shortest_of_the_storys_trusts(
    org: Organisation, other_org: Organisation
) -> None:
    Organisation.objects.filter(pk=org.pk).update(response_target_working_days=10)
    Organisation.objects.filter(pk=other_org.pk).update(response_target_working_days=3)
    story = StoryFactory(services=[node(org, 3)])
    assert {row.target_days for row in InboxLink.objects.filter(story=story)} == {10}
    elsewhere = StoryService.objects.create(
        story=story, organisation=node(other_org, 3), position=1
    )
    assert {row.target_days for row in InboxLink.objects.filter(story=story)} == {3}
    assert_kept()
    Organisation.objects.filter(pk=other_org.pk).update(response_target_working_days=1)
    assert {row.target_days for row in InboxLink.objects.filter(story=story)} == {1}
    elsewhere.delete()
    assert {row.target_days for row in InboxLink.objects.filter(story=story)} == {10}
    assert_kept()
    # A link pointed at another node follows it.
    link = StoryService.objects.get(story=story)
    link.organisation = node(other_org, 3)
    link.save()
    assert InboxLink.objects.get(story=story).path == node(other_org, 3).path
    assert_kept()


def test_a_node_moved_to_another_trust_takes_its_copies_with_it(
    org: Organisation, other_org: Organisation
) -> None:
    Organisation.objects.filter(pk=org.pk).update(response_target_working_days=10)
    Organisation.objects.filter(pk=other_org.pk).update(response_target_working_days=3)
    directorate = node(org, 2)
    below = Organisation.objects.filter(path__startswith=directorate.path, depth=3).first()
    assert below is not None
    stories = [StoryFactory(services=[directorate]), StoryFactory(services=[below])]
    Organisation.objects.move(directorate, other_org, pos="last-child")
    moved = Organisation.objects.get(pk=directorate.pk)
    assert moved.path.startswith(other_org.path)
    for story in stories:
        row = InboxLink.objects.get(story=story)
        assert row.path.startswith(moved.path)
        assert row.target_days == 3
    assert_kept()


def test_each_copy_knows_its_storys_link_before_it_by_path(
    org: Organisation, other_org: Organisation
) -> None:
    first, second = node(org, 2), node(org, 3)
    elsewhere = node(other_org, 3)
    # Named in an order that is not the tree's: the copies follow the paths.
    story = StoryFactory(services=[second, elsewhere, first])
    prev = {row.path: row.prev_path for row in InboxLink.objects.filter(story=story)}
    in_order = sorted(prev)
    assert [prev[path] for path in in_order] == ["", *in_order[:-1]]
    assert_kept()
    # A link removed, one added, and a node moved under another trust reorder them.
    StoryService.objects.filter(story=story, organisation=first).delete()
    assert_kept()
    StoryService.objects.create(story=story, organisation=org, position=3)
    assert_kept()
    Organisation.objects.move(second, other_org, pos="first-child")
    assert_kept()
    assert InboxLink.objects.filter(story=story, prev_path="").count() == 1
