"""Moderation: one moderator at a time, and the named decisions with their side effects.

Each decision is its own service (`story_publish`, `story_ask_author`, `story_reject`,
`story_save_edits`), so there is no "action" to mistype: the decisions a story can get
are `ModerationDecision.Action`, and saving edits is not one of them. Reads for
moderators are in `selectors_moderation`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import User
from apps.core.audit import audit
from apps.core.outbox import outbox_add
from apps.core.signals import figures_changed
from apps.responders.permissions import can_moderate

from . import holds, safeguarding
from .languages import in_author_language
from .models import ModerationDecision, SafeguardingCase, Story, StoryRevision, StoryStatus, Tag
from .reports import report_outcome_tell, story_flags_close
from .selectors import story_service_paths
from .selectors_moderation import QUEUE_STATUSES
from .services import author_access_new, author_link_url, story_set_tags
from .taxonomy import RejectionReason, ReportOutcome
from .tokens import token_hash

__all__ = [
    "LOCK_MINUTES",
    "QUEUE_STATUSES",
    "Lock",
    "StoryEdits",
    "story_ask_author",
    "story_lock",
    "story_publish",
    "stories_release_held",
    "story_reject",
    "story_edit_published",
    "story_release_held",
    "story_save_edits",
]

LOCK_MINUTES = 15
Decision = ModerationDecision.Action


@dataclass(frozen=True)
class Lock:
    held: bool
    holder: User | None
    until: dt.datetime | None


@transaction.atomic
def story_lock(*, story_id: int, moderator: User) -> Lock:
    """Take (or renew) the story for this moderator unless another holds it."""
    if not can_moderate(moderator):
        raise PermissionDenied
    story = Story.objects.select_for_update().get(pk=story_id)
    now = timezone.now()
    holder = story.holder_at(now)
    if holder is not None and holder.pk != moderator.pk:
        return Lock(held=False, holder=holder, until=story.locked_until)
    story.locked_by = moderator
    story.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
    story.save(update_fields=["locked_by", "locked_until", "updated_at"])
    return Lock(held=True, holder=moderator, until=story.locked_until)


@dataclass(frozen=True)
class StoryEdits:
    """What the moderator may change on the story, whatever they decide."""

    title: str
    body: str
    criticality: int | None = None
    moderator_note: str = ""
    good: Sequence[Tag] = ()
    improve: Sequence[Tag] = ()
    feelings: Sequence[Tag] = ()
    # "" keeps the level the story has (none set yet, for most).
    safeguarding_level: str = ""
    # "" keeps the language the story has.
    language: str = ""


@transaction.atomic
def story_publish(*, story_id: int, moderator: User, edits: StoryEdits) -> Story:
    """Publish with the edits; needs a criticality. After commit the author is emailed,
    the organisations' figures are marked stale and subscribers are alerted."""
    story = _held(story_id, moderator)
    safeguarding.decision_check(
        story=story, level=edits.safeguarding_level, publishing_or_rejecting=True
    )
    if edits.criticality is None:
        raise ValidationError({"criticality": _("Set the criticality before publishing.")})
    edited = _apply_edits(story, moderator, edits)
    safeguarding.case_close(
        story=story, moderator=moderator, decision=SafeguardingCase.Decision.PUBLISHED
    )
    # Severely critical stories, and those of a trust that asks, wait for its right of
    # reply first (holds.py); the author is told when it will be published.
    held = holds.publish_or_hold(story, timezone.now())
    _record(story, moderator, Decision.PUBLISHED, edited=edited)
    if held:
        audit(actor=moderator, action="stories.story.held", target=story, reason="")
    holds.after_publish_or_hold(story)
    return story


@transaction.atomic
def story_ask_author(*, story_id: int, moderator: User, edits: StoryEdits) -> Story:
    """Save the edits and ask the author to approve them; the author is emailed."""
    story = _held(story_id, moderator)
    safeguarding.decision_check(
        story=story, level=edits.safeguarding_level, publishing_or_rejecting=False
    )
    edited = _apply_edits(story, moderator, edits)
    story.status = StoryStatus.AWAITING_AUTHOR
    _record(story, moderator, Decision.ASKED_AUTHOR, edited=edited)
    return story


