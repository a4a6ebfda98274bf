from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel


class PageSlug(models.TextChoices):
    """The pages every public service needs, linked from every page's footer."""

    TERMS = "terms", _("Terms of use")
    PRIVACY = "privacy", _("Privacy notice")
    MODERATION = "moderation", _("How we moderate stories")
    ACCESSIBILITY = "accessibility", _("Accessibility statement")
    CONTACT = "contact", _("Contact us")
    # Easy-read versions (docs/easy-read.md), linked from the easy-read way to tell a story
    # and from the pages they explain.
    TERMS_EASY_READ = "terms-easy-read", _("Terms of use: easy read")
    PRIVACY_EASY_READ = "privacy-easy-read", _("Privacy notice: easy read")


class Page(TimeStampedModel):
    """A platform admin's own text for one of the pages. Until a row exists the shipped,
    translated default is shown (apps/pages/defaults.py)."""

    slug = models.CharField(max_length=20, choices=PageSlug.choices, unique=True)
    body = models.TextField(help_text=_("The text as the admin wrote it (simple formatting)."))
    body_html = models.TextField(help_text=_("`body` rendered and cleaned once, when saved."))
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["slug"]

    def __str__(self) -> str:
        return self.get_slug_display()
