"""Reports after publication: a reader reports a published story; a moderator hides it
behind a placeholder giving the reason, edits it (`moderation.story_edit_published`), or
dismisses the reports. Each outcome closes the story's open reports, is audited (who,
what, why) and is told, through the outbox, to the author (if they gave an email) and to
the responders over the story's services.

Reports of responses and author replies live in the responses app (above this one) and
tell people through `report_outcome_tell` here, so every such email reads the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.audit import audit
from apps.core.outbox import Email, outbox_add_many
from apps.core.signals import figures_changed
from apps.responders.permissions import can_moderate
from apps.responders.scope import RESPOND, holders_over
from apps.responders.selectors import with_ancestors

from .languages import in_author_language
from .models import Flag, ModerationDecision, Story, StoryStatus
from .selectors import story_service_paths
from .services import author_access_new, author_link_url
from .taxonomy import ReportOutcome, ReportReason

__all__ = [
    "check_hide_reason",
    "report_outcome_tell",
    "story_flag",
    "story_flags_close",
    "story_hide",
    "story_reports_dismiss",
]


@transaction.atomic
def story_flag(
    *, story: Story, reason: str, note: str, submission_key: uuid.UUID | None = None
) -> Flag:
    """A reader reports a published story to the moderators; the same submission key
    again (a double submit) makes no second report."""
    if story.status != StoryStatus.PUBLISHED:
        raise ValidationError(_("Only a published story can be reported."))
    if submission_key is not None:
        flag, created = Flag.objects.get_or_create(
            submission_key=submission_key,
            defaults={"story": story, "reason": reason, "note": note.strip()},
        )
    else:
        flag, created = Flag.objects.create(story=story, reason=reason, note=note.strip()), True
    if created:
        audit(actor=None, action="stories.flag.created", target=flag, reason=reason)
    return flag


def check_hide_reason(reason: str, note: str) -> None:
    """A placeholder needs a reason from the list, and words of its own for "other"."""
    if reason not in ReportReason.values:
        raise ValidationError({"reason": _("Choose the reason the public will see.")})
    if reason == ReportReason.OTHER and not note.strip():
        raise ValidationError({"public_note": _("Write the reason the public will see.")})


def _moderator(moderator: User) -> None:
    if not can_moderate(moderator):
        raise PermissionDenied


def story_flags_close(*, story: Story, moderator: User, outcome: str, note: str = "") -> list[int]:
    """Close the story's open reports with this outcome; their ids (for the audit)."""
    open_flags = Flag.objects.select_for_update().filter(story=story, resolved_at__isnull=True)
    ids = list(open_flags.values_list("pk", flat=True))
    Flag.objects.filter(pk__in=ids).update(
        resolved_at=timezone.now(),
        resolved_by=moderator,
        outcome=outcome,
        resolution_note=note.strip(),
    )
    return ids


@transaction.atomic
def story_hide(*, story_id: int, moderator: User, reason: str, public_note: str = "") -> Story:
    """Hide a published story behind a placeholder giving the reason: it leaves every
    list, feed, search, API answer and count (they ask for published stories); its page
    says why. Its open reports are closed; the author and the responders are told."""
    _moderator(moderator)
    check_hide_reason(reason, public_note)
    story = Story.objects.select_for_update().get(pk=story_id)
    if story.status != StoryStatus.PUBLISHED:
        raise ValidationError(_("Only a published story can be hidden."))
    story.status = StoryStatus.HIDDEN
    story.hidden_reason = reason
    story.hidden_note = public_note.strip()
    story.locked_by, story.locked_until = None, None
    story.save()
    ModerationDecision.objects.create(
        story=story,
        action=ModerationDecision.Action.HIDDEN,
        moderator=moderator,
        note=story.hidden_because,
    )
    closed = story_flags_close(story=story, moderator=moderator, outcome=ReportOutcome.HIDDEN)
    audit(
        actor=moderator,
        action="stories.story.hidden",
        target=story,
        reason=reason,
        public_note=story.hidden_note,
        reports=closed,
    )
    figures_changed(Story, story_service_paths(story.pk))
    report_outcome_tell(
        story=story,
        item="story",
        outcome=ReportOutcome.HIDDEN,
        because=lazy(lambda: story.hidden_because, str)(),
        key=f"story:{story.pk}",
    )
    return story


