"""Who may answer, read as staff, or refer one story."""

from __future__ import annotations

from apps.accounts.http import AnyUser
from apps.accounts.mfa import has_second_factor
from apps.organisations.models import Organisation
from apps.responders.scope import MANAGE_ROLES, RESPOND, VIEW_STAFF_DATA, Grants, scope_of
from apps.stories.models import ANSWERABLE_STATUSES, STAFF_VISIBLE_STATUSES, Story

from .models import StoryGroupPermission, StoryUserPermission

RESPOND_TO_STORY = "respond_to_story"
# A referral is this permission on the story, for a person or a team's group.
REFERRALS = Grants(StoryUserPermission, StoryGroupPermission)


def is_referred(user: AnyUser, story: Story) -> bool:
    """An open referral of this story to the user or one of their teams (one query,
    remembered on the request's Scope)."""
    return scope_of(user).holds_object(REFERRALS, RESPOND_TO_STORY, story)


def _services(story: Story) -> list[Organisation]:
    return list(story.services.all())


def can_view_story_as_staff(user: AnyUser, story: Story) -> bool:
    """Staff-only data of a story: in scope of any of its services, or referred. Also
    while it is held for the right of reply, and once restricted."""
    if not has_second_factor(user) or story.status not in STAFF_VISIBLE_STATUSES:
        return False
    return scope_of(user).covers_any(VIEW_STAFF_DATA, _services(story)) or is_referred(user, story)


def can_respond(user: AnyUser, story: Story) -> bool:
    """A standing responder role over one of its services, or a referral of this story;
    while it is published or held for the right of reply (not once restricted)."""
    if not has_second_factor(user) or story.status not in ANSWERABLE_STATUSES:
        return False
    return scope_of(user).covers_any(RESPOND, _services(story)) or is_referred(user, story)


def can_refer(user: AnyUser, story: Story) -> bool:
    """Super-users over one of the story's services hand it to a person or team (during
    its right-of-reply hold too)."""
    if not has_second_factor(user) or story.status not in ANSWERABLE_STATUSES:
        return False
    return scope_of(user).covers_any(MANAGE_ROLES, _services(story))
