"""Scheduled reports of saved views: the figures of a period, as an email to each
recipient, through the outbox.

Each recipient gets what they may see: the staff version (exact small counts, criticality)
only when they may see the staff insight of the report's node (`can_see_staff_insight`,
asked afresh at send time); everyone else gets the public figures with the small-number
rule (settings.INSIGHT_MIN_CELL). An account since deactivated gets nothing. The outbox
key holds the schedule, the period and the address, so a second run sends nothing twice.
docs/insight.md, "Saved views and reports".
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import User
from apps.core.outbox import Email, outbox_add_many
from apps.organisations.models import Organisation
from apps.stories.search import StoryFilters

from . import display
from .charts import fewer_than
from .models_saved import RelativeRange, ReportSchedule, SavedView
from .page import median_shown, period_words, rate_shown
from .permissions import can_see_staff_insight
from .saved import (
    local_day,
    next_run,
    report_period,
    report_teams,
    view_filters,
    view_node,
    view_url,
)
from .selectors_insight import Insight, Journey, Month, Period, insight_for, insight_journey
from .selectors_insight import insight_months as months_of
from .spc import xmr

log = logging.getLogger(__name__)

EMAIL_KIND = "insights.report"
TOP_TOPICS = 5


@dataclass(frozen=True)
class ReportData:
    """What both versions of a report are made from (read once a schedule)."""

    view: SavedView
    node: Organisation
    filters: StoryFilters
    period: Period
    insight: Insight
    before: Journey
    before_months: list[Month] = field(default_factory=list)


def report_data(view: SavedView, period: Period) -> ReportData | None:
    """The period's insight of the view, and the previous period's journey and months;
    None when the view's filters no longer hold or it has no node."""
    filters = view_filters(view)
    node = view_node(view, filters)
    if filters is None or node is None:
        return None
    filters = replace(filters, date_from=period.start, date_to=period.end)
    insight = insight_for(node, filters, period)
    before, _parts = insight_journey(node, filters, period.previous)
    return ReportData(
        view=view,
        node=node,
        filters=filters,
        period=period,
        insight=insight,
        before=before,
        before_months=months_of(filters, period.previous),
    )


# --- figures in words ----------------------------------------------------------------


def _cell(value: int, limit: int) -> str:
    return fewer_than(limit) if limit and value < limit else f"{value:,}"


def _good(months: list[Month]) -> int:
    return sum(m.good for m in months)


def _improve(months: list[Month]) -> int:
    return sum(m.improve for m in months)


def headline(data: ReportData, *, limit: int, staff: bool) -> list[tuple[str, str]]:
    """(label, figure) pairs; a figure too small to show in public says so."""
    journey = data.insight.journey
    months = data.insight.months
    too_few = _("too few stories to show")
    rows = [
        (_("Stories published"), f"{journey.told:,}"),
        (_("Only good things said"), _cell(_good(months), limit)),
        (_("Something could be improved"), _cell(_improve(months), limit)),
        (_("Responded to"), rate_shown(journey, limit) or too_few),
        (_("Median time to respond"), median_shown(journey, limit) or (too_few if limit else "–")),
        (_("With a change made"), _cell(journey.made, limit)),
    ]
    if staff:
        share = display.percent_words(journey.critical, journey.told)
        rows.append((_("Critical (criticality 4 or 5)"), f"{journey.critical:,} ({share})"))
    return rows


def _direction(now: int, before: int) -> str:
    if now > before:
        return _("up from %(before)s") % {"before": f"{before:,}"}
    if now < before:
        return _("down from %(before)s") % {"before": f"{before:,}"}
    return _("the same as before")


def _stories_sentence(now: int, before: int) -> str:
    told = ngettext(
        "%(count)s story was published",
        "%(count)s stories were published",
        now,
    ) % {"count": f"{now:,}"}
    return _("%(told)s, %(direction)s in the previous period.") % {
        "told": told,
        "direction": _direction(now, before),
    }


def _count_sentence(label: str, now: int, before: int, limit: int) -> str:
    """A count against the previous period's, or nothing when either is under the limit."""
    if limit and (now < limit or before < limit):
        return ""
    return _("%(label)s: %(now)s, %(direction)s.") % {
        "label": label,
        "now": f"{now:,}",
        "direction": _direction(now, before),
    }


def _rate_sentence(now: Journey, before: Journey, limit: int) -> str:
    this, last = rate_shown(now, limit), rate_shown(before, limit)
    if not this or not last:
        return ""
    this_value = display.whole_percent(now.answered, now.told) or 0
    last_value = display.whole_percent(before.answered, before.told) or 0
    if this_value > last_value:
        words = _("Responded to: %(now)s, up from %(before)s.")
    elif this_value < last_value:
        words = _("Responded to: %(now)s, down from %(before)s.")
    else:
        words = _("Responded to: %(now)s, the same as before.")
    return words % {"now": this, "before": last}


def what_changed(data: ReportData, *, limit: int, staff: bool) -> list[str]:
    """Plain sentences: this period against the previous one of the same length, and
    over twelve months whether any month was unusual (statistical process control)."""
    now, before = data.insight.journey, data.before
    sentences = [
        _stories_sentence(now.told, before.told),
        _count_sentence(
            _("Only good things said"),
            _good(data.insight.months),
            _good(data.before_months),
            limit,
        ),
        _count_sentence(
            _("Something could be improved"),
            _improve(data.insight.months),
            _improve(data.before_months),
            limit,
        ),
        _rate_sentence(now, before, limit),
        _count_sentence(_("With a change made"), now.made, before.made, limit),
    ]
    if staff:
        sentences.append(_count_sentence(_("Critical"), now.critical, before.critical, 0))
    return [s for s in sentences if s] + _spc_sentences(data, limit)


