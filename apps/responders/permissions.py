"""Predicates about what a user may do. Views and templates ask these; they never
look at roles themselves."""

from __future__ import annotations

from typing import Any

from apps.organisations.models import Organisation

from .models import Role, RoleName


def has_platform_role(user: Any, *roles: RoleName) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
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


def can_enter_stories(user: Any) -> bool:
    """Moderators, and staff with any role, type in stories told on paper or by phone."""
    if can_moderate(user):
        return True
    return (
        bool(getattr(user, "is_authenticated", False))
        and Role.objects.filter(user=user, organisation__isnull=False).exists()
    )


_RANK = {RoleName.READER: 1, RoleName.RESPONDER: 2, RoleName.SUPER_USER: 3}


def highest_role_at(user: Any, organisation: Organisation) -> RoleName | None:
    """The strongest organisation role the user holds at this node or any above it (one query)."""
    if not getattr(user, "is_authenticated", False):
        return None
    paths = [*organisation.ancestor_paths(), organisation.path]
    held = Role.objects.filter(user=user, organisation__path__in=paths).values_list(
        "role", flat=True
    )
    best = max((_RANK[RoleName(r)] for r in held), default=0)
    return next((role for role, rank in _RANK.items() if rank == best), None)


def can_grant(user: Any, role: str, organisation: Organisation | None) -> bool:
    """Platform admins grant anything; a super-user grants up to super-user, in their subtree."""
    if has_platform_role(user, RoleName.PLATFORM_ADMIN):
        return True
    if organisation is None or role not in _RANK:
        return False  # platform roles: platform admins only
    return highest_role_at(user, organisation) == RoleName.SUPER_USER
