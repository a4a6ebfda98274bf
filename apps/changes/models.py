from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.models import TimeStampedModel

if TYPE_CHECKING:
    from apps.stories.models import Story


class ChangeStatus(models.TextChoices):
    PLANNED = "planned", gettext_lazy("Change planned")
    MADE = "made", gettext_lazy("Change made")
    NOT_GOING_AHEAD = "not_going_ahead", gettext_lazy("Not going ahead")


class Change(TimeStampedModel):
    """Something staff said they will change, for one service, by a date; later made
    (what changed, when) or not going ahead (why). Public, with the stories it answers."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="changes"
    )
    stories: models.ManyToManyField[Story, ChangeStory] = models.ManyToManyField(
        "stories.Story", through="ChangeStory", related_name="changes"
    )
    status = models.CharField(
        max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.PLANNED
    )
    summary = models.TextField(gettext_lazy("What will change"))
    due_on = models.DateField(gettext_lazy("By when"))
    made_summary = models.TextField(gettext_lazy("What changed"), blank=True)
    made_on = models.DateField(gettext_lazy("When it changed"), null=True, blank=True)
    reason = models.TextField(gettext_lazy("Why it is not going ahead"), blank=True)
    # The date of the latest step (recorded, made, or stopped): what the register's
    # date filter and order use.
    status_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Shown in public as they were when the change was recorded, like a response's.
    recorded_by_name = models.CharField(max_length=150, blank=True)
    recorded_by_job_title = models.CharField(max_length=150, blank=True)
    # Set when the overdue reminder went out; cleared when the date moves.
    reminded_at = models.DateTimeField(null=True, blank=True)
    # A double submit carries the same key and makes one change.
    submission_key = models.UUIDField(unique=True, null=True, blank=True)

    # Set on rows by the code that reads them, not stored: the published stories'
    # links (selectors' prefetch), the link a story page shows, and the overdue mark
    # its organisation's staff see.
    public_links: list[ChangeStory]
    link: ChangeStory
    overdue: bool

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["organisation", "status"], name="change_node_status"),
            models.Index(fields=["status", "due_on"], name="change_due"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~Q(status="made") | (Q(made_on__isnull=False) & ~Q(made_summary="")),
                name="change_made_says_what_and_when",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_going_ahead") | ~Q(reason=""),
                name="change_stopped_says_why",
            ),
        ]

    def __str__(self) -> str:
        return self.summary[:60]

    def get_absolute_url(self) -> str:
        return reverse("changes:detail", kwargs={"pk": self.pk})

    def get_public_url(self) -> str:
        return reverse("changes:public", kwargs={"pk": self.pk})

    @property
    def label(self) -> str:
        return self.get_status_display()

    @property
    def public_text(self) -> str:
        """One line for the public: what changed, or what will and by when, or why not."""
        if self.status == ChangeStatus.MADE:
            return _("%(summary)s (%(name)s, %(date)s)") % {
                "summary": self.made_summary,
                "name": self.organisation.name,
                "date": date_format(self.made_on, "j F Y") if self.made_on else "",
            }
        if self.status == ChangeStatus.NOT_GOING_AHEAD:
            return _("%(summary)s – not going ahead: %(reason)s") % {
                "summary": self.summary,
                "reason": self.reason,
            }
        return _("%(summary)s (%(name)s, by %(date)s)") % {
            "summary": self.summary,
            "name": self.organisation.name,
            "date": date_format(self.due_on, "j F Y"),
        }

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == ChangeStatus.PLANNED and self.due_on < today


class ChangeStory(models.Model):
    """A story a change answers, and which of its responses said so (if one did)."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="links")
    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(
        "responses.Response",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="change_links",
    )
    linked_at = models.DateTimeField(auto_now_add=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["change", "story"], name="change_story_once"),
        ]
        indexes: ClassVar = [models.Index(fields=["story", "change"], name="story_changes")]

    def __str__(self) -> str:
        return f"change {self.change_id} answers story {self.story_id}"
