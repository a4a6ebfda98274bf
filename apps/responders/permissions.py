"""Predicates about what a user may do. Views and templates ask these; they never
look at roles themselves."""

from __future__ import annotations

from typing import Any

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
