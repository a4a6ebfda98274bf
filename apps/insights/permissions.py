"""Who sees the figures of every part beneath a node (the figures are public; the
breakdown is a working view for the organisation's own staff)."""

from __future__ import annotations

from apps.accounts.http import AnyUser
from apps.organisations.models import Organisation
from apps.responders.permissions import can_moderate, is_platform_admin
from apps.responders.scope import VIEW_STAFF_DATA, scope_of


def can_see_parts(user: AnyUser, organisation: Organisation) -> bool:
    """Staff with any role inside the node's top-level organisation, and platform admins."""
    if scope_of(user).holds_inside(VIEW_STAFF_DATA, organisation.root_path):
        return True
    return is_platform_admin(user)


def is_own_part(user: AnyUser, organisation: Organisation) -> bool:
    """The node lies inside the viewer's own scope ("your part")."""
    return scope_of(user).covers(VIEW_STAFF_DATA, organisation)


def can_see_staff_insight(user: AnyUser, organisation: Organisation) -> bool:
    """The staff insight (criticality, share critical) of a node: staff whose role covers
    it, and moderators and platform admins, who see criticality everywhere."""
    return scope_of(user).covers(VIEW_STAFF_DATA, organisation) or can_moderate(user)
