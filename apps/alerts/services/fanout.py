"""Telling the subscribers of a newly published story, once, and the sweep that fans out
what a lost task missed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import User
from apps.core.outbox import Email, outbox_add_many
from apps.stories.models import Story, StoryStatus
from apps.stories.selectors import services_named

from ..models import DigestItem, Frequency, StoryAlertRun
from .recipients import recipients_for

# Stories published longer ago than this are not fanned out by the sweep (they were
# published before alerts existed, or their moment has passed).
SWEEP_WINDOW = dt.timedelta(days=7)


@dataclass(frozen=True)
class FanOut:
    immediate: int
    digest: int


def _story(story_id: int) -> Story | None:
    return (
        Story.objects.filter(pk=story_id, status=StoryStatus.PUBLISHED)
        .prefetch_related(services_named(), "story_tags")
        .first()
    )


def story_fan_out(*, story_id: int) -> FanOut | None:
    """Tell the subscribers of a newly published story, once: an email now for those who
    want it at once, a digest entry for the rest. None if already done or not public."""
    story = _story(story_id)
    if story is None:
        return None
    try:
        with transaction.atomic():
            # The run row is the "done" mark: a second fan-out of the same story waits
            # on this insert and then finds it taken.
            run = StoryAlertRun.objects.create(story=story)
            chosen = recipients_for(story)
            people = {
                u.pk: u
                for u in User.objects.filter(pk__in=list(chosen), is_active=True).only(
                    "pk", "email", "display_name"
                )
            }
            now_ids = [pk for pk, f in chosen.items() if f == Frequency.IMMEDIATE and pk in people]
            later = [
                (pk, f) for pk, f in chosen.items() if f != Frequency.IMMEDIATE and pk in people
            ]
            text = render_to_string("alerts/email/story.txt", story_context(story))
            subject = _("New story about %(about)s: %(title)s") % {
                "about": _about(story),
                "title": story.display_title,
            }
            outbox_add_many(
                [
                    Email(
                        kind="alerts.story",
                        key=str(story.pk),
                        to=people[pk].email,
                        subject=subject,
                        text=text,
                    )
                    for pk in now_ids
                ]
            )
            DigestItem.objects.bulk_create(
                [DigestItem(user_id=pk, story=story, frequency=f) for pk, f in later],
                ignore_conflicts=True,
                batch_size=2000,
            )
            run.recipients = len(now_ids) + len(later)
            run.save(update_fields=["recipients"])
    except IntegrityError:
        return None
    return FanOut(immediate=len(now_ids), digest=len(later))


def _about(story: Story) -> str:
    names = [s.display_name for s in story.services.all()]
    if len(names) <= 1:
        return names[0] if names else _("a service")
    more = len(names) - 1
    return ngettext("%(name)s and %(count)s more", "%(name)s and %(count)s more", more) % {
        "name": names[0],
        "count": more,
    }


def story_context(story: Story) -> dict[str, object]:
    """What the story and reminder emails show: public text and staff links only."""
    return {
        "story": story,
        "about": ", ".join(s.display_name for s in story.services.all()),
        "excerpt": story.body[:600] + ("…" if len(story.body) > 600 else ""),
        "link": settings.SITE_URL + reverse("inbox:story", kwargs={"pk": story.pk}),
        "settings_link": settings.SITE_URL + reverse("alerts:index"),
        "site_name": settings.SITE_NAME,
    }


def fan_out_missed(now: dt.datetime | None = None) -> int:
    """Fan out stories published recently whose fan-out never ran (its task was lost
    while the broker was down, or a worker died). Returns how many it did."""
    now = now or timezone.now()
    missed = (
        Story.objects.filter(status=StoryStatus.PUBLISHED, published_at__gte=now - SWEEP_WINDOW)
        .exclude(Exists(StoryAlertRun.objects.filter(story_id=OuterRef("pk"))))
        .order_by("published_at")
        .values_list("pk", flat=True)
    )
    return sum(story_fan_out(story_id=pk) is not None for pk in list(missed[:200]))
