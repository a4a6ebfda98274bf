"""The stored models of suggested topics and criticality (apps.core.themes): the newest
is the one moderators' suggestions come from."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone


class ThemeModelVersion(models.Model):
    """One trained model: its figures, what it learned from and who or what trained it."""

    version = models.PositiveIntegerField(unique=True)
    trained_at = models.DateTimeField(default=timezone.now)
    # The moderated, published stories it learned from.
    story_count = models.PositiveIntegerField()
    # cross_validate's figures on the same stories (JSON-able, as the engine returns them).
    figures = models.JSONField(default=dict)
    payload = models.BinaryField()
    # "manage.py themes_train", "the nightly task", "load_demo".
    trained_by = models.CharField(max_length=100)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering: ClassVar = ["-version"]

    def __str__(self) -> str:
        return f"themes model {self.version}"
