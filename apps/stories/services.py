"""Changes to stories: telling, and the author's own actions."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core import pagecache
from apps.core.audit import audit
from apps.core.outbox import outbox_add
from apps.core.signals import figures_changed
from apps.organisations.models import Organisation

from . import holds, safeguarding
from .invalidation import story_touch
from .languages import in_author_language, page_story_language, site_language
from .models import (
    AuthorAccess,
    ModerationDecision,
    Story,
    StoryReader,
    StoryRevision,
    StoryService,
    StoryStatus,
    StoryTag,
    Tag,
)
from .selectors import story_service_paths, with_progress
from .taxonomy import Channel, Polarity
from .tokens import new_token, token_hash


@dataclass(frozen=True)
class Told:
    story: Story
    token: str | None  # None when this was a repeat of an earlier submit


@transaction.atomic
def story_submit(
    *,
    services: list[Organisation],
    body: str,
    title: str,
    pseudonym: str,
    author_role: str,
    experienced_on: dt.date,
    email: str,
    good: list[Tag],
    improve: list[Tag],
    feelings: list[Tag],
    submission_key: uuid.UUID,
    channel: str = Channel.WEB,
    entered_by: User | None = None,
    helped_by: str = "",
    fft: dict[int, str] | None = None,
    language: str = "",
    author_language: str = "",
) -> Told:
    """Record a told story for moderation and email its author their private link.

    The same submission key twice (a double click, a resent form) makes one story.
    `fft` holds the Friends and Family Test answer by service id, where it was asked.
    `language` is the story's (by default the page's: Welsh on /cy/ pages, as at a
    kiosk); `author_language` the site language to write to its author in (by default
    the page's).
    """
    existing = Story.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return Told(story=existing, token=None)
    story = Story(
        title=title.strip(),
        body=body.strip(),
        pseudonym=pseudonym.strip(),
        author_role=author_role,
        experienced_on=experienced_on,
        author_email=email.strip().lower(),
        channel=channel,
        entered_by=entered_by,
        helped_by=helped_by.strip(),
        submission_key=submission_key,
        language=language or page_story_language(),
        author_language=author_language or site_language(),
    )
    try:
        with transaction.atomic():
            story.save()
    except IntegrityError:
        # The same key arrived at the same moment from another request.
        return Told(story=Story.objects.get(submission_key=submission_key), token=None)
    answers = fft or {}
    StoryService.objects.bulk_create(
        StoryService(story=story, organisation=org, position=i, fft=answers.get(org.pk, ""))
        for i, org in enumerate(services)
    )
    story_set_tags(story=story, good=good, improve=improve, feelings=feelings)
    StoryRevision.objects.create(story=story, number=0, title=story.title, body=story.body)
    token = _grant_access(story)
    audit(actor=entered_by, action="stories.story.submitted", target=story, channel=channel)
    # Screened before anything else (DESIGN.md "Duty of care"): help goes out at once.
    safeguarding.story_screen(story)
    return Told(story=story, token=token)


def author_access_new(story: Story) -> str:
    """A fresh private token for the story's author; only its hash is stored."""
    token = new_token()
    AuthorAccess.objects.create(story=story, token_hash=token_hash(token))
    return token


def author_link_url(token: str) -> str:
    return settings.SITE_URL + reverse("stories:author", kwargs={"token": token})


def _grant_access(story: Story) -> str:
    token = author_access_new(story)
    if story.author_email:
        _send_link(story, token)
    return token


@in_author_language()
def _send_link(story: Story, token: str) -> None:
    context = {"story": story, "link": author_link_url(token), "site_name": settings.SITE_NAME}
    outbox_add(
        kind="stories.link",
        key=f"{story.pk}:{token_hash(token)[:16]}",
        to=story.author_email,
        subject=_("Your story on %(site)s: your private link") % {"site": settings.SITE_NAME},
        text=render_to_string("stories/email/link.txt", context),
        html=render_to_string("stories/email/link.html", context),
    )


@transaction.atomic
def story_resend_link(*, email: str) -> int:
    """Send a fresh private link for each story told with this email. Returns how many."""
    stories = list(
        Story.objects.filter(author_email=email.strip().lower()).exclude(author_email="")
    )
    for story in stories:
        _grant_access(story)
    return len(stories)


def story_for_token(token: str) -> Story | None:
    """The story a private link opens (with its progress), or None."""
    access = AuthorAccess.objects.filter(token_hash=token_hash(token)).only("story_id").first()
    return with_progress(Story.objects.all()).get(pk=access.story_id) if access else None


def _count_once(story: Story, visitor: str, kind: str, field: str) -> bool:
    """Add one to the story's counter if this visitor has no row of this kind for it yet.
    One statement that inserts or does nothing (no savepoint, no error on a repeat)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {StoryReader._meta.db_table} (story_id, visitor, kind, at) "  # noqa: S608 - our own table's name
                "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
                [story.pk, visitor, kind, timezone.now()],
            )
            if cursor.fetchone() is None:
                return False
        Story.objects.filter(pk=story.pk).update(**{field: F(field) + 1})
    return True


def story_readers_prune(*, now: dt.datetime | None = None) -> int:
    """Forget read rows from before yesterday: a read's visitor key holds its day, so an
    older row can never match again, and keeping it would only grow the table."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=2)
    deleted, _by_model = StoryReader.objects.filter(kind="read", at__lt=cutoff).delete()
    return deleted


def story_me_too(*, story: Story, visitor: str | None) -> bool:
    """'I've experienced this', once per person."""
    if visitor is None or not story.is_public:
        return False
    counted = _count_once(story, visitor, "me_too", "me_too_count")
    if counted:
        pagecache.touch(pagecache.story(story.pk))
    return counted


def _author_story(story_id: int) -> Story:
    return Story.objects.select_for_update().get(pk=story_id)


@transaction.atomic
def story_author_approve(*, story_id: int) -> Story:
    """The author accepts a moderator's edits: the story is published."""
    story = _author_story(story_id)
    if story.status != StoryStatus.AWAITING_AUTHOR:
        raise ValidationError(_("There are no edits waiting for your approval."))
    # As a moderator's publish decision: held first for the right of reply where it applies.
    held = holds.publish_or_hold(story, timezone.now())
    story.save(update_fields=["status", "published_at", "held_until", "updated_at"])
    ModerationDecision.objects.create(story=story, action=ModerationDecision.Action.AUTHOR_APPROVED)
    audit(actor=None, action="stories.story.author_approved", target=story)
    if held:
        audit(actor=None, action="stories.story.held", target=story)
    holds.after_publish_or_hold(story)
    return story


@transaction.atomic
def story_withdraw(*, story_id: int) -> Story:
    """The author takes the story down; it is never public again."""
    story = _author_story(story_id)
    if story.status in (StoryStatus.WITHDRAWN, StoryStatus.REJECTED):
        raise ValidationError(
            _("This story is not published or waiting, so there is nothing to withdraw.")
        )
    was_public = story.status == StoryStatus.PUBLISHED
    story.status = StoryStatus.WITHDRAWN
    story.closed_at = timezone.now()
    story.save(update_fields=["status", "closed_at", "updated_at"])
    audit(actor=None, action="stories.story.withdrawn", target=story)
    if was_public:
        figures_changed(Story, story_service_paths(story.pk))
    return story


@transaction.atomic
def story_set_email(*, story_id: int, email: str) -> Story:
    """Change the author's private email, or erase it (empty). Not audited with the address."""
    story = _author_story(story_id)
    story.author_email = email.strip().lower()
    story.save(update_fields=["author_email", "updated_at"])
    audit(
        actor=None,
        action="stories.story.email_changed" if email else "stories.story.email_erased",
        target=story,
    )
    return story


def story_set_tags(
    *, story: Story, good: list[Tag], improve: list[Tag], feelings: list[Tag]
) -> None:
    """Replace the story's tags: aspects good or to improve (not both), and feelings."""
    StoryTag.objects.filter(story=story).delete()
    StoryTag.objects.bulk_create(
        [StoryTag(story=story, tag=tag, polarity=Polarity.GOOD) for tag in good]
        + [
            StoryTag(story=story, tag=tag, polarity=Polarity.IMPROVE)
            for tag in improve
            if tag not in good
        ]
        + [StoryTag(story=story, tag=tag, polarity=tag.polarity) for tag in feelings]
    )
    story_touch(story.pk)
