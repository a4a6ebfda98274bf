"""Granting and revoking roles: devolution without escalation.

This is the only module that writes django-guardian permissions. A role at a
node gives its permissions on that node object; checks walk up the tree, so
the node covers its whole subtree.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from apps.accounts.models import User
from apps.core.audit import audit
from apps.organisations.models import Organisation

from .models import PLATFORM_ROLES, Role, RoleName
from .permissions import can_grant

# Each role includes the ones before it.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    RoleName.READER: ("organisations.view_staff_data",),
    RoleName.RESPONDER: ("organisations.view_staff_data", "organisations.respond"),
    RoleName.SUPER_USER: (
        "organisations.view_staff_data",
        "organisations.respond",
        "organisations.manage_roles",
    ),
}


def _refuse(
    *, granter: User, action: str, role: str, organisation: Organisation | None, user: User
) -> None:
    # Refusals are recorded too: attempts to escalate are worth seeing. The audit row
    # must survive the rollback of the surrounding request, so it is written outside it.
    audit(
        actor=granter,
        action=f"responders.role.{action}_refused",
        target=organisation or user,
        organisation_path=organisation.path if organisation else "",
        role=role,
        user_id=user.pk,
    )
    raise PermissionDenied(f"You cannot {action.replace('_', ' ')} {role} there.")


def role_grant(*, granter: User, user: User, role: str, organisation: Organisation | None) -> Role:
    """Give a role at a node (or platform-wide), never above the granter's own reach."""
    if role not in RoleName.values or (role in PLATFORM_ROLES) != (organisation is None):
        raise ValueError(
            f"{role} cannot be held {'platform-wide' if organisation is None else 'at a node'}"
        )
    if not can_grant(granter, role, organisation):
        _refuse(granter=granter, action="grant", role=role, organisation=organisation, user=user)
    # Checked above, outside the transaction, so a refusal's audit row is kept.
    with transaction.atomic():
        grant, created = Role.objects.get_or_create(
            user=user, role=role, organisation=organisation, defaults={"granted_by": granter}
        )
        if created and organisation is not None:
            for perm in ROLE_PERMISSIONS[role]:
                assign_perm(perm, user, organisation)
        if created:
            audit(
                actor=granter,
                action="responders.role.granted",
                target=grant,
                organisation_path=organisation.path if organisation else "",
                role=role,
                user_id=user.pk,
            )
    return grant


def role_revoke(*, revoker: User, grant: Role) -> None:
    """Take a role away, under the same rule as giving it."""
    if not can_grant(revoker, grant.role, grant.organisation):
        _refuse(
            granter=revoker,
            action="revoke",
            role=grant.role,
            organisation=grant.organisation,
            user=grant.user,
        )
    with transaction.atomic():
        organisation = grant.organisation
        grant.delete()
        if organisation is not None:
            still: set[str] = set()
            for other in Role.objects.filter(user=grant.user, organisation=organisation):
                still.update(ROLE_PERMISSIONS[other.role])
            for perm in set(ROLE_PERMISSIONS[grant.role]) - still:
                remove_perm(perm, grant.user, organisation)
        audit(
            actor=revoker,
            action="responders.role.revoked",
            target=grant.user,
            organisation_path=organisation.path if organisation else "",
            role=grant.role,
        )
