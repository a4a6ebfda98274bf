"""Reads for moderators: the queue, reported stories, one story with its marks and history."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from apps.core.pii import Mark, find_personal_data
from apps.organisations.models import Organisation

from .models import ModerationDecision, Story, StoryRevision, StoryStatus
from .selectors import services_named

QUEUE_STATUSES = (StoryStatus.AWAITING_MODERATION, StoryStatus.AWAITING_AUTHOR)


def moderation_queue() -> QuerySet[Story]:
    """Stories waiting for a moderator or their author, oldest first."""
    return (
        Story.objects.filter(status__in=QUEUE_STATUSES)
        .select_related("locked_by")
        .prefetch_related(services_named())
        .annotate(open_flags=Count("flags", filter=Q(flags__resolved_at__isnull=True)))
        .order_by("created_at", "pk")
    )


def flagged_stories() -> QuerySet[Story]:
    """Stories readers reported that nobody has dealt with yet, with how many reports."""
    return (
        Story.objects.filter(flags__isnull=False, flags__resolved_at__isnull=True)
        .annotate(open_flags=Count("flags"))
        .distinct()
        .order_by("pk")
    )


def held_stories() -> QuerySet[Story]:
    """Stories held for the right of reply, those published soonest first."""
    return (
        Story.objects.filter(status=StoryStatus.HELD)
        .only("pk", "title", "pseudonym", "held_until")
        .order_by("held_until", "pk")
    )


def story_for_moderation(pk: int) -> Story:
    """One story of any status, with its services and tags; 404 if there is none."""
    return get_object_or_404(
        Story.objects.prefetch_related(services_named(), "story_tags__tag"), pk=pk
    )


def story_marks(story: Story) -> list[Mark]:
    """Likely personal data in the current text, with names the organisations listed."""
    paths: set[str] = set()
    for service in story.services.all():
        paths.update(service.ancestor_paths())
        paths.add(service.path)
    names: list[str] = []
    for listed in Organisation.objects.filter(path__in=paths).values_list(
        "listed_staff_names", flat=True
    ):
        names.extend(line for line in listed.splitlines() if line.strip())
    return find_personal_data(f"{story.title}\n{story.body}", staff_names=names)


@dataclass(frozen=True)
class History:
    """Every revision of the text (the author's original first) and every decision."""

    revisions: QuerySet[StoryRevision]
    decisions: QuerySet[ModerationDecision]


def story_history(story: Story) -> History:
    return History(
        revisions=story.revisions.select_related("made_by"),
        decisions=story.decisions.select_related("moderator").order_by("at"),
    )
