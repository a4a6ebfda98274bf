"""Who may answer, read as staff, or refer one story."""

from __future__ import annotations

from typing import Any

from apps.accounts.mfa import has_second_factor
from apps.responders.permissions import (
    MANAGE_ROLES,
    RESPOND,
    VIEW_STAFF_DATA,
    holds_for_any,
)
from apps.stories.models import Story

from .models import StoryGroupPermission, StoryUserPermission

RESPOND_TO_STORY = "respond_to_story"


def is_referred(user: Any, story: Story) -> bool:
    """An open referral of this story to the user or one of their teams (one query)."""
    if not getattr(user, "is_authenticated", False):
        return False
    cache: dict[int, bool] = user.__dict__.setdefault("_referred", {})
    if story.pk not in cache:
        cache[story.pk] = (
            StoryUserPermission.objects.filter(
                user=user, content_object=story, permission__codename=RESPOND_TO_STORY
            )
            .union(
                StoryGroupPermission.objects.filter(
                    group__user=user, content_object=story, permission__codename=RESPOND_TO_STORY
                )
            )
            .exists()
        )
    return cache[story.pk]


def forget_referrals(user: Any) -> None:
    user.__dict__.pop("_referred", None)


def _services(story: Story) -> list[Any]:
    return list(story.services.all())


def can_view_story_as_staff(user: Any, story: Story) -> bool:
    """Staff-only data of a story: in scope of any of its services, or referred."""
    if not has_second_factor(user) or not story.is_public:
        return False
    return holds_for_any(user, VIEW_STAFF_DATA, _services(story)) or is_referred(user, story)


def can_respond(user: Any, story: Story) -> bool:
    """A standing responder role over one of its services, or a referral of this story."""
    if not has_second_factor(user) or not story.is_public:
        return False
    return holds_for_any(user, RESPOND, _services(story)) or is_referred(user, story)


def can_refer(user: Any, story: Story) -> bool:
    """Super-users over one of the story's services hand it to a person or team."""
    if not has_second_factor(user) or not story.is_public:
        return False
    return holds_for_any(user, MANAGE_ROLES, _services(story))
