"""Recording changes planned, made or not going ahead, and the stories they answer.

Each service checks permission first (a refusal is audited outside the transaction),
then changes rows, audits, tells the public figures they moved, and queues the emails
to the authors of the stories concerned in the same transaction (the outbox).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import User
from apps.core.audit import audit, refuse
from apps.core.outbox import Email, outbox_add_many
from apps.core.request_memo import forget
from apps.core.signals import figures_changed
from apps.organisations.models import Organisation
from apps.responders.scope import RESPOND, scope_of
from apps.responses.models import Response, ResponseStatus
from apps.stories.languages import in_author_language
from apps.stories.models import Story, StoryService, StoryStatus

from .models import Change, ChangeStatus, ChangeStory
from .permissions import can_record_for, can_record_on, can_update
from .selectors import STORY_CHANGES

MAX_LENGTH = 2000
# How far ahead a plan may be dated: further than this is not a plan people can hold
# the organisation to.
LONGEST_PLAN = dt.timedelta(days=3 * 366)


def record_nodes(user: User, story: Story) -> list[Organisation]:
    """The nodes this user may record a change for on this story: each of its services and
    the nodes above them that lie inside the user's responder scope (as `respond_nodes`,
    but a referral does not count). One query."""
    return scope_of(user).nodes_within(RESPOND, story.services.all())


def _text(value: str, field: str, missing: str) -> str:
    text = value.strip()
    if not text:
        raise ValidationError({field: missing})
    if len(text) > MAX_LENGTH:
        raise ValidationError({field: _("Keep it under %(max)s characters.") % {"max": MAX_LENGTH}})
    return text


def _check_due(due_on: dt.date, today: dt.date) -> None:
    if due_on < today:
        raise ValidationError({"due_on": _("Choose today or a later date.")})
    if due_on > today + LONGEST_PLAN:
        raise ValidationError({"due_on": _("Choose a date within the next three years.")})


def _response_of(story: Story, response_id: int | None) -> Response | None:
    if response_id is None:
        return None
    response = Response.objects.filter(
        pk=response_id, story=story, status=ResponseStatus.PUBLISHED
    ).first()
    if response is None:
        raise ValidationError({"response": _("Choose one of this story's published responses.")})
    return response


def _paths(change: Change, story_ids: Iterable[int]) -> list[str]:
    """The nodes whose figures a change touches: its own and its stories' services."""
    services = StoryService.objects.filter(story_id__in=list(story_ids)).values_list(
        "organisation__path", flat=True
    )
    return [change.organisation.path, *services]


def change_plan(
    *,
    actor: User,
    story: Story,
    organisation: Organisation,
    summary: str,
    due_on: dt.date,
    response_id: int | None = None,
    submission_key: uuid.UUID | None = None,
) -> Change:
    """Record a planned change for a node in the actor's scope, answering a story (and
    one of its responses); the author is emailed. Audited. A double submit makes one."""
    forget(STORY_CHANGES)  # story pages read in this request see the write
    if not can_record_on(actor, story) or not can_record_for(actor, organisation):
        refuse(
            actor=actor,
            action="changes.change.refused",
            target=story,
            organisation_path=organisation.path,
        )
    if submission_key is not None:
        done = Change.objects.filter(submission_key=submission_key).first()
        if done is not None:
            return done
    today = timezone.localdate()
    text = _text(summary, "summary", _("Say what will change."))
    _check_due(due_on, today)
    response = _response_of(story, response_id)
    try:
        with transaction.atomic():
            change = Change.objects.create(
                organisation=organisation,
                summary=text,
                due_on=due_on,
                status_on=today,
                recorded_by=actor,
                recorded_by_name=actor.display_name,
                recorded_by_job_title=actor.job_title,
                submission_key=submission_key,
            )
            ChangeStory.objects.create(
                change=change, story=story, response=response, linked_by=actor
            )
            audit(
                actor=actor,
                action="changes.change.planned",
                target=change,
                organisation_path=organisation.path,
                story_id=story.pk,
            )
            figures_changed(Change, _paths(change, [story.pk]))
            _tell_authors(change, [story])
    except IntegrityError:
        # The same form sent twice at once: the other request made the change.
        if submission_key is None:
            raise
        return Change.objects.get(submission_key=submission_key)
    return change


def _may_update_or_refuse(actor: User, change: Change, verb: str) -> None:
    if not can_update(actor, change):
        refuse(
            actor=actor,
            action=f"changes.change.{verb}_refused",
            target=change,
            organisation_path=change.organisation.path,
        )