def _spc_sentences(data: ReportData, limit: int) -> list[str]:
    """The trend's verdict, for twelve whole months only (fewer cannot tell), and in
    public only when no month is under the limit (as on the insight page)."""
    schedule_range = getattr(getattr(data.view, "schedule", None), "range", "")
    if schedule_range != RelativeRange.LAST_12_MONTHS:
        return []
    series = [(m.month, m.total) for m in data.insight.months]
    if limit and any(total < limit for _month, total in series):
        return []
    return list(xmr(series).sentences)


def top_topics(data: ReportData, *, limit: int) -> list[dict[str, str]]:
    rows = []
    for topic in data.insight.topics[:TOP_TOPICS]:
        change = ""
        if not limit or (topic.total >= limit and topic.previous >= limit):
            difference = topic.total - topic.previous
            change = (
                _("no change")
                if difference == 0
                else (f"+{difference:,}" if difference > 0 else f"−{-difference:,}")
            )
        rows.append(
            {
                "label": topic.label[:1].upper() + topic.label[1:],
                "count": _cell(topic.total, limit),
                "change": change,
            }
        )
    return rows


# --- the email -----------------------------------------------------------------------


def report_email(data: ReportData, *, staff: bool) -> tuple[str, str]:
    """The subject and plain text of one version (staff or public) of the report."""
    limit = 0 if staff else settings.INSIGHT_MIN_CELL
    view = data.view
    schedule = getattr(view, "schedule", None)
    context: dict[str, Any] = {
        "view": view,
        "node": data.node,
        "staff": staff,
        "limit": limit,
        "period_words": period_words(data.period),
        "previous_words": period_words(data.period.previous),
        "empty": not data.insight.total,
        "headline": headline(data, limit=limit, staff=staff),
        "changed": what_changed(data, limit=limit, staff=staff),
        "topics": top_topics(data, limit=limit),
        "link": settings.SITE_URL + _link(view, data.period, staff=staff),
        "manage_link": settings.SITE_URL + reverse("insights:saved_views"),
        "owner": view.owner,
        "team": schedule.team if schedule is not None else None,
        "site_name": settings.SITE_NAME,
    }
    subject = _("Report: %(name)s, %(period)s") % {
        "name": view.name,
        "period": context["period_words"],
    }
    return subject, render_to_string("insights/email/report.txt", context)


def _link(view: SavedView, period: Period, *, staff: bool) -> str:
    # A staff insight view links its public page for those who may not see the staff one.
    return view_url(view, staff=staff if view.organisation is not None else None, period=period)


def recipients(schedule: ReportSchedule) -> list[User]:
    """The owner and, for a team report, its members; only active accounts. A team the
    owner may no longer send to (they left it, or stopped managing it) is dropped."""
    owner = schedule.saved_view.owner
    if not owner.is_active:
        return []
    people = {owner.pk: owner}
    if schedule.team_id and report_teams(owner).filter(pk=schedule.team_id).exists():
        members = User.objects.filter(groups__team__pk=schedule.team_id, is_active=True)
        for member in members.order_by("pk"):
            people.setdefault(member.pk, member)
    return list(people.values())


def schedule_emails(schedule: ReportSchedule, day: dt.date) -> list[Email]:
    """One email per recipient of the report sent on `day`: each the version they may see."""
    people = recipients(schedule)
    if not people:
        return []
    period = report_period(schedule.range, day)
    data = report_data(schedule.saved_view, period)
    if data is None:
        log.warning("report schedule %s: its view no longer works; nothing sent", schedule.pk)
        return []
    versions: dict[bool, tuple[str, str]] = {}
    emails = []
    for person in people:
        staff = can_see_staff_insight(person, data.node)
        if staff not in versions:
            versions[staff] = report_email(data, staff=staff)
        subject, text = versions[staff]
        emails.append(
            Email(
                kind=EMAIL_KIND,
                key=f"{schedule.pk}:{period.start.isoformat()}:{period.end.isoformat()}",
                to=person.email,
                subject=subject,
                text=text,
            )
        )
    return emails


def _latest_due(schedule: ReportSchedule, now: dt.datetime) -> dt.datetime:
    """The latest run time not after `now` (runs missed while nothing ran are skipped:
    one report, for the latest period)."""
    due = schedule.next_run_at
    following = next_run(schedule.frequency, due)
    while following <= now:
        due, following = following, next_run(schedule.frequency, following)
    return due


def _locked(pk: int, *, now: dt.datetime, due_only: bool) -> ReportSchedule | None:
    schedules = ReportSchedule.objects.select_for_update(skip_locked=True, of=("self",))
    schedules = schedules.filter(pk=pk, active=True)
    if due_only:
        schedules = schedules.filter(next_run_at__lte=now)
    return schedules.select_related("saved_view__owner", "saved_view__organisation", "team").first()


def reports_send(now: dt.datetime | None = None, *, every: bool = False) -> int:
    """Queue the reports due at `now` (or, with `every`, every active report for the
    period as of today, leaving its next run alone); returns how many emails were new.
    Each schedule in its own transaction: its emails and its next run together."""
    now = now or timezone.now()
    candidates = ReportSchedule.objects.filter(active=True)
    if not every:
        candidates = candidates.filter(next_run_at__lte=now)
    queued = 0
    for pk in candidates.order_by("next_run_at", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            schedule = _locked(pk, now=now, due_only=not every)
            if schedule is None:
                continue
            due = now if every else _latest_due(schedule, now)
            queued += outbox_add_many(schedule_emails(schedule, local_day(due)))
            schedule.last_sent_at = now
            if not every:
                schedule.next_run_at = next_run(schedule.frequency, due)
            schedule.save(update_fields=["last_sent_at", "next_run_at", "updated_at"])
    return queued
