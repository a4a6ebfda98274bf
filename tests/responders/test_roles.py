from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from apps.accounts.models import User
from apps.core.models import AuditEntry
from apps.organisations.models import Organisation
from apps.responders.models import Role, RoleName
from apps.responders.permissions import can_grant, highest_role_at
from apps.responders.services import role_grant, role_revoke
from tests.factories import UserFactory, with_second_factor

pytestmark = pytest.mark.django_db


def site_of(org: Organisation) -> Organisation:
    return Organisation.objects.get(path__startswith=org.path, depth=2)


def test_a_super_user_grants_inside_their_subtree_with_permissions_and_audit(
    org: Organisation, super_user: User
) -> None:
    newcomer = UserFactory()
    site = site_of(org)
    grant = role_grant(
        granter=super_user, user=newcomer, role=RoleName.RESPONDER, organisation=site
    )
    assert grant.granted_by == super_user
    assert newcomer.has_perm("organisations.respond", site)
    assert newcomer.has_perm("organisations.view_staff_data", site)
    assert not newcomer.has_perm("organisations.manage_roles", site)
    entry = AuditEntry.objects.get(action="responders.role.granted", actor=super_user)
    assert (entry.actor, entry.organisation_path) == (super_user, site.path)
    assert highest_role_at(newcomer, site) == RoleName.RESPONDER
    # Granting the same thing again changes nothing.
    assert (
        role_grant(granter=super_user, user=newcomer, role=RoleName.RESPONDER, organisation=site)
        == grant
    )
    assert (
        AuditEntry.objects.filter(action="responders.role.granted", actor=super_user).count() == 1
    )


@pytest.mark.parametrize(
    ("granter_name", "role", "where"),
    [
        ("responder", RoleName.RESPONDER, "org"),  # a responder may not grant at all
        ("super_user", RoleName.SUPER_USER, "other_org"),  # outside their subtree
        ("super_user", RoleName.PLATFORM_ADMIN, None),  # above their own role
        ("super_user", RoleName.MODERATOR, None),
        ("moderator", RoleName.READER, "org"),  # moderators never manage organisations
    ],
)
def test_refused_grants_raise_403_and_are_audited(
    request: pytest.FixtureRequest,
    granter_name: str,
    role: RoleName,
    where: str | None,
    org: Organisation,
    other_org: Organisation,
) -> None:
    granter = request.getfixturevalue(granter_name)
    organisation = {"org": org, "other_org": other_org, None: None}[where]
    newcomer = UserFactory()
    with pytest.raises(PermissionDenied):
        role_grant(granter=granter, user=newcomer, role=role, organisation=organisation)
    assert not Role.objects.filter(user=newcomer).exists()
    refused = AuditEntry.objects.get(action="responders.role.grant_refused")
    assert refused.actor == granter
    assert refused.details["role"] == role


def test_a_grant_in_a_subtree_covers_nodes_beneath_but_not_above(
    org: Organisation, super_user: User
) -> None:
    site = site_of(org)
    service = Organisation.objects.get(path__startswith=site.path, depth=3)
    manager = with_second_factor(UserFactory())
    role_grant(granter=super_user, user=manager, role=RoleName.SUPER_USER, organisation=site)
    assert can_grant(manager, RoleName.READER, service)
    assert not can_grant(manager, RoleName.READER, org)


def test_platform_admins_grant_anything_and_revoking_removes_permissions(
    org: Organisation, platform_admin: User, super_user: User
) -> None:
    person = UserFactory()
    mod = role_grant(
        granter=platform_admin, user=person, role=RoleName.MODERATOR, organisation=None
    )
    reader = role_grant(granter=platform_admin, user=person, role=RoleName.READER, organisation=org)
    responder = role_grant(
        granter=super_user, user=person, role=RoleName.RESPONDER, organisation=org
    )
    role_revoke(revoker=super_user, grant=responder)
    person = User.objects.get(pk=person.pk)  # fresh permission cache
    assert not person.has_perm("organisations.respond", org)
    assert person.has_perm("organisations.view_staff_data", org)  # still a reader
    with pytest.raises(PermissionDenied):
        role_revoke(revoker=super_user, grant=mod)
    assert AuditEntry.objects.filter(action="responders.role.revoke_refused").count() == 1
    role_revoke(revoker=platform_admin, grant=reader)
    assert list(Role.objects.filter(user=person).values_list("role", flat=True)) == ["moderator"]
