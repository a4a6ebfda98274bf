from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("At once, one email per story")
    DAILY = "daily", _("A daily digest")
    WEEKLY = "weekly", _("A weekly digest (Mondays)")


# Most urgent first: a person subscribed twice hears at the most urgent pace.
URGENCY: list[str] = [Frequency.IMMEDIATE, Frequency.DAILY, Frequency.WEEKLY]


class Subscription(TimeStampedModel):
    """What one member of staff wants to hear of: new stories in a node's subtree,
    optionally only with some tags or from a criticality up. Staff with no subscription
    of their own receive the default (a daily digest for the nodes of their roles)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="subscriptions"
    )
    tags = models.ManyToManyField("stories.Tag", blank=True, related_name="+")
    min_criticality = models.PositiveSmallIntegerField(null=True, blank=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.DAILY)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["organisation"], name="subscription_node")]

    def __str__(self) -> str:
        return f"{self.user_id} hears of {self.organisation_id} ({self.frequency})"


class StoryAlertRun(models.Model):
    """A published story has been fanned out (once) and, later, reminded about (once)."""

    story = models.OneToOneField(
        "stories.Story", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    fanned_out_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)
    reminded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"alerts for story {self.story_id}"


class DigestItem(models.Model):
    """A story waiting to go out in someone's daily or weekly digest."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "story"], name="digest_item_once"),
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["frequency", "user"],
                name="digest_item_unsent",
                condition=models.Q(sent_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"story {self.story_id} for {self.user_id}"
