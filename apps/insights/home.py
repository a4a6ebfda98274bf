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
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.http import AnyUser
from apps.changes.models import Change, ChangeStatus
from apps.core.replicas import read_alias
from apps.responders.scope import VIEW_STAFF_DATA, scope_of, under_sql
from apps.responses.selectors import link_overdue_sql, scope_links_sql
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
    figures = _story_figures(paths, months)
    latest, counts = _changes_made(paths, months)
    return HomeSummary(months=months, latest=latest, **figures, **counts)


# The figures are counted over the inbox's copies of the scope's links (one range of one
# index), each story once though it may name several services there (`scope_links_sql`).
# Both statements are written as SQL: built through the ORM, their expressions cost 3.5 ms
# a view to compile at a 1,000-node scope, as much as running them.
_FIGURES = """
SELECT
    {count} FILTER (WHERE published_at >= %s AND published_at <= %s),
    {count} FILTER (WHERE published_at >= %s AND published_at < %s),
    {count} FILTER (WHERE published_at >= %s AND published_at < %s),
    {count} FILTER (
        WHERE published_at >= %s AND published_at <= %s AND answered_at IS NOT NULL
    ),
    {count} FILTER (
        WHERE published_at >= %s AND published_at < %s AND answered_at IS NOT NULL
    ),
    {count} FILTER (WHERE published_at <= %s AND answered_at IS NULL),
    {count} FILTER (
        WHERE published_at <= %s AND answered_at IS NULL AND {overdue}
    )
FROM responses_inboxlink
WHERE status = %s AND {under}
"""
_FIGURE_NAMES = (
    "stories_this",
    "stories_last_same",  # last month, up to the same point
    "stories_last",
    "answered_this",
    "answered_last",
    "unanswered",
    "overdue",  # the inbox's: unanswered and past the trust's working-days target
)

# The latest changes made and, on each row, how many were made this month and last
# (window counts over every change made in scope). The scope's nodes lead, each probing
# its own changes (index change_node_status; OFFSET 0 keeps the subquery a probe per
# node): the work follows the scope's size. Joined the other way round, PostgreSQL
# hashed every change made in the country, or walked them newest first until three fell
# in the scope: 5-7 ms for one service at a million stories, growing with the country.
_CHANGES_MADE = """
SELECT change.id, change.made_summary, change.made_on, node.name,
       count(*) FILTER (WHERE change.made_on >= %s) OVER (),
       count(*) FILTER (WHERE change.made_on >= %s AND change.made_on <= %s) OVER ()
FROM organisations_organisation node
CROSS JOIN LATERAL (
    SELECT id, made_summary, made_on FROM changes_change
    WHERE organisation_id = node.id AND status = %s AND made_on <= %s
    OFFSET 0
) change
WHERE {under}
ORDER BY change.made_on DESC, change.id DESC
LIMIT %s
"""


def _story_figures(paths: list[str], months: Months) -> dict[str, int]:
    now, this_start, last_start = months.now, months.this_start, months.last_start
    overdue, overdue_params = link_overdue_sql(now)
    # One row a story for one subtree; otherwise each story counted once by its id.
    under, under_params, one_row = scope_links_sql(paths)
    count = "count(*)" if one_row else "count(DISTINCT story_id)"
    params = [
        *(this_start, now),
        *(last_start, months.same_point),
        *(last_start, this_start),
        *(this_start, now),
        *(last_start, this_start),
        now,
        now,
        *overdue_params,
        StoryStatus.PUBLISHED.value,
        *under_params,
    ]
    # Constant text but for the scope's ranges; every value is a parameter.
    sql = _FIGURES.format(count=count, overdue=overdue, under=under)
    with connections[read_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return dict(zip(_FIGURE_NAMES, row, strict=True))


def _changes_made(paths: list[str], months: Months) -> tuple[list[ChangeMade], dict[str, int]]:
    under, under_params = under_sql(paths, "node.path")
    params: list[Any] = [
        months.this_start.date(),
        *(months.last_start.date(), months.last_end_date),
        *(ChangeStatus.MADE.value, _today(months)),
        *under_params,
        LATEST_CHANGES,
    ]
    with connections[read_alias()].cursor() as cursor:
        # Constant text but for the scope's ranges; every value is a parameter.
        cursor.execute(_CHANGES_MADE.format(under=under), params)
        rows = cursor.fetchall()
    latest = [
        ChangeMade(summary, organisation, made_on, Change(pk=pk).get_absolute_url())
        for pk, summary, made_on, organisation, _this, _last in rows
    ]
    made_this, made_last = rows[0][4:] if rows else (0, 0)
    return latest, {"made_this": made_this, "made_last": made_last}


def _today(months: Months) -> dt.date:
    return months.now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