@transaction.atomic
def story_reports_dismiss(*, story_id: int, moderator: User, note: str = "") -> list[int]:
    """Dismiss the story's open reports: it stays as it is. The author and the
    responders are told that it was reported and stays."""
    _moderator(moderator)
    story = Story.objects.select_for_update().get(pk=story_id)
    closed = story_flags_close(
        story=story, moderator=moderator, outcome=ReportOutcome.DISMISSED, note=note
    )
    if not closed:
        raise ValidationError(_("This story has no open reports."))
    audit(
        actor=moderator,
        action="stories.flag.dismissed",
        target=story,
        reports=closed,
        note=note.strip(),
    )
    report_outcome_tell(
        story=story,
        item="story",
        outcome=ReportOutcome.DISMISSED,
        because="",
        key=f"story:{story.pk}:{closed[-1]}",
    )
    return closed


def _responders(story: Story) -> list[str]:
    """The addresses of everyone who may respond for the story's services (roles at
    them or above, directly or through a team): one query for the holders, one for
    their addresses."""
    held = holders_over(with_ancestors(story_service_paths(story.pk)), RESPOND)
    return list(
        User.objects.filter(pk__in=list(held), is_active=True)
        .order_by("pk")
        .values_list("email", flat=True)
    )


def report_outcome_tell(
    *,
    story: Story,
    item: str,
    outcome: str,
    because: str | Promise,
    key: str,
    writers: Iterable[str] = (),
) -> int:
    """Email what a moderator did about reports: to the story's author (with a fresh
    private link, where they may see any edit and withdraw) and to the responders over
    its services and the writers of the item (a response's staff writer). `item` is
    "story", "response" or "reply". Nothing staff-only, no reporter, no report note.
    One email per recipient and `key`, so a repeat sends nothing twice. The author's is
    in the author's language (`because` may be lazy, to be read in it too)."""
    emails: list[Email] = []
    if story.author_email:
        emails.append(
            _outcome_to_author(story, item=item, outcome=outcome, because=because, key=key)
        )
    context = {
        "story": story,
        "item": item,
        "outcome": outcome,
        "because": because,
        "site_name": settings.SITE_NAME,
        "public_link": settings.SITE_URL + story.get_absolute_url(),
    }
    subject = _outcome_subject(story, outcome)
    staff_text = render_to_string("stories/email/report_outcome_staff.txt", context)
    addresses = dict.fromkeys(a.lower() for a in [*writers, *_responders(story)] if a)
    emails += [
        Email(
            kind=f"stories.report_{outcome}.staff",
            key=key,
            to=address,
            subject=subject,
            text=staff_text,
        )
        for address in addresses
    ]
    return outbox_add_many(emails)


def _outcome_subject(story: Story, outcome: str) -> str:
    subjects = {
        ReportOutcome.HIDDEN: _("Hidden after a report: %(title)s – %(site)s"),
        ReportOutcome.EDITED: _("Edited after a report: %(title)s – %(site)s"),
        ReportOutcome.DISMISSED: _("A report was looked at: %(title)s – %(site)s"),
    }
    return subjects[ReportOutcome(outcome)] % {
        "title": story.display_title,
        "site": settings.SITE_NAME,
    }


@in_author_language()
def _outcome_to_author(
    story: Story, *, item: str, outcome: str, because: str | Promise, key: str
) -> Email:
    """The author's email about a report's outcome, with a fresh private link."""
    context = {
        "story": story,
        "item": item,
        "outcome": outcome,
        "because": because,
        "site_name": settings.SITE_NAME,
        "public_link": settings.SITE_URL + story.get_absolute_url(),
        "link": author_link_url(author_access_new(story)),
    }
    return Email(
        kind=f"stories.report_{outcome}.author",
        key=key,
        to=story.author_email,
        subject=_outcome_subject(story, outcome),
        text=render_to_string("stories/email/report_outcome_author.txt", context),
        language=translation.get_language(),
    )
