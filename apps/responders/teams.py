"""Teams: named groups of staff under a node, formed by its super-users."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.audit import audit, refuse
from apps.organisations.models import Organisation

from .models import Team
from .permissions import can_manage
from .scope import VIEW_STAFF_DATA, forget_scopes, scope_of


def _check(actor: User, organisation: Organisation, action: str) -> None:
    if not can_manage(actor, organisation):
        refuse(
            actor=actor,
            action=f"responders.team.{action}_refused",
            target=organisation,
            organisation_path=organisation.path,
            message=_("You cannot manage teams there."),
        )


def team_create(*, actor: User, organisation: Organisation, name: str) -> Team:
    """A new, empty team under a node the actor manages. Audited."""
    _check(actor, organisation, "create")
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the team a name.")})
    try:
        with transaction.atomic():
            # The group's name is internal and unique; people see the team's name.
            group = Group.objects.create(name=f"team-{secrets.token_hex(8)}")
            team = Team.objects.create(
                name=name, organisation=organisation, group=group, created_by=actor
            )
            audit(
                actor=actor,
                action="responders.team.created",
                target=team,
                organisation_path=organisation.path,
                name=name,
            )
    except IntegrityError:
        raise ValidationError(
            {
                "name": _("%(organisation)s already has a team called “%(name)s”.")
                % {"organisation": organisation, "name": name}
            }
        ) from None
    return team


def may_join(user: User, team: Team) -> bool:
    """Members are staff of the team's trust: they hold a role somewhere under its root."""
    root = team.organisation.path[: team.organisation.steplen]
    return scope_of(user).holds_inside(VIEW_STAFF_DATA, root)


def team_add_member(*, actor: User, team: Team, user: User) -> None:
    """Put a member of staff in a team; they get its roles and referrals. Audited."""
    _check(actor, team.organisation, "member_add")
    if not may_join(user, team):
        raise ValidationError(
            {"email": _("Only staff who hold a role in this organisation can join its teams.")}
        )
    _membership(actor, team, user, joined=True)


def team_remove_member(*, actor: User, team: Team, user: User) -> None:
    """Take someone out of a team; its roles and referrals stop reaching them. Audited."""
    _check(actor, team.organisation, "member_remove")
    _membership(actor, team, user, joined=False)


def _membership(actor: User, team: Team, user: User, *, joined: bool) -> None:
    with transaction.atomic():
        if joined:
            team.group.user_set.add(user)
        else:
            team.group.user_set.remove(user)
        audit(
            actor=actor,
            action=f"responders.team.member_{'added' if joined else 'removed'}",
            target=team,
            organisation_path=team.organisation.path,
            user_id=user.pk,
        )
    forget_scopes()  # the member's grants changed; this request may ask again
