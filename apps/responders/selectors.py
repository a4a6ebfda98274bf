"""Reads for the staff area: who holds what where, teams, invitations, the audit log."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.accounts.http import AnyUser
from apps.core.models import AuditEntry
from apps.organisations.models import Organisation

from .models import Invitation, Role, Team
from .permissions import is_platform_admin
from .scope import MANAGE_ROLES, VIEW_STAFF_DATA, Node, scope_of, under


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
    return Team.objects.filter(under(paths)).select_related("organisation").order_by("name")


def teams_of(organisation: Organisation) -> list[Team]:
    """Teams under the node, each with its members, in two queries."""
    return list(
        teams_under([organisation.path]).prefetch_related("group__user_set", "roles__organisation")
    )


def teams_managed_by(user: AnyUser) -> QuerySet[Team]:
    return teams_under(scope_of(user).paths(MANAGE_ROLES))


def nodes_in_scope(user: AnyUser) -> list[Node]:
    """Every node the user's staff scope covers, in tree order: the choices of a service
    filter or of where to subscribe."""
    return list(scope_of(user).nodes(VIEW_STAFF_DATA))


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


def my_roles(user: AnyUser) -> QuerySet[Role]:
    """The user's own roles and those of their teams, with where they are held."""
    return (
        Role.objects.filter(Q(user=user) | Q(team__group__user=user))
        .select_related("organisation", "team")
        .order_by("organisation__path", "role")
    )


def with_ancestors(paths: list[str], steplen: int = Organisation.steplen) -> list[str]:
    """The paths and every ancestor of each, without a query."""
    out: set[str] = set()
    for path in paths:
        out.update(path[:i] for i in range(steplen, len(path) + 1, steplen))
    return sorted(out)


def managed_paths(user: AnyUser, under_node: Organisation | None = None) -> list[str] | None:
    """The subtrees whose keys, kiosks and links the user manages: None for everything (a
    platform admin without `under_node`); `under_node` narrows to one node the caller has
    checked they manage."""
    if under_node is not None:
        return [under_node.path]
    if is_platform_admin(user):
        return None
    return scope_of(user).paths(MANAGE_ROLES)


def managed_nodes(paths: list[str] | None, *, active_only: bool = False) -> QuerySet[Organisation]:
    """Where something may be made for those subtrees, in tree order; for a platform admin
    looking at everything, the top-level organisations (they narrow to one to go deeper)."""
    nodes = Organisation.objects.only("pk", "name", "slug", "path", "depth")
    if active_only:
        nodes = nodes.filter(is_active=True)
    if paths is None:
        return nodes.filter(depth=1).order_by("name", "pk")
    return nodes.filter(under(paths, "path")).order_by("path")
