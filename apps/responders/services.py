"""Granting and revoking roles: devolution without escalation.

This is the only module that writes django-guardian permissions. A role at a
node gives its permissions on that node object, to the user or to the team's
group; checks compare paths, so the node covers its whole subtree. Other apps
ask for a permission on one object (a referred story) through
`object_permission_give` / `object_permission_take`. Every write drops the
request's Scopes (`forget_scopes`), so a page that asks again after a grant, in
the same request, reads it afresh.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from apps.accounts.models import User
from apps.core.audit import audit, refuse
from apps.organisations.models import Organisation

from .models import ORGANISATION_ROLES, PLATFORM_ROLES, Role, RoleName, Team
from .permissions import can_deactivate, can_grant
from .scope import forget_scopes

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


def _holder(user: User | None, team: Team | None) -> User | Group:
    if user is not None and team is None:
        return user
    if team is not None and user is None:
        return team.group
    raise ValueError("A role goes to a user or to a team, not both or neither.")


def holder_label(user: User | None, team: Team | None) -> str:
    """ "user:<pk>" or "team:<pk>", as the audit log names who was given something."""
    if user is not None:
        return f"user:{user.pk}"
    if team is not None:
        return f"team:{team.pk}"
    raise ValueError("A grant goes to a user or to a team.")


def role_label(role: str) -> str:
    """A role's name in lower case, as it reads inside a sentence ("super-user")."""
    return str(RoleName(role).label).lower() if role in RoleName.values else role


def _refusal(action: str, role: str) -> str:
    # Whole sentences per action, so a translation can word each its own way.
    if action == "revoke":
        # Translators: %(role)s is a role's name: reader, responder, super-user...
        return _("You cannot revoke %(role)s there.") % {"role": role_label(role)}
    # Translators: %(role)s is a role's name: reader, responder, super-user...
    return _("You cannot grant %(role)s there.") % {"role": role_label(role)}


def _refuse(
    *,
    granter: User,
    action: str,
    role: str,
    organisation: Organisation | None,
    target: models.Model | None,
) -> None:
    # Refusals are recorded too: attempts to escalate are worth seeing. The audit row
    # must survive the rollback of the surrounding request, so it is written outside it.
    refuse(
        actor=granter,
        action=f"responders.role.{action}_refused",
        target=organisation or target,
        organisation_path=organisation.path if organisation else "",
        message=_refusal(action, role),
        role=role,
        holder=f"{target._meta.model_name}:{target.pk}" if target is not None else "",
    )


def _write(
    *,
    granter: User | None,
    role: str,
    organisation: Organisation | None,
    user: User | None,
    team: Team | None,
) -> Role:
    holder = _holder(user, team)
    if role not in RoleName.values or (role in PLATFORM_ROLES) != (organisation is None):
        raise ValueError(
            f"{role} cannot be held {'platform-wide' if organisation is None else 'at a node'}"
        )
    if team is not None and role not in ORGANISATION_ROLES:
        raise ValueError("Teams hold organisation roles only.")
    with transaction.atomic():
        grant, created = Role.objects.get_or_create(
            user=user,
            team=team,
            role=role,
            organisation=organisation,
            defaults={"granted_by": granter},
        )
        if created and organisation is not None:
            for perm in ROLE_PERMISSIONS[role]:
                assign_perm(perm, holder, organisation)
        if created:
            audit(
                actor=granter,
                action="responders.role.granted",
                target=grant,
                organisation_path=organisation.path if organisation else "",
                role=role,
                holder=holder_label(user, team),
            )
    forget_scopes()
    return grant


def role_grant(
    *,
    granter: User,
    role: str,
    organisation: Organisation | None,
    user: User | None = None,
    team: Team | None = None,
) -> Role:
    """Give a role at a node (or platform-wide) to a user or a team, never above the granter's
    own reach. Audited; a refusal is audited and raised as PermissionDenied."""
    if not can_grant(granter, role, organisation):
        _refuse(
            granter=granter,
            action="grant",
            role=role,
            organisation=organisation,
            target=user or team,
        )
    return _write(granter=granter, role=role, organisation=organisation, user=user, team=team)


def role_install(
    *,
    role: str,
    organisation: Organisation | None = None,
    user: User | None = None,
    team: Team | None = None,
) -> Role:
    """Give a role with nobody's authority: for the operator's `grant_role` command and the
    demo data, never for a request. Audited with no actor."""
    return _write(granter=None, role=role, organisation=organisation, user=user, team=team)


def role_revoke(*, revoker: User, grant: Role) -> None:
    """Take a role away, under the same rule as giving it. Audited."""
    if not can_grant(revoker, grant.role, grant.organisation):
        _refuse(
            granter=revoker,
            action="revoke",
            role=grant.role,
            organisation=grant.organisation,
            target=grant.holder,
        )
    with transaction.atomic():
        organisation = grant.organisation
        holder = _holder(grant.user, grant.team)
        grant.delete()
        if organisation is not None:
            still: set[str] = set()
            for other in Role.objects.filter(
                user=grant.user, team=grant.team, organisation=organisation
            ):
                still.update(ROLE_PERMISSIONS[other.role])
            for perm in set(ROLE_PERMISSIONS[grant.role]) - still:
                remove_perm(perm, holder, organisation)
        audit(
            actor=revoker,
            action="responders.role.revoked",
            target=grant.user or grant.team,
            organisation_path=organisation.path if organisation else "",
            role=grant.role,
        )
    forget_scopes()


def object_permission_give(
    *, codename: str, obj: models.Model, user: User | None = None, team: Team | None = None
) -> None:
    """One permission on one object (e.g. respond to a referred story) for a user or team.
    The caller checks authority and audits; this keeps guardian in one module."""
    assign_perm(codename, _holder(user, team), obj)
    forget_scopes()


def object_permission_take(
    *, codename: str, obj: models.Model, user: User | None = None, team: Team | None = None
) -> None:
    remove_perm(codename, _holder(user, team), obj)
    forget_scopes()


def _set_active(*, actor: User, person: User, active: bool) -> User:
    verb = "reactivate" if active else "deactivate"
    if not can_deactivate(actor, person):
        refuse(
            actor=actor,
            action=f"responders.user.{verb}_refused",
            target=person,
            message=_("You cannot reactivate this account.")
            if active
            else _("You cannot deactivate this account."),
        )
    with transaction.atomic():
        changed = User.objects.filter(pk=person.pk, is_active=not active).update(is_active=active)
        if changed:
            audit(actor=actor, action=f"responders.user.{verb}d", target=person)
    forget_scopes()
    person.refresh_from_db(fields=["is_active"])
    return person


def staff_deactivate(*, actor: User, person: User) -> User:
    """Someone has left: their account can no longer sign in (a session they left open
    ends on its next request), gets no email, and holds nothing, while their roles stay
    listed so they can be brought back. Their public responses keep the name and job
    title they were published under (stored on each response). Audited; a refusal too."""
    return _set_active(actor=actor, person=person, active=False)


def staff_reactivate(*, actor: User, person: User) -> User:
    """Undo a deactivation (someone came back, or the wrong person was chosen). Audited."""
    return _set_active(actor=actor, person=person, active=True)