@transaction.atomic
def story_reject(
    *, story_id: int, moderator: User, edits: StoryEdits, reason: str, note: str = ""
) -> Story:
    """Reject with a reason (and a note when the reason is "other"); the author is
    emailed the reason, never anything staff-only."""
    story = _held(story_id, moderator)
    safeguarding.decision_check(
        story=story, level=edits.safeguarding_level, publishing_or_rejecting=True
    )
    if not reason:
        raise ValidationError({"reason": _("Choose why the story is not published.")})
    if reason == RejectionReason.OTHER and not note.strip():
        raise ValidationError({"rejection_note": _("Explain the reason to the author.")})
    edited = _apply_edits(story, moderator, edits)
    safeguarding.case_close(
        story=story, moderator=moderator, decision=SafeguardingCase.Decision.REJECTED
    )
    story.status = StoryStatus.REJECTED
    story.closed_at = timezone.now()  # its words are purged after settings.PURGE_AFTER_DAYS
    story.rejection_reason = reason
    story.rejection_note = note.strip()
    _record(story, moderator, Decision.REJECTED, edited=edited, reason=reason, note=note.strip())
    return story


@transaction.atomic
def story_save_edits(*, story_id: int, moderator: User, edits: StoryEdits) -> Story:
    """Save the edits without deciding; the moderator keeps the story."""
    story = _held(story_id, moderator)
    edited = _apply_edits(story, moderator, edits)
    story.save()
    audit(actor=moderator, action="stories.story.edited", target=story, edited=edited, reason="")
    return story


@transaction.atomic
def story_edit_published(*, story_id: int, moderator: User, edits: StoryEdits) -> Story:
    """Edit a published story after a reader's report: it stays published with the
    edit; the author sees the difference on their private page and may withdraw. Its
    open reports are closed as edited; the author and the responders are told."""
    story = _held(story_id, moderator, statuses=(StoryStatus.PUBLISHED,))
    if not story.revisions.exists():
        # The text as published is what the author compares the edit with.
        StoryRevision.objects.create(story=story, number=0, title=story.title, body=story.body)
    edited = _apply_edits(story, moderator, edits)
    story.locked_by, story.locked_until = None, None
    story.save()
    ModerationDecision.objects.create(
        story=story, action=Decision.EDITED_PUBLISHED, moderator=moderator
    )
    closed = story_flags_close(story=story, moderator=moderator, outcome=ReportOutcome.EDITED)
    audit(
        actor=moderator,
        action="stories.story.edited_published",
        target=story,
        edited=edited,
        reports=closed,
    )
    figures_changed(Story, story_service_paths(story.pk))
    revision = story.revisions.order_by("-number").values_list("number", flat=True).first()
    report_outcome_tell(
        story=story,
        item="story",
        outcome=ReportOutcome.EDITED,
        because="",
        key=f"story:{story.pk}:revision:{revision}",
    )
    return story


@transaction.atomic
def story_release_held(*, story_id: int, now: dt.datetime | None = None) -> bool:
    """Publish a held story whose right of reply has ended, as a publish decision does
    (figures, subscribers' alerts, the author's email), with any response already beside
    it. Exactly once: the row is locked and its status tested in the same statement, so a
    second run, at once or later, finds it no longer held and does nothing."""
    now = now or timezone.now()
    story = (
        Story.objects.select_for_update()
        .filter(pk=story_id, status=StoryStatus.HELD, held_until__lte=now)
        .first()
    )
    if story is None:
        return False
    story.status = StoryStatus.PUBLISHED
    story.published_at = now
    story.save(update_fields=["status", "published_at", "updated_at"])
    audit(actor=None, action="stories.story.hold_ended", target=story)
    holds.after_publish_or_hold(story)
    if story.author_email:
        _tell_author(story, Decision.PUBLISHED)
    return True


