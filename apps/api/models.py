from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """A key to the JSON API for one node: it raises the rate limit and, for stories about
    the node's subtree, adds the staff-only fields. Only a SHA-256 hash of the key is kept;
    the key belongs to the organisation, so it outlives its maker's role until revoked."""

    name = models.CharField(max_length=100, help_text=_("What the key is for, to recognise it."))
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # The start of the key as shown in lists ("cvk_1a2b3c4d…"); not secret, not unique.
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    # The hash of the create form's one-time value: a double submit makes one key.
    nonce_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Written at most once a minute per key (see apps.api.authentication).
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "API key"
        indexes: ClassVar = [
            models.Index(fields=["organisation", "created_at"], name="api_key_node")
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
                name="api_key_revoked_after_made",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
