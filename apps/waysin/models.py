"""Ways in at the point of care (docs/ways-in.md): kiosks, campaign links, and where each
story came from. Posters need no row: a node's poster code is derived from the node."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.core.models import TimeStampedModel


class Kiosk(TimeStampedModel):
    """A tablet at a service that tells stories for one node. Its device link carries a
    long random token; only the token's hash is kept, so the link is shown once."""

    node = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT)
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    # Optional: a PIN staff enter to leave kiosk mode on the device (hashed like a password).
    exit_pin = models.CharField(max_length=128, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    # A nonce from the form that made it: a double submit makes one kiosk.
    nonce = models.UUIDField(unique=True, null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Campaign(TimeStampedModel):
    """A link a node sends to patients (after an appointment, say): `/t/<code>`."""

    node = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT)
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=16, unique=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # A nonce from the form that made it: a double submit makes one campaign.
    nonce = models.UUIDField(unique=True, null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def has_expired(self, now: dt.datetime | None = None) -> bool:
        moment = now or timezone.now()
        return self.expires_at is not None and self.expires_at <= moment


class StoryOrigin(models.Model):
    """Where a story came in, beyond its channel: the kiosk or campaign that brought it."""

    story = models.OneToOneField(
        "stories.Story", on_delete=models.CASCADE, primary_key=True, related_name="origin"
    )
    kiosk = models.ForeignKey(Kiosk, on_delete=models.PROTECT, null=True, blank=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(kiosk__isnull=True) | models.Q(campaign__isnull=True),
                name="origin_one_way",
            ),
        ]

    def __str__(self) -> str:
        return f"story {self.story_id}"
