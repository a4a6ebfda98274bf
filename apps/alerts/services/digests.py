"""The daily and weekly digests: one email per person listing the stories gathered."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from apps.core.outbox import Email, outbox_add_many
from apps.stories.models import StoryStatus
from apps.stories.selectors import services_named

from ..models import DigestItem, Frequency


def _subject(frequency: str, count: int) -> str:
    if frequency == Frequency.DAILY:
        text = ngettext(
            "Your daily digest: %(count)s new story",
            "Your daily digest: %(count)s new stories",
            count,
        )
    else:
        text = ngettext(
            "Your weekly digest: %(count)s new story",
            "Your weekly digest: %(count)s new stories",
            count,
        )
    return text % {"count": count}


def digests_send(*, frequency: str, now: dt.datetime | None = None) -> int:
    """One email per person listing the stories gathered since their last digest."""
    now = now or timezone.now()
    items = list(
        DigestItem.objects.filter(frequency=frequency, sent_at__isnull=True)
        .select_related("story", "user")
        .prefetch_related(services_named("story__services"))
        .order_by("user_id", "story__published_at")
    )
    per_user: dict[int, list[DigestItem]] = defaultdict(list)
    for item in items:
        per_user[item.user_id].append(item)
    label = "daily" if frequency == Frequency.DAILY else "weekly"
    emails = []
    for entries in per_user.values():
        person = entries[0].user
        if not person.is_active:
            continue
        shown = [
            {
                "story": e.story,
                "about": ", ".join(s.display_name for s in e.story.services.all()),
                "link": settings.SITE_URL + reverse("inbox:story", kwargs={"pk": e.story_id}),
            }
            for e in entries
            if e.story.status == StoryStatus.PUBLISHED
        ]
        if not shown:
            continue
        count = len(shown)
        context = {
            "person": person,
            "entries": shown,
            "label": label,
            "settings_link": settings.SITE_URL + reverse("alerts:index"),
            "site_name": settings.SITE_NAME,
        }
        emails.append(
            Email(
                kind=f"alerts.digest_{label}",
                # One digest per person per run: the newest item keys it.
                key=str(max(e.pk for e in entries)),
                to=person.email,
                subject=_subject(frequency, count),
                text=render_to_string("alerts/email/digest.txt", context),
            )
        )
    with transaction.atomic():
        outbox_add_many(emails)
        DigestItem.objects.filter(pk__in=[i.pk for i in items]).update(sent_at=now)
    return len(emails)
