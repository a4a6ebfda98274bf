"""Reminders: unanswered stories past their trust's target, and planned changes past
their date, to the responders and super-users over them, once each."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import User
from apps.changes.models import Change
from apps.changes.selectors import overdue_changes
from apps.core.outbox import Email, outbox_add_many
from apps.organisations.models import Organisation
from apps.responders.scope import RESPOND, holders_over
from apps.responders.selectors import with_ancestors
from apps.responses.models import Response, ResponseStatus
from apps.stories.models import Story, StoryStatus
from apps.stories.selectors import services_named

from ..models import StoryAlertRun
from .fanout import story_context
from .workingdays import add_working_days

# Unanswered stories are reminded about once, if published within this window.
REMIND_WINDOW = dt.timedelta(days=30)


def reminders_send(now: dt.datetime | None = None) -> int:
    """Remind the responders and super-users over an unanswered story once it passes its
    trust's target (working days after publication). Once per story. Returns stories."""
    now = now or timezone.now()
    candidates = list(
        Story.objects.filter(
            status=StoryStatus.PUBLISHED,
            published_at__gte=now - REMIND_WINDOW,
            published_at__lte=now - dt.timedelta(days=1),
        )
        .exclude(
            Exists(
                Response.objects.filter(story_id=OuterRef("pk"), status=ResponseStatus.PUBLISHED)
            )
        )
        # Only once fanned out (the run row exists) and not yet reminded about: a
        # reminder must never stand in for a fan-out that has not happened.
        .filter(
            Exists(StoryAlertRun.objects.filter(story_id=OuterRef("pk"), reminded_at__isnull=True))
        )
        .prefetch_related(services_named())
        .order_by("published_at")[:500]
    )
    roots = {
        o.path: o.response_target_working_days
        for o in Organisation.objects.filter(
            path__in={s.root_path for story in candidates for s in story.services.all()}
        ).only("path", "response_target_working_days")
    }
    done = 0
    for story in candidates:
        services = list(story.services.all())
        if not services:
            continue
        target = min(roots.get(s.root_path, 2) for s in services)
        if story.published_at is None or add_working_days(story.published_at, target) > now:
            continue
        holders = holders_over(with_ancestors([s.path for s in services]), RESPOND)
        people = User.objects.filter(pk__in=list(holders), is_active=True).only("email")
        context = story_context(story) | {"days": target}
        text = render_to_string("alerts/email/reminder.txt", context)
        with transaction.atomic():
            outbox_add_many(
                [
                    Email(
                        kind="alerts.reminder",
                        key=str(story.pk),
                        to=person.email,
                        subject=ngettext(
                            "No response yet after %(days)s working day: %(title)s",
                            "No response yet after %(days)s working days: %(title)s",
                            target,
                        )
                        % {"days": target, "title": story.display_title},
                        text=text,
                    )
                    for person in people
                ]
            )
            StoryAlertRun.objects.filter(story=story).update(reminded_at=now)
        done += 1
    return done


def overdue_changes_remind(today: dt.date | None = None) -> int:
    """Remind the responders and super-users over a planned change once it is past its
    date (and unmarked), once; moving the date allows one more. Returns changes."""
    today = today or timezone.localdate()
    done = 0
    for change in overdue_changes(today)[:500]:
        holders = holders_over(with_ancestors([change.organisation.path]), RESPOND)
        people = User.objects.filter(pk__in=list(holders), is_active=True).only("email")
        text = render_to_string(
            "alerts/email/change_overdue.txt",
            {
                "change": change,
                "link": settings.SITE_URL + change.get_absolute_url(),
                "settings_link": settings.SITE_URL + reverse("alerts:index"),
                "site_name": settings.SITE_NAME,
            },
        )
        with transaction.atomic():
            # Claimed first, so two sweeps at once remind once.
            claimed = Change.objects.filter(pk=change.pk, reminded_at=None).update(
                reminded_at=timezone.now()
            )
            if not claimed:
                continue
            outbox_add_many(
                [
                    Email(
                        kind="alerts.change_overdue",
                        key=f"{change.pk}:{change.due_on.isoformat()}",
                        to=person.email,
                        subject=_("Overdue since %(date)s: %(summary)s")
                        % {
                            "date": date_format(change.due_on, "j F"),
                            "summary": change.summary[:60],
                        },
                        text=text,
                    )
                    for person in people
                ]
            )
        done += 1
    return done
