"""Reads for moderators: the queue, reported stories, one story with its marks and history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from apps.core.pii import Mark, find_personal_data
from apps.core.workingdays import add_working_days
from apps.organisations.models import Organisation

from .models import Flag, ModerationDecision, Story, StoryRevision, StoryStatus
from .selectors import services_named
from .taxonomy import SafeguardingLevel

QUEUE_STATUSES = (StoryStatus.AWAITING_MODERATION, StoryStatus.AWAITING_AUTHOR)


def moderation_queue() -> QuerySet[Story]:
    """Stories waiting for a moderator or their author: first those whose words suggest
    risk now or that are serious safeguarding cases, then the rest; oldest first."""
    return (
        Story.objects.filter(status__in=QUEUE_STATUSES)
        .select_related("locked_by")
        .prefetch_related(services_named())
        .annotate(
            open_flags=Count("flags", filter=Q(flags__resolved_at__isnull=True)),
            urgent=Q(risk_cue=True) | Q(safeguarding_level=SafeguardingLevel.SERIOUS),
        )
        .order_by("-urgent", "created_at", "pk")
    )


def flagged_stories() -> QuerySet[Story]:
    """Stories readers reported that nobody has dealt with yet, with how many reports."""
    return (
        Story.objects.filter(flags__isnull=False, flags__resolved_at__isnull=True)
        .annotate(open_flags=Count("flags"))
        .distinct()
        .order_by("pk")
    )


def open_reports(story: Story) -> list[Flag]:
    """The story's reports nobody has dealt with yet, oldest first."""
    return list(story.flags.filter(resolved_at__isnull=True).order_by("at", "pk"))


def held_stories() -> QuerySet[Story]:
    """Stories held for the right of reply, those published soonest first."""
    return (
        Story.objects.filter(status=StoryStatus.HELD)
        .only("pk", "title", "pseudonym", "held_until", "language")
        .order_by("held_until", "pk")
    )


def story_for_moderation(pk: int) -> Story:
    """One story of any status, with its services and tags; 404 if there is none."""
    return get_object_or_404(
        Story.objects.prefetch_related(services_named(), "story_tags__tag"), pk=pk
    )


def story_marks(story: Story, text: str | None = None) -> list[Mark]:
    """Likely personal data in the current text (or in `text`, the moderator's edit of it
    not yet saved), with names the organisations listed."""
    paths: set[str] = set()
    for service in story.services.all():
        paths.update(service.ancestor_paths())
        paths.add(service.path)
    names: list[str] = []
    for listed in Organisation.objects.filter(path__in=paths).values_list(
        "listed_staff_names", flat=True
    ):
        names.extend(line for line in listed.splitlines() if line.strip())
    if text is None:
        text = f"{story.title}\n{story.body}"
    return find_personal_data(text, staff_names=names)


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


# --- moderation within a target (settings.MODERATION_TARGET_WORKING_DAYS) ---------------
def moderation_due(submitted: dt.datetime) -> dt.datetime:
    """When a story submitted at `submitted` passes the moderation target: that many
    working days later, counted as the response target and its reminders count them."""
    return add_working_days(submitted, settings.MODERATION_TARGET_WORKING_DAYS)


def mark_past_target(stories: list[Story], now: dt.datetime) -> list[Story]:
    """Set `past_target` on each queue row: waiting for a moderator (not for its author,
    whose turn it is) beyond the target."""
    for story in stories:
        story.past_target = (
            story.status == StoryStatus.AWAITING_MODERATION
            and moderation_due(story.created_at) <= now
        )
    return stories


@dataclass(frozen=True)
class ModerationTarget:
    """The platform admins' count: stories waiting for a moderator, how many are past the
    target, and since when the oldest has waited."""

    target_days: int
    waiting: int
    past_target: int
    oldest: dt.datetime | None


def moderation_target(now: dt.datetime) -> ModerationTarget:
    """Two queries. Waiting longer is never less late (the due time grows with the
    submission time), so the count walks the oldest first and stops at the first on time."""
    waiting = Story.objects.filter(status=StoryStatus.AWAITING_MODERATION)
    late = 0
    oldest = None
    for submitted in waiting.order_by("created_at").values_list("created_at", flat=True).iterator():
        oldest = oldest or submitted
        if moderation_due(submitted) > now:
            break
        late += 1
    return ModerationTarget(
        target_days=settings.MODERATION_TARGET_WORKING_DAYS,
        waiting=waiting.count(),
        past_target=late,
        oldest=oldest,
    )


@dataclass(frozen=True)
class NameToReplace:
    """One name as written, however often it comes, with its first mark (who, why, the
    roles to suggest) and how many times it is marked."""

    mark: Mark
    count: int


def names_to_replace(marks: list[Mark]) -> list[NameToReplace]:
    """Each marked name once, in the order first met, for its "replace with a role"."""
    first: dict[str, Mark] = {}
    counts: dict[str, int] = {}
    for mark in marks:
        if mark.is_name:
            first.setdefault(mark.text, mark)
            counts[mark.text] = counts.get(mark.text, 0) + 1
    return [NameToReplace(mark, counts[text]) for text, mark in first.items()]
