"""Who hears of what: the fan-out of a published story, digests and reminders.

Every email goes through the outbox in `core`, keyed per (kind, object, recipient), so
running any of these twice (a retried task, the sweep after a broker outage) sends
nothing twice. Emails carry public text only; criticality stays on the staff pages.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.changes.models import Change
from apps.changes.selectors import overdue_changes
from apps.core.audit import audit, refuse
from apps.core.models import OutboxEmail
from apps.core.outbox import Email, outbox_add_many, outbox_requeue
from apps.organisations.models import Organisation
from apps.responders.permissions import is_platform_admin
from apps.responders.scope import (
    RESPOND,
    VIEW_STAFF_DATA,
    holder_covers,
    holders_over,
    scope_of,
)
from apps.responders.selectors import with_ancestors
from apps.responses.models import Response, ResponseStatus
from apps.stories.models import Story, StoryStatus
from apps.stories.selectors import services_named

from .models import URGENCY, DigestItem, Frequency, StoryAlertRun, Subscription

# Stories published longer ago than this are not fanned out by the sweep (they were
# published before alerts existed, or their moment has passed).
SWEEP_WINDOW = dt.timedelta(days=7)
# Unanswered stories are reminded about once, if published within this window.
REMIND_WINDOW = dt.timedelta(days=30)


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


def recipients_for(story: Story) -> dict[int, str]:
    """Each member of staff who should hear of this story, with how soon. A subscription
    counts only while its holder may still see the story as staff; people with a role
    and no subscription of their own get the default, a daily digest. Five queries."""
    paths = with_ancestors([s.path for s in story.services.all()])
    viewers = holders_over(paths, VIEW_STAFF_DATA)
    tag_ids = [st.tag_id for st in story.story_tags.all()]
    through = Subscription.tags.through
    matching = (
        Subscription.objects.filter(organisation__path__in=paths)
        .filter(Q(min_criticality__isnull=True) | Q(min_criticality__lte=story.criticality or 0))
        .filter(
            ~Exists(through.objects.filter(subscription_id=OuterRef("pk")))
            | Exists(through.objects.filter(subscription_id=OuterRef("pk"), tag_id__in=tag_ids))
        )
        .values_list("user_id", "frequency")
    )
    chosen: dict[int, str] = {}
    for user_id, frequency in matching:
        if user_id in viewers:
            chosen[user_id] = min(chosen.get(user_id, frequency), frequency, key=URGENCY.index)
    # A subscription left behind at a node where the person no longer holds a role does
    # not count as their own choice: they fall back to the default for their roles now.
    with_own = set(
        Subscription.objects.filter(user_id__in=list(viewers))
        .filter(holder_covers(VIEW_STAFF_DATA, user="user_id", path="organisation__path"))
        .values_list("user_id", flat=True)
    )
    for user_id in viewers:
        if user_id not in with_own:
            chosen.setdefault(user_id, Frequency.DAILY)
    return chosen


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
            text = render_to_string("alerts/email/story.txt", _story_context(story))
            subject = f"New story about {_about(story)}: {story.display_title}"
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
        return names[0] if names else "a service"
    return f"{names[0]} and {len(names) - 1} more"


def _story_context(story: Story) -> dict[str, object]:
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
        context = {
            "person": person,
            "entries": [
                {
                    "story": e.story,
                    "about": ", ".join(s.display_name for s in e.story.services.all()),
                    "link": settings.SITE_URL + reverse("inbox:story", kwargs={"pk": e.story_id}),
                }
                for e in entries
                if e.story.status == StoryStatus.PUBLISHED
            ],
            "label": label,
            "settings_link": settings.SITE_URL + reverse("alerts:index"),
            "site_name": settings.SITE_NAME,
        }
        if not context["entries"]:
            continue
        count = len(context["entries"])  # type: ignore[arg-type]
        emails.append(
            Email(
                kind=f"alerts.digest_{label}",
                # One digest per person per run: the newest item keys it.
                key=str(max(e.pk for e in entries)),
                to=person.email,
                subject=f"Your {label} digest: {count} new stor{'y' if count == 1 else 'ies'}",
                text=render_to_string("alerts/email/digest.txt", context),
            )
        )
    with transaction.atomic():
        outbox_add_many(emails)
        DigestItem.objects.filter(pk__in=[i.pk for i in items]).update(sent_at=now)
    return len(emails)


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """`days` working days (Monday to Friday) after `start`, counted on the site's local
    calendar (a story published early on Saturday in summer time is a Saturday story).
    Bank holidays are not known."""
    moment = timezone.localtime(start)
    left = days
    while left > 0:
        # Adding days to a zoned datetime keeps the local clock time across a clock change.
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            left -= 1
    return moment


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
        if add_working_days(story.published_at, target) > now:  # type: ignore[arg-type]
            continue
        holders = holders_over(with_ancestors([s.path for s in services]), RESPOND)
        people = User.objects.filter(pk__in=list(holders), is_active=True).only("email")
        context = _story_context(story) | {"days": target}
        text = render_to_string("alerts/email/reminder.txt", context)
        with transaction.atomic():
            outbox_add_many(
                [
                    Email(
                        kind="alerts.reminder",
                        key=str(story.pk),
                        to=person.email,
                        subject=f"No response yet after {target} working days: "
                        f"{story.display_title}",
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
                        subject=f"Overdue since {change.due_on:%-d %B}: {change.summary[:60]}",
                        text=text,
                    )
                    for person in people
                ]
            )
        done += 1
    return done


@transaction.atomic
def subscription_add(
    *,
    user: User,
    organisation: Organisation,
    frequency: str,
    min_criticality: int | None,
    tags: list[object],
) -> Subscription:
    """A member of staff subscribes to a node they may see as staff."""
    if not scope_of(user).covers(VIEW_STAFF_DATA, organisation):
        raise ValidationError({"organisation": "Choose a part of the organisation you work in."})
    subscription = Subscription.objects.create(
        user=user, organisation=organisation, frequency=frequency, min_criticality=min_criticality
    )
    subscription.tags.set(tags)  # type: ignore[arg-type]
    return subscription


def subscription_remove(*, user: User, subscription: Subscription) -> None:
    """Only the subscriber removes their own subscription."""
    if subscription.user_id != user.pk:
        refuse(
            actor=user,
            action="alerts.subscription.remove_refused",
            target=subscription,
            organisation_path=subscription.organisation.path,
        )
    subscription.delete()


def outbox_retry(*, actor: User, pk: int) -> bool:
    """A platform admin sends a failed email again, from a fresh count of attempts."""
    if not is_platform_admin(actor):
        refuse(actor=actor, action="core.outbox_email.retry_refused", target=OutboxEmail(pk=pk))
    with transaction.atomic():
        retried = outbox_requeue(pk)
        if retried:
            audit(actor=actor, action="core.outbox_email.retried", target=OutboxEmail(pk=pk))
    return retried
