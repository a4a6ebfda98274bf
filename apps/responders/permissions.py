"""Predicates about what a user may do. Views and templates ask these; they never
look at roles or django-guardian themselves.

Each asks the user's `Scope` (`apps.responders.scope`): what they hold, directly or
through a team, read once per request. Anything that acts (respond, manage) also needs a
second factor: see `apps.accounts.mfa`.
"""

from __future__ import annotations

from apps.accounts.http import AnyUser
from apps.accounts.mfa import has_second_factor
from apps.accounts.models import User
from apps.organisations.models import Organisation

from .models import PLATFORM_ROLES, Role, RoleName, Team
from .scope import MANAGE_ROLES, RESPOND, VIEW_STAFF_DATA, scope_of


def has_platform_role(user: AnyUser, *roles: RoleName) -> bool:
    return scope_of(user).has_platform_role(*roles)


def can_moderate(user: AnyUser) -> bool:
    """Moderators and platform admins check stories, replies and responses."""
    return has_platform_role(user, RoleName.MODERATOR, RoleName.PLATFORM_ADMIN)


def is_platform_admin(user: AnyUser) -> bool:
    return has_platform_role(user, RoleName.PLATFORM_ADMIN)


def is_staff_member(user: AnyUser) -> bool:
    """Anyone with a role anywhere, or in a team: the people the staff area is for."""
    return bool(scope_of(user).paths()) or can_moderate(user)


_RANK = {RoleName.READER: 1, RoleName.RESPONDER: 2, RoleName.SUPER_USER: 3}
_ROLE_OF = {
    VIEW_STAFF_DATA: RoleName.READER,
    RESPOND: RoleName.RESPONDER,
    MANAGE_ROLES: RoleName.SUPER_USER,
}


def highest_role_at(user: AnyUser, organisation: Organisation) -> RoleName | None:
    """The strongest organisation role the user holds over this node, directly or by team."""
    scope = scope_of(user)
    held = [role for codename, role in _ROLE_OF.items() if scope.covers(codename, organisation)]
    return max(held, key=lambda role: _RANK[role], default=None)


def can_manage(user: AnyUser, organisation: Organisation) -> bool:
    """Super-users of the node or above (with a second factor), and platform admins."""
    if not has_second_factor(user):
        return False
    return is_platform_admin(user) or scope_of(user).covers(MANAGE_ROLES, organisation)


def can_grant(user: AnyUser, role: str, organisation: Organisation | None) -> bool:
    """Platform admins grant anything; a super-user grants up to super-user, in their subtree."""
    if not has_second_factor(user):
        return False
    if is_platform_admin(user):
        return True
    if organisation is None or role not in _RANK:
        return False  # platform roles: platform admins only
    return scope_of(user).covers(MANAGE_ROLES, organisation)


def can_enter_stories(user: AnyUser) -> bool:
    """Moderators, and staff with any role, type in stories told on paper or by phone."""
    return can_moderate(user) or bool(scope_of(user).paths())


def holds_address(user: AnyUser, email: str) -> bool:
    """Whether this account has proved it receives mail at `email` (a verified address,
    compared case-insensitively): an invitation may only be accepted by its addressee."""
    from allauth.account.models import EmailAddress

    if not (user.is_authenticated and user.is_active) or not email:
        return False
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def can_deactivate(actor: AnyUser, person: User) -> bool:
    """Whether `actor` may deactivate (or reactivate) the account of someone who left:
    platform admins anyone but themselves; a super-user (with a second factor) only
    someone whose every role and team lies inside the super-user's own subtrees, and who
    holds no platform role, so one trust never locks out another's staff."""
    return person.pk in deactivatable_among(actor, [person.pk])


def deactivatable_among(actor: AnyUser, people: list[int]) -> set[int]:
    """The ids among `people` that `actor` may deactivate (see `can_deactivate`), in two
    queries whatever their number, for a page listing many."""
    if not has_second_factor(actor) or not isinstance(actor, User):
        return set()
    others = [pk for pk in people if pk != actor.pk]
    if is_platform_admin(actor):
        return set(others)
    held: dict[int, list[str | None]] = {pk: [] for pk in others}
    for pk, role, path in Role.objects.filter(user__in=others).values_list(
        "user", "role", "organisation__path"
    ):
        held[pk].append(None if role in PLATFORM_ROLES else path)
    for pk, path in Team.objects.filter(group__user__in=others).values_list(
        "group__user", "organisation__path"
    ):
        held[pk].append(path)
    managed = scope_of(actor).paths(MANAGE_ROLES)
    return {
        pk
        for pk, paths in held.items()
        if paths
        and all(path is not None and any(path.startswith(m) for m in managed) for path in paths)
    }
