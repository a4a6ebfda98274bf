"""Moderation: the queue, one moderator at a time, and decisions with their side effects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from apps.accounts.models import User
from apps.core.audit import audit
from apps.core.jobs import enqueue_after_commit
from apps.core.outbox import outbox_add
from apps.core.pii import Mark, find_personal_data
from apps.core.signals import figures_changed
from apps.organisations.models import Organisation
from apps.responders.permissions import can_moderate

from .models import ModerationDecision, Story, StoryRevision, StoryStatus, Tag
from .selectors import services_named, story_service_paths
from .services import author_access_new, author_link_url, story_set_tags
from .taxonomy import RejectionReason
from .tokens import token_hash

LOCK_MINUTES = 15
QUEUE_STATUSES = (StoryStatus.AWAITING_MODERATION, StoryStatus.AWAITING_AUTHOR)


class Action:
    PUBLISH = "publish"
    ASK_AUTHOR = "ask_author"
    REJECT = "reject"
    SAVE = "save"


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
    return (
        Story.objects.filter(flags__isnull=False, flags__resolved_at__isnull=True)
        .annotate(open_flags=Count("flags"))
        .distinct()
        .order_by("pk")
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


@transaction.atomic
def story_moderate(  # noqa: C901 (issue 15 splits it)
    *,
    story_id: int,
    moderator: User,
    action: str,
    title: str,
    body: str,
    criticality: int | None,
    moderator_note: str,
    good: list[Tag],
    improve: list[Tag],
    feelings: list[Tag],
    reason: str = "",
    rejection_note: str = "",
) -> Story:
    """Save edits (keeping every revision) and decide: publish, ask the author, or reject.

    Only the moderator holding the story's lock may act. The author is emailed after commit.
    """
    if not can_moderate(moderator):
        raise PermissionDenied
    story = Story.objects.select_for_update().get(pk=story_id)
    now = timezone.now()
    holder = story.holder_at(now)
    if holder is None or holder.pk != moderator.pk:
        raise ValidationError(
            f"{holder} is moderating this story now."
            if holder
            else "Your hold on this story has expired: open it again to carry on."
        )
    if story.status not in QUEUE_STATUSES:
        raise ValidationError("This story has already been decided.")
    if action == Action.PUBLISH and criticality is None:
        raise ValidationError({"criticality": "Set the criticality before publishing."})
    if action == Action.REJECT and not reason:
        raise ValidationError({"reason": "Choose why the story is not published."})
    if action == Action.REJECT and reason == RejectionReason.OTHER and not rejection_note.strip():
        raise ValidationError({"rejection_note": "Explain the reason to the author."})

    edited = (title.strip(), body.strip()) != (story.title, story.body)
    if edited:
        last = story.revisions.order_by("-number").values_list("number", flat=True).first() or 0
        StoryRevision.objects.create(
            story=story, number=last + 1, title=title.strip(), body=body.strip(), made_by=moderator
        )
        story.title, story.body = title.strip(), body.strip()
    story.criticality = criticality
    story.moderator_note = moderator_note.strip()
    story_set_tags(story=story, good=good, improve=improve, feelings=feelings)

    decision = {
        Action.PUBLISH: ModerationDecision.Action.PUBLISHED,
        Action.ASK_AUTHOR: ModerationDecision.Action.ASKED_AUTHOR,
        Action.REJECT: ModerationDecision.Action.REJECTED,
    }.get(action)
    if action == Action.PUBLISH:
        story.status = StoryStatus.PUBLISHED
        story.published_at = now
    elif action == Action.ASK_AUTHOR:
        story.status = StoryStatus.AWAITING_AUTHOR
    elif action == Action.REJECT:
        story.status = StoryStatus.REJECTED
        story.rejection_reason = reason
        story.rejection_note = rejection_note.strip()
    if decision:
        story.locked_by, story.locked_until = None, None
        ModerationDecision.objects.create(
            story=story,
            action=decision,
            moderator=moderator,
            reason=reason,
            note=rejection_note.strip(),
        )
    story.save()
    audit(
        actor=moderator,
        action=f"stories.story.{decision or 'edited'}",
        target=story,
        edited=edited,
        reason=reason,
    )
    if decision and story.author_email:
        _tell_author(story, str(decision))
    if action == Action.PUBLISH:
        figures_changed(Story, story_service_paths(story.pk))
        # The alerts app (above this one) tells the subscribers; by name, after commit.
        enqueue_after_commit("alerts.fan_out_story", story.pk)
    return story


def _tell_author(story: Story, decision: str) -> None:
    """Email the author about a decision, with a fresh private link. Nothing staff-only."""
    token = author_access_new(story)
    link = author_link_url(token)
    context = {"story": story, "decision": decision, "link": link, "site_name": settings.SITE_NAME}
    subjects = {
        "published": "Your story has been published",
        "asked_author": "Please check the edits to your story",
        "rejected": "We could not publish your story",
    }
    outbox_add(
        kind=f"stories.{decision}",
        key=f"{story.pk}:{token_hash(token)[:16]}",
        to=story.author_email,
        subject=f"{subjects[decision]} – {settings.SITE_NAME}",
        text=render_to_string("stories/email/decision.txt", context),
    )