def _locked(change: Change, *, planned: bool = True) -> Change:
    locked = Change.objects.select_for_update().select_related("organisation").get(pk=change.pk)
    if planned and locked.status != ChangeStatus.PLANNED:
        raise ValidationError(
            _("This change is already marked “%(status)s”.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def change_edit(*, actor: User, change: Change, summary: str, due_on: dt.date) -> Change:
    """Correct a planned change's text or move its date (a new date may be reminded of
    again). Audited; nobody is emailed."""
    forget(STORY_CHANGES)  # story pages read in this request see the write
    _may_update_or_refuse(actor, change, "edit")
    text = _text(summary, "summary", _("Say what will change."))
    _check_due(due_on, timezone.localdate())
    with transaction.atomic():
        change = _locked(change)
        if due_on != change.due_on:
            change.reminded_at = None
        change.summary, change.due_on = text, due_on
        change.save()
        audit(
            actor=actor,
            action="changes.change.edited",
            target=change,
            organisation_path=change.organisation.path,
        )
    return change


def change_mark_made(*, actor: User, change: Change, made_summary: str, made_on: dt.date) -> Change:
    """A planned change is made: what changed and when. The authors of its stories are
    emailed. Audited."""
    forget(STORY_CHANGES)  # story pages read in this request see the write
    _may_update_or_refuse(actor, change, "mark_made")
    text = _text(made_summary, "made_summary", _("Say what changed."))
    if made_on > timezone.localdate():
        raise ValidationError({"made_on": _("A change is marked made once it has happened.")})
    with transaction.atomic():
        change = _locked(change)
        change.status, change.made_summary, change.made_on = ChangeStatus.MADE, text, made_on
        change.status_on = made_on
        change.save()
        _after_status(actor, change, "made")
    return change


def change_stop(*, actor: User, change: Change, reason: str) -> Change:
    """A planned change is not going ahead, and the public is told why; so are the
    authors of its stories. Audited."""
    forget(STORY_CHANGES)  # story pages read in this request see the write
    _may_update_or_refuse(actor, change, "stop")
    text = _text(reason, "reason", _("Say why the change is not going ahead."))
    with transaction.atomic():
        change = _locked(change)
        change.status, change.reason = ChangeStatus.NOT_GOING_AHEAD, text
        change.status_on = timezone.localdate()
        change.save()
        _after_status(actor, change, "stopped")
    return change


def _after_status(actor: User, change: Change, verb: str) -> None:
    audit(
        actor=actor,
        action=f"changes.change.{verb}",
        target=change,
        organisation_path=change.organisation.path,
    )
    stories = list(
        Story.objects.filter(changes=change, status=StoryStatus.PUBLISHED).order_by("pk")
    )
    figures_changed(Change, _paths(change, [s.pk for s in stories]))
    _tell_authors(change, stories)


def change_link(
    *, actor: User, change: Change, story: Story, response_id: int | None = None
) -> ChangeStory:
    """One change often answers many stories: link another story in the actor's scope
    (and which of its responses said so). Its author is told. Audited."""
    forget(STORY_CHANGES)  # story pages read in this request see the write
    _may_update_or_refuse(actor, change, "link")
    if not can_record_on(actor, story):
        refuse(
            actor=actor,
            action="changes.change.link_refused",
            target=story,
            organisation_path=change.organisation.path,
        )
    response = _response_of(story, response_id)
    with transaction.atomic():
        change = _locked(change, planned=False)
        link, created = ChangeStory.objects.get_or_create(
            change=change, story=story, defaults={"response": response, "linked_by": actor}
        )
        if not created:
            raise ValidationError(_("This story is already linked to that change."))
        audit(
            actor=actor,
            action="changes.change.linked",
            target=change,
            organisation_path=change.organisation.path,
            story_id=story.pk,
        )
        figures_changed(Change, _paths(change, [story.pk]))
        if change.status != ChangeStatus.NOT_GOING_AHEAD:
            _tell_authors(change, [story])
    return link


def change_unlink(*, actor: User, change: Change, story_id: int) -> None:
    """Take a story off a change it was linked to by mistake. Audited."""
    forget(STORY_CHANGES)  # story pages read in this request see the write
    _may_update_or_refuse(actor, change, "unlink")
    with transaction.atomic():
        change = _locked(change, planned=False)
        deleted, _by_model = ChangeStory.objects.filter(change=change, story_id=story_id).delete()
        if not deleted:
            raise ValidationError(_("That story is not linked to this change."))
        audit(
            actor=actor,
            action="changes.change.unlinked",
            target=change,
            organisation_path=change.organisation.path,
            story_id=story_id,
        )
        figures_changed(Change, _paths(change, [story_id]))


SUBJECTS = {
    ChangeStatus.PLANNED: gettext_lazy("%(name)s plans a change after your story"),
    ChangeStatus.MADE: gettext_lazy("%(name)s made a change after your story"),
    ChangeStatus.NOT_GOING_AHEAD: gettext_lazy(
        "A change %(name)s planned after your story is not going ahead"
    ),
}


def _tell_authors(change: Change, stories: list[Story]) -> None:
    """Email each story's author what the change is now: the public text only, with
    links to the story and the organisation's register. One email per status and story."""
    told = [s for s in stories if s.author_email and s.status == StoryStatus.PUBLISHED]
    if not told:
        return
    outbox_add_many([_to_author(story, change) for story in told])


@in_author_language()
def _to_author(story: Story, change: Change) -> Email:
    """One author's email about the change, in their language (its links too)."""
    organisation = change.organisation
    subject = (
        SUBJECTS[ChangeStatus(change.status)] % {"name": organisation.name}
        + f" – {settings.SITE_NAME}"
    )
    register = settings.SITE_URL + reverse("changes:register", kwargs={"slug": organisation.slug})
    return Email(
        kind="changes.change_to_author",
        key=f"{change.status}:{change.pk}:{story.pk}",
        to=story.author_email,
        subject=subject,
        text=render_to_string(
            "changes/email/to_author.txt",
            {
                "story": story,
                "change": change,
                "organisation": organisation,
                "public_link": settings.SITE_URL + story.get_absolute_url(),
                "register": register,
                "site_name": settings.SITE_NAME,
            },
        ),
        language=translation.get_language(),
    )
