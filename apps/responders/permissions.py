"""Predicates about what a user may do. Views and templates ask these; they never
look at roles or django-guardian themselves.

A role at a node is stored as guardian permissions on that node (for a user, or
for a team's group); a node's permissions cover its whole subtree, so the
questions below compare materialised paths. Anything that acts (respond,
manage) also needs a second factor: see `apps.accounts.mfa`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from apps.accounts.mfa import has_second_factor
from apps.organisations.models import Organisation

from .models import (
    OrganisationGroupPermission,
    OrganisationUserPermission,
    Role,
    RoleName,
)

VIEW_STAFF_DATA = "view_staff_data"
RESPOND = "respond"
MANAGE_ROLES = "manage_roles"


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def has_platform_role(user: Any, *roles: RoleName) -> bool:
    if not _signed_in(user):
        return False
    cache = getattr(user, "_platform_roles", None)
    if cache is None:
        cache = set(
            Role.objects.filter(user=user, organisation__isnull=True).values_list("role", flat=True)
        )
        user._platform_roles = cache
    return any(role in cache for role in roles)


def can_moderate(user: Any) -> bool:
    """Moderators and platform admins check stories, replies and responses."""
    return has_platform_role(user, RoleName.MODERATOR, RoleName.PLATFORM_ADMIN)


def is_platform_admin(user: Any) -> bool:
    return has_platform_role(user, RoleName.PLATFORM_ADMIN)


def _covering(paths: Iterable[str]) -> list[str]:
    """The fewest paths that cover the same subtrees (a node under another adds nothing)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def scope_paths(user: Any, codename: str = VIEW_STAFF_DATA) -> list[str]:
    """Paths of the nodes whose subtrees the user holds this permission over, directly or
    through a team: one query, whatever the number of grants, remembered on the user."""
    if not _signed_in(user):
        return []
    cache: dict[str, list[str]] = user.__dict__.setdefault("_scope_paths", {})
    if codename not in cache:
        direct = OrganisationUserPermission.objects.filter(
            user=user, permission__codename=codename
        ).values_list("content_object__path", flat=True)
        via_team = OrganisationGroupPermission.objects.filter(
            group__user=user, permission__codename=codename
        ).values_list("content_object__path", flat=True)
        cache[codename] = _covering(direct.union(via_team))
    return cache[codename]


def forget_scope(user: Any) -> None:
    """Drop what was remembered on this user object after their grants change."""
    user.__dict__.pop("_scope_paths", None)
    user.__dict__.pop("_platform_roles", None)


def holds_at(user: Any, codename: str, organisation: Organisation) -> bool:
    return any(organisation.path.startswith(path) for path in scope_paths(user, codename))


def holds_for_any(user: Any, codename: str, organisations: Iterable[Organisation]) -> bool:
    paths = scope_paths(user, codename)
    return any(org.path.startswith(path) for org in organisations for path in paths)


def is_staff_member(user: Any) -> bool:
    """Anyone with a role anywhere, or in a team: the people the staff area is for."""
    return bool(scope_paths(user)) or can_moderate(user)


_RANK = {RoleName.READER: 1, RoleName.RESPONDER: 2, RoleName.SUPER_USER: 3}
_ROLE_OF = {
    VIEW_STAFF_DATA: RoleName.READER,
    RESPOND: RoleName.RESPONDER,
    MANAGE_ROLES: RoleName.SUPER_USER,
}


def highest_role_at(user: Any, organisation: Organisation) -> RoleName | None:
    """The strongest organisation role the user holds over this node, directly or by team."""
    held = [role for codename, role in _ROLE_OF.items() if holds_at(user, codename, organisation)]
    return max(held, key=lambda role: _RANK[role], default=None)


def can_manage(user: Any, organisation: Organisation) -> bool:
    """Super-users of the node or above (with a second factor), and platform admins."""
    if not has_second_factor(user):
        return False
    return is_platform_admin(user) or holds_at(user, MANAGE_ROLES, organisation)


def can_grant(user: Any, role: str, organisation: Organisation | None) -> bool:
    """Platform admins grant anything; a super-user grants up to super-user, in their subtree."""
    if not has_second_factor(user):
        return False
    if is_platform_admin(user):
        return True
    if organisation is None or role not in _RANK:
        return False  # platform roles: platform admins only
    return holds_at(user, MANAGE_ROLES, organisation)


def can_view_staff_data(user: Any, organisations: Iterable[Organisation]) -> bool:
    return has_second_factor(user) and holds_for_any(user, VIEW_STAFF_DATA, organisations)


def can_respond_for(user: Any, organisation: Organisation) -> bool:
    """A standing role of responder or above over this node, with a second factor."""
    return has_second_factor(user) and holds_at(user, RESPOND, organisation)


def can_enter_stories(user: Any) -> bool:
    """Moderators, and staff with any role, type in stories told on paper or by phone."""
    return can_moderate(user) or bool(scope_paths(user))


def holds_address(user: Any, email: str) -> bool:
    """Whether this account has proved it receives mail at `email` (a verified address,
    compared case-insensitively): an invitation may only be accepted by its addressee."""
    from allauth.account.models import EmailAddress

    if not _signed_in(user) or not email:
        return False
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()
