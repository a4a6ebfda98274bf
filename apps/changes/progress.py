"""A story's progress, derived from the rows that make it (never stored twice).

The furthest step reached counts: a change made, a change planned, a published
response, a member of staff's read. A change not going ahead advances nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, CharField, Exists, OuterRef, QuerySet, Value, When

from apps.responses.models import Response, ResponseStatus, StaffRead
from apps.stories.taxonomy import Progress

from .models import ChangeStatus, ChangeStory


def with_progress(stories: QuerySet[Any]) -> QuerySet[Any]:
    """Annotate `progress` (a Progress value) on each story, in the same query."""
    links = ChangeStory.objects.filter(story=OuterRef("pk"))
    return stories.annotate(
        progress=Case(
            When(
                Exists(links.filter(change__status=ChangeStatus.MADE)),
                then=Value(Progress.CHANGE_MADE),
            ),
            When(
                Exists(links.filter(change__status=ChangeStatus.PLANNED)),
                then=Value(Progress.CHANGE_PLANNED),
            ),
            When(
                Exists(
                    Response.objects.filter(story=OuterRef("pk"), status=ResponseStatus.PUBLISHED)
                ),
                then=Value(Progress.RESPONDED),
            ),
            When(Exists(StaffRead.objects.filter(story=OuterRef("pk"))), then=Value(Progress.READ)),
            default=Value(Progress.NOT_READ),
            output_field=CharField(),
        )
    )
