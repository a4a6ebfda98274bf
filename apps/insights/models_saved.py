"""Saved views (a story search or an insight view kept under a name) and the email
reports scheduled from them (docs/insight.md, "Saved views and reports")."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import TimeStampedModel

NAME_MAX = 100
QUERY_MAX = 2000


class ViewKind(models.TextChoices):
    SEARCH = "search", _("Story search")
    INSIGHT = "insight", _("Insight")
    STAFF_INSIGHT = "staff_insight", _("Insight for staff")


class SavedView(TimeStampedModel):
    """One person's named search or insight view: the cleaned query string (as the search
    form reads it) and, for an insight view, the node it is about. Only its owner sees it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=NAME_MAX)
    kind = models.CharField(max_length=20, choices=ViewKind.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The node of an insight view; empty for a search."),
    )
    query = models.CharField(max_length=QUERY_MAX, blank=True)

    class Meta:
        ordering: ClassVar = ["name", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["owner", "name"], name="insights_saved_view_name"),
            models.CheckConstraint(
                condition=models.Q(kind="search") | models.Q(organisation__isnull=False),
                name="insights_saved_view_insight_has_node",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly, on Monday morning")
    MONTHLY = "monthly", _("Monthly, on the 1st")


class RelativeRange(models.TextChoices):
    LAST_WEEK = "last_week", _("Last week (Monday to Sunday)")
    LAST_MONTH = "last_month", _("Last month")
    LAST_3_MONTHS = "last_3_months", _("The last 3 months")
    LAST_12_MONTHS = "last_12_months", _("The last 12 months")


class ReportSchedule(TimeStampedModel):
    """A saved view sent as an email report: to its owner, or to its owner and a team.
    `next_run_at` is the next Monday or 1st at settings.REPORT_SEND_HOUR, site time."""

    saved_view = models.OneToOneField(SavedView, on_delete=models.CASCADE, related_name="schedule")
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    range = models.CharField(max_length=20, choices=RelativeRange.choices)
    # A deleted team leaves the report to its owner alone.
    team = models.ForeignKey(
        "responders.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    next_run_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(
                fields=["next_run_at"],
                condition=models.Q(active=True),
                name="insights_schedule_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.saved_view} ({self.frequency})"
