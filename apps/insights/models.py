from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationFigures(models.Model):
    """The public figures of one node's whole subtree as of a local date, computed by the
    database (`figures.py`) and kept until something they count changes.

    `stale` is set when a story, response or change under the node moves; `version` is
    raised each time, so a recompute that read the data before that change cannot clear
    the mark (see `figures_mark_stale`). A row written only to carry the mark has no
    `computed_at` yet, and zeros."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="figures",
    )
    as_of = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    stale = models.BooleanField(default=True, db_default=True)
    version = models.PositiveIntegerField(default=0, db_default=0)
    # Published stories with a service under the node, and those with a staff response
    # from inside the node's own top-level organisation.
    stories_12m = models.PositiveIntegerField(default=0, db_default=0)
    responded_12m = models.PositiveIntegerField(default=0, db_default=0)
    stories_30d = models.PositiveIntegerField(default=0, db_default=0)
    responded_30d = models.PositiveIntegerField(default=0, db_default=0)
    # Median of (first response − publication) over the answered 12-month stories.
    median_response_seconds = models.FloatField(null=True, blank=True)
    # Published responses (same-root rule) on the 12-month stories.
    responses_12m = models.PositiveIntegerField(default=0, db_default=0)
    generic_12m = models.PositiveIntegerField(default=0, db_default=0)
    with_change_12m = models.PositiveIntegerField(default=0, db_default=0)
    changes_made_12m = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        verbose_name_plural = _("organisation figures")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(responded_12m__lte=models.F("stories_12m"))
                & models.Q(responded_30d__lte=models.F("stories_30d"))
                & models.Q(stories_30d__lte=models.F("stories_12m")),
                name="figures_counts_nest",
            ),
        ]

    def __str__(self) -> str:
        return f"figures of {self.organisation_id} as of {self.as_of}"


# Saved views and scheduled reports live in their own module.
from .models_saved import ReportSchedule, SavedView  # noqa: E402

__all__ = ["OrganisationFigures", "ReportSchedule", "SavedView"]
