"""A story's progress, derived from the rows that make it (never stored twice).

The furthest step reached counts: a change made, a change planned, a published
response, a member of staff's read. A change not going ahead advances nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When

from apps.core.extensions import StoryProgress
from apps.responses.models import Response, ResponseStatus, StaffRead
from apps.stories.taxonomy import Progress

from .models import ChangeStatus, ChangeStory


def reached() -> dict[str, Q]:
    """Each step but the first → the condition that a story (OuterRef "pk") has reached
    it, furthest step first."""
    links = ChangeStory.objects.filter(story=OuterRef("pk"))
    published = Response.objects.filter(story=OuterRef("pk"), status=ResponseStatus.PUBLISHED)
    return {
        Progress.CHANGE_MADE: Q(Exists(links.filter(change__status=ChangeStatus.MADE))),
        Progress.CHANGE_PLANNED: Q(Exists(links.filter(change__status=ChangeStatus.PLANNED))),
        Progress.RESPONDED: Q(Exists(published)),
        Progress.READ: Q(Exists(StaffRead.objects.filter(story=OuterRef("pk")))),
    }


def step_conditions() -> dict[str, Q]:
    """Every step → the condition that a story is at that step: it reached that step and
    none further (for "not yet read", none at all). Exactly one holds for each story."""
    conditions: dict[str, Q] = {}
    further = Q()
    for step, condition in reached().items():
        conditions[step] = condition & further
        further &= ~condition
    conditions[Progress.NOT_READ] = further
    return conditions


def with_progress(stories: QuerySet[Any]) -> QuerySet[Any]:
    """Annotate `progress` (a Progress value) on each story, in the same query: the first
    step reached, furthest first."""
    return stories.annotate(
        progress=Case(
            *[When(condition, then=Value(step)) for step, condition in reached().items()],
            default=Value(Progress.NOT_READ),
            output_field=CharField(),
        )
    )


PROGRESS = StoryProgress(annotate=with_progress, conditions=step_conditions)
