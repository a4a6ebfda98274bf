"""Who may record and update changes, and who sees the staff view of the register."""

from __future__ import annotations

from apps.accounts.http import AnyUser
from apps.accounts.mfa import has_second_factor
from apps.organisations.models import Organisation
from apps.responders.permissions import is_platform_admin
from apps.responders.scope import RESPOND, VIEW_STAFF_DATA, scope_of
from apps.stories.models import Story

from .models import Change


def can_record_for(user: AnyUser, organisation: Organisation) -> bool:
    """Responders and super-users over the node, with a second factor. A referral gives
    one story to answer, not the right to commit a service to a change."""
    return has_second_factor(user) and scope_of(user).covers(RESPOND, organisation)


def can_record_on(user: AnyUser, story: Story) -> bool:
    """A standing responder role over one of the published story's services."""
    return (
        has_second_factor(user)
        and story.is_public
        and scope_of(user).covers_any(RESPOND, story.services.all())
    )


def can_update(user: AnyUser, change: Change) -> bool:
    return can_record_for(user, change.organisation)


def is_staff_over(user: AnyUser, organisation: Organisation) -> bool:
    """Staff of the node (or above it) see overdue changes and may export the register;
    so do platform admins. Nothing here is secret; it is the staff view of public rows."""
    return has_second_factor(user) and (
        scope_of(user).covers(VIEW_STAFF_DATA, organisation) or is_platform_admin(user)
    )
