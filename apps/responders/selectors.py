"""Reads for the staff area: who holds what where, teams, invitations, the audit log."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.core.models import AuditEntry
from apps.organisations.models import Organisation

from .models import (
    Invitation,
    OrganisationGroupPermission,
    OrganisationUserPermission,
    Role,
    Team,
)
from .permissions import MANAGE_ROLES, scope_paths


def _subtree(organisation: Organisation, field: str = "organisation__path") -> Q:
    return Q(**{f"{field}__startswith": organisation.path})


def members_of(organisation: Organisation) -> QuerySet[Role]:
    """Every role held at the node or beneath it, with the holder's last sign-in and whether
    they have set up a second factor, in tree order."""
    return (
        Role.objects.filter(_subtree(organisation))
        .select_related("user", "team", "organisation", "granted_by")
        .annotate(
            has_second_factor=Exists(
                Authenticator.objects.filter(user=OuterRef("user"), type=Authenticator.Type.TOTP)
            )
        )
        .order_by("organisation__path", "user__display_name", "team__name", "role")
    )


def roles_above(organisation: Organisation) -> QuerySet[Role]:
    """Roles at the nodes above, which also cover this one."""
    return (
        Role.objects.filter(organisation__path__in=organisation.ancestor_paths())
        .select_related("user", "team", "organisation")
        .order_by("organisation__path", "role")
    )


def teams_under(paths: list[str]) -> QuerySet[Team]:
    if not paths:
        return Team.objects.none()
    condition = Q()
    for path in paths:
        condition |= Q(organisation__path__startswith=path)
    return Team.objects.filter(condition).select_related("organisation").order_by("name")


def teams_of(organisation: Organisation) -> list[Team]:
    """Teams under the node, each with its members, in two queries."""
    return list(
        teams_under([organisation.path]).prefetch_related("group__user_set", "roles__organisation")
    )


def teams_managed_by(user: Any) -> QuerySet[Team]:
    return teams_under(scope_paths(user, MANAGE_ROLES))


def invitations_of(organisation: Organisation) -> QuerySet[Invitation]:
    """Invitations to the node or beneath it, open ones first."""
    return (
        Invitation.objects.filter(_subtree(organisation))
        .select_related("organisation", "invited_by", "accepted_by")
        .order_by("accepted_at", "-created_at")
    )


def nodes_under(organisation: Organisation) -> QuerySet[Organisation]:
    """The node and its subtree in tree order, for choosing where a role or invitation goes."""
    return (
        Organisation.objects.filter(path__startswith=organisation.path)
        .only("pk", "name", "slug", "path", "depth")
        .order_by("path")
    )


def audit_log(organisation: Organisation) -> QuerySet[AuditEntry]:
    """What was done, or refused, in the node's subtree, newest first."""
    return AuditEntry.objects.filter(
        organisation_path__startswith=organisation.path
    ).select_related("actor")


def my_roles(user: Any) -> QuerySet[Role]:
    """The user's own roles and those of their teams, with where they are held."""
    return (
        Role.objects.filter(Q(user=user) | Q(team__group__user=user))
        .select_related("organisation", "team")
        .order_by("organisation__path", "role")
    )


def holders_over(paths: list[str], codename: str) -> dict[int, list[str]]:
    """Who holds this permission at any of these exact nodes (pass a node's path with its
    ancestors' to ask "whose scope covers it"), directly or through a team, and at which
    paths: one query, for fan-out and reminders."""
    if not paths:
        return {}
    direct = OrganisationUserPermission.objects.filter(
        permission__codename=codename, content_object__path__in=paths, user__is_active=True
    ).values_list("user_id", "content_object__path")
    via_team = OrganisationGroupPermission.objects.filter(
        permission__codename=codename, content_object__path__in=paths, group__user__is_active=True
    ).values_list("group__user__id", "content_object__path")
    held: dict[int, list[str]] = {}
    for user_id, path in direct.union(via_team):
        held.setdefault(user_id, []).append(path)
    return held


def with_ancestors(paths: list[str], steplen: int = Organisation.steplen) -> list[str]:
    """The paths and every ancestor of each, without a query."""
    out: set[str] = set()
    for path in paths:
        out.update(path[:i] for i in range(steplen, len(path) + 1, steplen))
    return sorted(out)
