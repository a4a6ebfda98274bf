"""Safeguarding: who is told of a serious case, what they were sent, and what was done.

Staff-only, all of it: nothing here reaches a public page, feed, the API or an export.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel


class SafeguardingSettings(TimeStampedModel):
    """The platform's own safeguarding settings: one row (pk 1), written by platform
    admins. Until it exists the shipped defaults apply."""

    help_text = models.TextField(
        blank=True, help_text=_("Where to get help now; empty for the shipped UK text.")
    )
    fallback_email = models.EmailField(
        blank=True,
        help_text=_("Told of a serious case when no node up the tree names contacts."),
    )
    risk_words = models.TextField(
        blank=True, help_text=_("More words or phrases suggesting risk now, one a line.")
    )

    class Meta:
        verbose_name_plural = _("safeguarding settings")

    def __str__(self) -> str:
        return "safeguarding settings"


class SafeguardingHelp(TimeStampedModel):
    """A node's own help text (a trust's, usually), for stories about its subtree."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField()

    def __str__(self) -> str:
        return f"help text of {self.organisation_id}"


class SafeguardingContact(TimeStampedModel):
    """A named safeguarding contact of a node, set by its super-users. The address is the
    one they sign in with, if they have an account: that is what opens a case's page."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(max_length=100)
    email = models.EmailField()

    class Meta:
        ordering: ClassVar = ["organisation", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organisation", "email"], name="safeguarding_contact_once"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["email"], name="safeguarding_contact_email")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class SafeguardingCase(TimeStampedModel):
    """A story a moderator marked serious: open until a moderator decides it."""

    class Decision(models.TextChoices):
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Not published")

    story = models.OneToOneField(
        "stories.Story", on_delete=models.CASCADE, related_name="safeguarding_case"
    )
    # The nodes whose contacts were told: their contacts, and moderators, see the case.
    organisations = models.ManyToManyField(
        "organisations.Organisation", related_name="+", blank=True
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(
        blank=True, help_text=_("The moderator's note, as the contacts got it.")
    )
    told_fallback = models.BooleanField(default=False)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["created_at"], condition=Q(decision=""), name="safeguarding_open"),
        ]

    def __str__(self) -> str:
        return f"safeguarding case of story {self.story_id}"

    @property
    def is_open(self) -> bool:
        return not self.decision


class SafeguardingRecord(models.Model):
    """What a contact or moderator did about a case, in their words."""

    case = models.ForeignKey(SafeguardingCase, on_delete=models.CASCADE, related_name="records")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    by_name = models.CharField(max_length=150)
    note = models.TextField()
    at = models.DateTimeField(auto_now_add=True)
    # A double submit carries the same key and makes one record.
    submission_key = models.UUIDField(unique=True, null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["at", "pk"]

    def __str__(self) -> str:
        return f"record on case {self.case_id}"
