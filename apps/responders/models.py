from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from apps.core.models import TimeStampedModel


class RoleName(models.TextChoices):
    READER = "reader", _("Reader")
    RESPONDER = "responder", _("Responder")
    SUPER_USER = "super_user", _("Super-user")
    MODERATOR = "moderator", _("Moderator")
    # "Platform admin" alone also names the admin pages: the role is a person.
    PLATFORM_ADMIN = "platform_admin", pgettext_lazy("role", "Platform admin")


ORGANISATION_ROLES = (RoleName.READER, RoleName.RESPONDER, RoleName.SUPER_USER)
PLATFORM_ROLES = (RoleName.MODERATOR, RoleName.PLATFORM_ADMIN)


class Team(TimeStampedModel):
    """A named group of staff under a node. A role or referral given to it reaches every member.

    Membership is the auth group's membership, so django-guardian's group permissions
    carry the team's grants without a table of our own."""

    name = models.CharField(max_length=150)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="teams"
    )
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="team")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organisation", "name"], name="responders_team_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(TimeStampedModel):
    """A grant: a user or a team holds one role, at a node (covering its subtree) or
    platform-wide (users only)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="roles",
        null=True,
        blank=True,
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="roles", null=True, blank=True
    )
    role = models.CharField(max_length=20, choices=RoleName.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="roles",
        help_text=_("Empty for the platform-wide roles (moderator, platform admin)."),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(
                    Q(role__in=[r.value for r in ORGANISATION_ROLES], organisation__isnull=False)
                    | Q(role__in=[r.value for r in PLATFORM_ROLES], organisation__isnull=True)
                ),
                name="responders_role_scope_matches_kind",
            ),
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, team__isnull=True)
                    | Q(user__isnull=True, team__isnull=False, organisation__isnull=False)
                ),
                name="responders_role_user_or_team",
            ),
            models.UniqueConstraint(
                fields=["team", "organisation", "role"],
                name="responders_role_team_unique_at_node",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                name="responders_role_unique_at_node",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(organisation__isnull=True),
                name="responders_role_unique_platform",
            ),
        ]

    def __str__(self) -> str:
        where = self.organisation or "the platform"
        return f"{self.holder} is {self.get_role_display()} at {where}"

    @property
    def holder(self) -> models.Model | None:
        return self.user if self.user_id else self.team


class Invitation(TimeStampedModel):
    """An invitation to hold a role at a node. Only a hash of its token is stored."""

    email = models.EmailField()
    first_name = models.CharField(max_length=75)
    last_name = models.CharField(max_length=75)
    job_title = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=RoleName.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in ORGANISATION_ROLES]),
                name="responders_invitation_organisation_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} as {self.get_role_display()}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


# django-guardian's direct foreign-key tables for node permissions: one indexed join
# instead of the generic (content type, text id) pair. Written by `services` alone.
class OrganisationUserPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE)


class OrganisationGroupPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE)