def stories_release_held(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Publish every held story whose right of reply has ended (the oldest first, at most
    `limit` a run); each in its own transaction. Returns how many this run published."""
    now = now or timezone.now()
    due = (
        Story.objects.filter(status=StoryStatus.HELD, held_until__lte=now)
        .order_by("held_until", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(story_release_held(story_id=pk, now=now) for pk in list(due))


def _held(
    story_id: int, moderator: User, statuses: tuple[StoryStatus, ...] = QUEUE_STATUSES
) -> Story:
    """The story, locked for update, if this moderator holds it and it is undecided."""
    if not can_moderate(moderator):
        raise PermissionDenied
    story = Story.objects.select_for_update().get(pk=story_id)
    holder = story.holder_at(timezone.now())
    if holder is None or holder.pk != moderator.pk:
        raise ValidationError(
            _("%(moderator)s is moderating this story now.") % {"moderator": holder}
            if holder
            else _("Your hold on this story has expired: open it again to carry on.")
        )
    if story.status not in statuses:
        raise ValidationError(_("This story has already been decided."))
    return story


def _apply_edits(story: Story, moderator: User, edits: StoryEdits) -> bool:
    """Copy the edits onto the (unsaved) story, keeping a revision if the text changed."""
    title, body = edits.title.strip(), edits.body.strip()
    edited = (title, body) != (story.title, story.body)
    if edited:
        last = story.revisions.order_by("-number").values_list("number", flat=True).first() or 0
        StoryRevision.objects.create(
            story=story, number=last + 1, title=title, body=body, made_by=moderator
        )
        story.title, story.body = title, body
    story.criticality = edits.criticality
    story.moderator_note = edits.moderator_note.strip()
    _correct_language(story, moderator, edits.language)
    safeguarding.level_set(
        story=story,
        moderator=moderator,
        level=edits.safeguarding_level,
        note=story.moderator_note,
    )
    story_set_tags(
        story=story,
        good=list(edits.good),
        improve=list(edits.improve),
        feelings=list(edits.feelings),
    )
    return edited


def _correct_language(story: Story, moderator: User, language: str) -> None:
    """A moderator's correction of the story's language, audited with the one it had.
    (Its search words follow at the save: PostgreSQL derives them from it.)"""
    if not language or language == story.language:
        return
    audit(
        actor=moderator,
        action="stories.story.language_corrected",
        target=story,
        before=story.language,
        after=language,
    )
    story.language = language


def _record(
    story: Story,
    moderator: User,
    decision: ModerationDecision.Action,
    *,
    edited: bool,
    reason: str = "",
    note: str = "",
) -> None:
    """Release the lock, save the story and its decision, audit, and email the author."""
    story.locked_by, story.locked_until = None, None
    ModerationDecision.objects.create(
        story=story, action=decision, moderator=moderator, reason=reason, note=note
    )
    story.save()
    audit(
        actor=moderator,
        action=f"stories.story.{decision}",
        target=story,
        edited=edited,
        reason=reason,
    )
    if story.author_email:
        _tell_author(story, decision)


_SUBJECTS = {
    Decision.PUBLISHED: gettext_lazy("Your story has been published – %(site)s"),
    Decision.ASKED_AUTHOR: gettext_lazy("Please check the edits to your story – %(site)s"),
    Decision.REJECTED: gettext_lazy("We could not publish your story – %(site)s"),
}


def _subject(story: Story, decision: ModerationDecision.Action) -> str:
    if story.status == StoryStatus.HELD:
        subject = _("Your story will be published soon – %(site)s")
    else:
        subject = str(_SUBJECTS[decision])
    return subject % {"site": settings.SITE_NAME}


@in_author_language()
def _tell_author(story: Story, decision: ModerationDecision.Action) -> None:
    """Email the author about a decision, with a fresh private link. Nothing staff-only."""
    token = author_access_new(story)
    link = author_link_url(token)
    context = {
        "story": story,
        "decision": str(decision),
        "link": link,
        "site_name": settings.SITE_NAME,
    }
    outbox_add(
        kind=f"stories.{decision}",
        key=f"{story.pk}:{token_hash(token)[:16]}",
        to=story.author_email,
        subject=_subject(story, decision),
        text=render_to_string("stories/email/decision.txt", context),
    )
