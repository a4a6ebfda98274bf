"""Who sees the figures of every part beneath a node (the figures are public; the
breakdown is a working view for the organisation's own staff)."""

from __future__ import annotations

from apps.accounts.http import AnyUser
from apps.organisations.models import Organisation
from apps.responders.permissions import VIEW_STAFF_DATA, is_platform_admin, scope_paths


def can_see_parts(user: AnyUser, organisation: Organisation) -> bool:
    """Staff with any role inside the node's top-level organisation, and platform admins."""
    root = organisation.root_path
    if any(path.startswith(root) for path in scope_paths(user, VIEW_STAFF_DATA)):
        return True
    return is_platform_admin(user)


def is_own_part(user: AnyUser, organisation: Organisation) -> bool:
    """The node lies inside the viewer's own scope ("your part")."""
    return any(organisation.path.startswith(path) for path in scope_paths(user, VIEW_STAFF_DATA))
