"""Retention: the words of withdrawn and rejected stories are kept for a while, then purged.

`settings.PURGE_AFTER_DAYS` (default 30) after a story is withdrawn or rejected
(`Story.closed_at`), its text goes for good: title, body, every revision, pseudonym,
email, moderators' notes and decision notes, readers' report notes, the words of a
safeguarding case (who recorded what, and when, stays), and what the apps
above remove through `extensions.story_purge_parts` (responses, author replies,
referral notes). What statistics need stays: dates, services, status, reason code,
criticality, tags, counts. A purge is audited and logged by the numbers of rows it
emptied, never with their words, and cannot be undone: nothing is copied anywhere first.
Sent mail older than the same period leaves the outbox, which is how an erased email
address stops existing anywhere.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation

from apps.core import extensions
from apps.core.audit import audit
from apps.core.outbox import outbox_forget, outbox_prune

from .models import (
    Flag,
    ModerationDecision,
    SafeguardingCase,
    SafeguardingRecord,
    Story,
    StoryRevision,
    StoryStatus,
)

log = logging.getLogger(__name__)

CLOSED = (StoryStatus.WITHDRAWN, StoryStatus.REJECTED)
BATCH = 200


def purge_cutoff(now: dt.datetime) -> dt.datetime:
    """Stories closed at or before this moment are due for the purge."""
    return now - dt.timedelta(days=settings.PURGE_AFTER_DAYS)


def purge_date(story: Story) -> dt.datetime | None:
    """When the story's words will be purged, for the author's page; None if never."""
    if story.closed_at is None or story.purged_at is not None:
        return None
    return story.closed_at + dt.timedelta(days=settings.PURGE_AFTER_DAYS)


def stories_due_for_purge(now: dt.datetime) -> QuerySet[Story]:
    """Closed stories whose words are still kept and whose time has come, oldest first."""
    return Story.objects.filter(
        status__in=CLOSED, closed_at__lte=purge_cutoff(now), purged_at__isnull=True
    ).order_by("closed_at", "pk")


def _due(story: Story, now: dt.datetime) -> bool:
    return (
        story.status in CLOSED
        and story.purged_at is None
        and story.closed_at is not None
        and story.closed_at <= purge_cutoff(now)
    )


def _untitled_titles(pseudonym: str) -> set[str]:
    """What emails called a story without a title (`Story.display_title`), in every
    language the site speaks, as an email may have been written in any of them."""
    titles = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            titles.add(translation.gettext("%(pseudonym)s's story") % {"pseudonym": pseudonym})
    return titles


@transaction.atomic
def story_purge(*, story_id: int, now: dt.datetime | None = None) -> dict[str, int] | None:
    """Empty every text column about one due story (see the module's docstring); audit
    and log the number of rows emptied, by kind. None when it is not due (any more): a
    second run, or a story published again by a race, changes nothing."""
    now = now or timezone.now()
    story = Story.objects.select_for_update().filter(pk=story_id).first()
    if story is None or not _due(story, now):
        return None
    phrases = tuple(
        {p for p in [story.title, *story.revisions.values_list("title", flat=True)] if p}
        | (_untitled_titles(story.pseudonym) if story.pseudonym else set())
    )
    address = story.author_email
    removed = {
        "revisions": StoryRevision.objects.filter(story=story).update(title="", body=""),
        "decision_notes": ModerationDecision.objects.filter(story=story)
        .exclude(note="")
        .update(note=""),
        "report_notes": Flag.objects.filter(story=story).exclude(note="").update(note=""),
        # A safeguarding case keeps who did what and when; its words (the moderator's
        # note, which may quote the story, and what was recorded) go with the story's.
        "safeguarding_notes": SafeguardingCase.objects.filter(story=story)
        .exclude(note="")
        .update(note=""),
        "safeguarding_records": SafeguardingRecord.objects.filter(case__story=story)
        .exclude(note="")
        .update(note=""),
        "email": int(bool(address)),
    }
    for purge_part in extensions.story_purge_parts.providers():
        removed.update(purge_part(story))
    Story.objects.filter(pk=story.pk).update(
        title="",
        body="",
        pseudonym="",
        author_email="",
        moderator_note="",
        rejection_note="",
        locked_by=None,
        locked_until=None,
        purged_at=now,
        updated_at=now,
    )
    removed["emails_sent"] = outbox_forget(address=address, phrases=phrases)
    audit(actor=None, action="stories.story.purged", target=story, removed=removed)
    # Numbers only: the words are gone, and a log must not keep what the purge removed.
    log.info("Purged the words of story %s: %s", story.pk, removed)
    return removed


@dataclass
class PurgeRun:
    stories: int = 0
    old_emails: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def _due_ids(now: dt.datetime) -> Iterator[list[int]]:
    while True:
        ids = list(stories_due_for_purge(now).values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        yield ids


def stories_purge(
    *, now: dt.datetime | None = None, progress: Callable[[int], None] | None = None
) -> PurgeRun:
    """Purge every due story, one transaction each (a failure leaves the others done and
    itself for the next run), then the sent mail older than the period. `progress` is
    told the running count after each batch. Safe to run twice, or two at once."""
    now = now or timezone.now()
    run = PurgeRun()
    for ids in _due_ids(now):
        done_here = 0
        for pk in ids:
            removed = story_purge(story_id=pk, now=now)
            if removed is None:
                continue
            done_here += 1
            for kind, rows in removed.items():
                run.rows[kind] = run.rows.get(kind, 0) + rows
        run.stories += done_here
        if progress is not None:
            progress(run.stories)
        if not done_here:
            break  # nothing left this run could purge (another run holds them)
    run.old_emails = outbox_prune(before=purge_cutoff(now))
    log.info(
        "Retention purge: %s stories, %s old emails, rows %s", run.stories, run.old_emails, run.rows
    )
    return run


@dataclass(frozen=True)
class RetentionFigures:
    purge_after_days: int
    due: int  # closed long enough ago, words still kept: the next run's work
    waiting: int  # closed, words kept, not yet due
    purged: int


def retention_figures(now: dt.datetime) -> RetentionFigures:
    """For the platform admins' page: what the purge has done and has to do. One query."""
    counts = Story.objects.filter(status__in=CLOSED).aggregate(
        due=Count("pk", filter=Q(purged_at__isnull=True, closed_at__lte=purge_cutoff(now))),
        kept=Count("pk", filter=Q(purged_at__isnull=True)),
        purged=Count("pk", filter=Q(purged_at__isnull=False)),
    )
    return RetentionFigures(
        purge_after_days=settings.PURGE_AFTER_DAYS,
        due=counts["due"],
        waiting=counts["kept"] - counts["due"],
        purged=counts["purged"],
    )
