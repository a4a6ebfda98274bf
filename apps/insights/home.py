"""The staff home's summary: the user's part of the tree, this month against last.

Read in a fixed number of queries whatever the data: the scope's paths (one, shared with
the rest of the page), one aggregate over the scope's published stories (this month,
last month, unanswered and overdue), and one for the latest three changes made with
how many were made this month and last. Months are calendar months on the site's clock
(settings.TIME_ZONE).

"Overdue" is the inbox's own test (`responses.selectors.link_overdue`): no published
response past the trust's target of working days, counted as the reminders count them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, Window
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.http import AnyUser
from apps.changes.models import Change, ChangeStatus
from apps.responders.scope import VIEW_STAFF_DATA, scope_of, under
from apps.responses.selectors import link_overdue, scope_links
from apps.stories.models import StoryStatus

from . import display

LATEST_CHANGES = 3


@dataclass(frozen=True)
class Months:
    """This calendar month so far and the one before, in the site's time zone.

    `same_point` is as far into last month as `now` is into this one (the end of last
    month when it is shorter), so "so far this month" is compared fairly."""

    now: dt.datetime
    this_start: dt.datetime
    last_start: dt.datetime
    same_point: dt.datetime

    @classmethod
    def at(cls, now: dt.datetime) -> Months:
        zone = ZoneInfo(settings.TIME_ZONE)
        local = now.astimezone(zone)
        first = local.date().replace(day=1)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        # Local midnights; each month's first day has its own UTC offset (summer time).
        this_start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
        last_start = dt.datetime.combine(previous, dt.time.min, tzinfo=zone)
        same_point = min(last_start + (local - this_start), this_start)
        return cls(now=now, this_start=this_start, last_start=last_start, same_point=same_point)

    @property
    def last_end_date(self) -> dt.date:
        return self.this_start.date() - dt.timedelta(days=1)


@dataclass(frozen=True)
class ChangeMade:
    summary: str
    organisation: str
    made_on: dt.date
    url: str


@dataclass(frozen=True)
class HomeSummary:
    """The figures, and each in plain words with its direction of change."""

    months: Months
    stories_this: int
    stories_last_same: int  # last month, up to the same point
    stories_last: int  # all of last month
    answered_this: int
    answered_last: int
    unanswered: int
    overdue: int
    made_this: int
    made_last: int
    latest: list[ChangeMade]

    @property
    def stories_words(self) -> str:
        told = ngettext(
            "%(count)s story published so far this month",
            "%(count)s stories published so far this month",
            self.stories_this,
        ) % {"count": self.stories_this}
        # Translators: "3 stories published so far this month" and "1 more than by this
        # point last month." make one sentence.
        return _("%(told)s, %(compared)s") % {
            "told": told,
            "compared": _more_or_fewer(self.stories_this, self.stories_last_same),
        }

    @property
    def stories_last_words(self) -> str:
        return ngettext(
            "%(count)s in all of last month.",
            "%(count)s in all of last month.",
            self.stories_last,
        ) % {"count": self.stories_last}

    @property
    def waiting_words(self) -> str:
        if not self.unanswered:
            return _("Every published story has a response.")
        waiting = ngettext(
            "%(count)s story waits for a response",
            "%(count)s stories wait for a response",
            self.unanswered,
        ) % {"count": self.unanswered}
        if not self.overdue:
            return _("%(waiting)s; none is past its response target.") % {"waiting": waiting}
        overdue = ngettext(
            "%(count)s of them is past its response target",
            "%(count)s of them are past their response target",
            self.overdue,
        ) % {"count": self.overdue}
        return _("%(waiting)s; %(overdue)s.") % {"waiting": waiting, "overdue": overdue}

    @property
    def rate_words(self) -> str:
        this = display.whole_percent(self.answered_this, self.stories_this)
        last = display.whole_percent(self.answered_last, self.stories_last)
        if this is None:
            return _("No stories yet this month to respond to.")
        now = _("%(rate)s of this month's stories have a response") % {
            "rate": display.percent_words(self.answered_this, self.stories_this)
        }
        if last is None:
            return _("%(now)s; last month had no stories to compare with.") % {"now": now}
        before = display.percent_words(self.answered_last, self.stories_last)
        if this > last:
            return _("%(now)s, up from %(before)s of last month's.") % {
                "now": now,
                "before": before,
            }
        if this < last:
            return _("%(now)s, down from %(before)s of last month's.") % {
                "now": now,
                "before": before,
            }
        return _("%(now)s, the same as last month's.") % {"now": now}

    @property
    def made_words(self) -> str:
        made = ngettext(
            "%(count)s change made this month",
            "%(count)s changes made this month",
            self.made_this,
        ) % {"count": self.made_this}
        return _("%(told)s, %(compared)s") % {
            "told": made,
            "compared": _more_or_fewer(self.made_this, self.made_last, same_point=False),
        }


def _more_or_fewer(now: int, before: int, *, same_point: bool = True) -> str:
    """The direction of change against last month, in words ending the sentence."""
    difference = abs(now - before)
    if same_point:
        if now > before:
            text = ngettext(
                "%(count)s more than by this point last month.",
                "%(count)s more than by this point last month.",
                difference,
            )
        elif now < before:
            text = ngettext(
                "%(count)s fewer than by this point last month.",
                "%(count)s fewer than by this point last month.",
                difference,
            )
        else:
            return _("the same as by this point last month.")
    elif now > before:
        text = ngettext(
            "%(count)s more than in all of last month.",
            "%(count)s more than in all of last month.",
            difference,
        )
    elif now < before:
        text = ngettext(
            "%(count)s fewer than in all of last month.",
            "%(count)s fewer than in all of last month.",
            difference,
        )
    else:
        return _("the same as in all of last month.")
    return text % {"count": difference}


def home_summary(user: AnyUser, now: dt.datetime | None = None) -> HomeSummary | None:
    """The summary for the nodes the user may read staff data of; None when they hold
    no role at a node (moderators and platform admins have their own queues)."""
    scope = scope_of(user)
    paths = scope.paths(VIEW_STAFF_DATA)
    if not paths:
        return None
    months = Months.at(now or timezone.now())
    # Over the inbox's copies of the scope's links (one range of one index), counting
    # each story once though it may name several services there.
    links = scope_links(paths).filter(status=StoryStatus.PUBLISHED)
    this = Q(published_at__gte=months.this_start, published_at__lte=months.now)
    last = Q(published_at__gte=months.last_start, published_at__lt=months.this_start)
    told = Q(published_at__lte=months.now)
    answered = Q(answered_at__isnull=False)
    waiting = told & Q(answered_at__isnull=True)

    def stories(condition: Q) -> Count:
        return Count("story_id", distinct=True, filter=condition)

    figures = links.aggregate(
        stories_this=stories(this),
        stories_last_same=stories(last & Q(published_at__lt=months.same_point)),
        stories_last=stories(last),
        answered_this=stories(this & answered),
        answered_last=stories(last & answered),
        unanswered=stories(waiting),
        # The inbox's overdue: unanswered and past the trust's working-days target.
        overdue=stories(waiting & Q(link_overdue(months.now))),
    )
    # The latest changes made and, on each row, how many were made this month and last
    # (window counts over every change made in scope): one query.
    today = _today(months)
    this_month = Q(made_on__gte=months.this_start.date(), made_on__lte=today)
    last_month = Q(made_on__gte=months.last_start.date(), made_on__lte=months.last_end_date)
    made = list(
        Change.objects.filter(under(paths), status=ChangeStatus.MADE, made_on__lte=today)
        .select_related("organisation")
        .only("made_summary", "made_on", "organisation__name")
        .annotate(
            made_this=Window(Count("pk", filter=this_month)),
            made_last=Window(Count("pk", filter=last_month)),
        )
        .order_by("-made_on", "-pk")[:LATEST_CHANGES]
    )
    latest = [
        ChangeMade(c.made_summary, c.organisation.name, c.made_on, c.get_absolute_url())
        for c in made
        if c.made_on is not None
    ]
    counts = {"made_this": made[0].made_this, "made_last": made[0].made_last} if made else {}
    return HomeSummary(
        months=months, latest=latest, **figures, **({"made_this": 0, "made_last": 0} | counts)
    )


def _today(months: Months) -> dt.date:
    return months.now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
