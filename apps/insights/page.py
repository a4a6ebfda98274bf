"""What an insight page shows, from the counts: charts, tables and links, with the
small-number rule applied in public (docs/insight.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.organisations.models import Organisation
from apps.stories.search import StoryFilters
from apps.stories.taxonomy import Criticality, Progress

from . import charts, display
from .page_waysin import ways_in_context
from .selectors_insight import Insight, Journey, Mark, Period, Topic
from .spc import Spc, SpcPoint, xmr

# The URL parameter that orders the parts beneath, and what it may say.
SORT = "sort"
SORTS = ("name", "stories", "response_rate", "median", "critical", "made")
STAFF_SORTS = ("critical",)
# Parameters the links of the page set themselves, never copied from the request.
OWN = ("page", SORT, "organisation", "service")
DATES = ("date_from", "date_to")


def filter_params(params: QueryDict, *, drop: tuple[str, ...] = ()) -> QueryDict:
    """The request's filters without the page's own parameters, the dates (given by
    the link) and empty values."""
    kept = QueryDict(mutable=True)
    for key, values in params.lists():
        if key in OWN or key in drop or key.startswith(DATES):
            continue
        kept.setlist(key, [v for v in values if v])
    return kept


@dataclass(frozen=True)
class PartRow:
    organisation: Organisation
    href: str
    journey: Journey
    hidden: bool  # fewer stories than the limit (public)
    rate: str
    median: str
    critical: str


def rate_shown(journey: Journey, limit: int) -> str:
    """The response rate in words, or "" where the small-number rule hides it (a limit of
    0: staff, shown whenever any story was told)."""
    if journey.told < max(limit, 1) or (limit and journey.answered < limit):
        return ""
    return display.percent_words(journey.answered, journey.told)


def median_shown(journey: Journey, limit: int) -> str:
    """The median time to a first response in words, or "" where the rule hides it."""
    if limit and journey.answered < limit:
        return ""
    return display.duration_words(journey.median_seconds)


def _sort_key(name: str) -> Callable[[PartRow], Any]:
    def number(value: float | None, hidden: bool) -> tuple[int, float]:
        # Hidden and missing values last, whatever the order.
        return (1, 0.0) if hidden or value is None else (0, -value)

    keys: dict[str, Callable[[PartRow], Any]] = {
        "stories": lambda r: number(r.journey.told, r.hidden),
        "response_rate": lambda r: number(
            r.journey.answered / r.journey.told if r.rate else None, r.hidden
        ),
        "median": lambda r: number(
            -r.journey.median_seconds if r.median and r.journey.median_seconds else None,
            r.hidden,
        ),
        "critical": lambda r: number(
            r.journey.critical / r.journey.told if r.journey.told else None, r.hidden
        ),
        "made": lambda r: number(r.journey.made, r.hidden),
    }
    by_number = keys.get(name)
    if by_number is None:
        return lambda r: (r.organisation.name.lower(),)
    return lambda r: (*by_number(r), r.organisation.name.lower())


def part_rows(
    insight: Insight, *, limit: int, staff: bool, sort: str, href: Callable[[Organisation], str]
) -> list[PartRow]:
    rows = []
    for part in insight.parts:
        journey = part.journey
        critical = ""
        if staff and journey.told:
            critical = display.percent_words(journey.critical, journey.told)
        rows.append(
            PartRow(
                organisation=part.organisation,
                href=href(part.organisation),
                journey=journey,
                hidden=journey.told < limit,
                rate=rate_shown(journey, limit),
                median=median_shown(journey, limit),
                critical=critical,
            )
        )
    return sorted(rows, key=_sort_key(sort))


@dataclass(frozen=True)
class TopicRow:
    topic: Topic
    change: str  # "+3", "−2", "no change", "new" or "" (hidden)


def _change(topic: Topic, limit: int) -> str:
    if topic.total < limit or topic.previous < limit:
        return ""
    difference = topic.total - topic.previous
    if difference == 0:
        return _("no change")
    return f"+{difference:,}" if difference > 0 else f"−{-difference:,}"


def period_words(period: Period) -> str:
    return _("%(start)s to %(end)s") % {
        "start": date_format(period.start, "j F Y"),
        "end": date_format(period.end, "j F Y"),
    }


def _category_words(staff: bool) -> Callable[[Mark], str]:
    def words(mark: Mark) -> str:
        if staff:
            return str(Criticality(mark.criticality or 0).label)
        return str(Progress(mark.progress).label)

    return words


def legend(staff: bool) -> list[dict[str, str]]:
    """What each colour and shape of the swarm means."""
    if staff:
        items = [(str(level.label), charts.CRITICALITY_STYLE[level.value]) for level in Criticality]
    else:
        items = [(str(step.label), charts.PROGRESS_STYLE[step.value]) for step in Progress]
    return [
        {"label": label, "fill": fill, "path": charts.shape_path(shape, 8, 8, 5)}
        for label, (fill, shape) in items
    ]


def swarm_counts(marks: list[Mark], staff: bool) -> list[tuple[str, int]]:
    if staff:
        return [
            (str(level.label), sum(1 for m in marks if (m.criticality or 0) == level.value))
            for level in Criticality
        ]
    return [
        (str(step.label), sum(1 for m in marks if m.progress == step.value)) for step in Progress
    ]


def page_context(
    insight: Insight,
    *,
    node: Organisation,
    filters: StoryFilters,
    params: QueryDict,
    staff: bool,
    sort: str,
) -> dict[str, Any]:
    """Everything the sections draw."""
    limit = 0 if staff else settings.INSIGHT_MIN_CELL
    period = insight.period
    kept = filter_params(params)
    stories_url = reverse("stories:list")

    def stories_href(first: dt.date, last: dt.date) -> str:
        query = kept.copy()
        query["organisation"] = node.slug
        if filters.service is not None:
            query["service"] = filters.service.slug
        query["date_from"] = first.isoformat()
        query["date_to"] = last.isoformat()
        return f"{stories_url}?{query.urlencode()}"

    def month_href(month: dt.date) -> str:
        return stories_href(*period.month_span(month))

    page_name = "insights:staff" if staff else "insights:organisation"
    dated = kept.copy()
    dated["date_from"] = period.start.isoformat()
    dated["date_to"] = period.end.isoformat()

    def part_href(part: Organisation) -> str:
        return f"{reverse(page_name, kwargs={'slug': part.slug})}?{dated.urlencode()}"

    # One reverse for every story of the swarm (up to settings.INSIGHT_SWARM_LIMIT).
    story_pattern = reverse("inbox:story" if staff else "stories:detail", kwargs={"pk": 0})
    head, tail = story_pattern.rsplit("/0/", 1)

    def story_href(pk: int) -> str:
        return f"{head}/{pk}/{tail}"

    spc = _spc(insight, limit)
    sort_query = params.copy()
    sort_query.pop("page", None)
    sort_links = {}
    for name in SORTS:
        sort_query[SORT] = name
        sort_links[name] = f"?{sort_query.urlencode()}#parts"
    trend = charts.trend_chart(insight.months, spc, limit=limit, href=month_href)
    return {
        "limit": limit,
        "trend_rows": list(zip(insight.months, spc.points, trend.columns, strict=True)),
        "period_words": period_words(period),
        "previous_words": period_words(period.previous),
        "spc": spc,
        "trend": trend,
        "topics_chart": charts.topic_chart(insight.topics, limit=limit),
        "topic_rows": [TopicRow(t, _change(t, limit)) for t in insight.topics],
        "swarm": charts.swarm_chart(
            insight.marks,
            period,
            by_criticality=staff,
            href=story_href,
            category_words=_category_words(staff),
        ),
        "swarm_more": insight.total > len(insight.marks),
        "swarm_counts": swarm_counts(insight.marks, staff),
        "legend": legend(staff),
        "funnel": charts.funnel_chart(_journey_steps(insight.journey), limit=limit),
        "journey_steps": _journey_steps(insight.journey),
        "parts": part_rows(insight, limit=limit, staff=staff, sort=sort, href=part_href),
        "sort": sort,
        "sort_links": sort_links,
        "all_stories_href": stories_href(period.start, period.end),
        **ways_in_context(insight, limit=limit, staff=staff),
    }


def _journey_steps(journey: Journey) -> list[tuple[str, int]]:
    labels = {
        "told": _("Told"),
        "read": _("Read by staff"),
        "responded": _("Responded to"),
        "planned": _("Change planned"),
        "made": _("Change made"),
    }
    return [(labels[name], value) for name, value in journey.steps]


def _whole(month: dt.date, period: Period) -> bool:
    """Whether the period holds all of this month (the month in progress, or a period
    starting mid-month, does not)."""
    start, end = period.month_span(month)
    return start == month and end == _month_end(month)


def _month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _spc(insight: Insight, limit: int) -> Spc:
    """The XmR chart of the whole months; a part month (the one in progress, or the edge
    of a period that starts or ends mid-month) is drawn but not judged: its low count
    would read as a fall and, in public, hide the limits of every other month. In public,
    limits only when no whole month is under the limit: the average and limits of months
    so small would tell what the cells hide."""
    whole = [(m.month, m.total) for m in insight.months if _whole(m.month, insight.period)]
    part = [m.month for m in insight.months if not _whole(m.month, insight.period)]
    notes = tuple(
        _("%(month)s is only partly in this period, so it is drawn but not judged.")
        % {"month": date_format(month, "F Y")}
        for month in part
    )
    if limit and any(total < limit for _month, total in whole):
        judged = Spc(
            points=tuple(SpcPoint(month, total) for month, total in whole),
            sentences=(
                _(
                    "Some months had fewer than %(limit)s stories: too few to show in public "
                    "whether any month was unusual."
                )
                % {"limit": limit},
            ),
        )
    else:
        judged = xmr(whole)
    by_month = {point.month: point for point in judged.points}
    return dataclasses.replace(
        judged,
        points=tuple(by_month.get(m.month) or SpcPoint(m.month, m.total) for m in insight.months),
        sentences=judged.sentences + notes,
    )


def sort_of(params: QueryDict, *, staff: bool) -> str:
    """The parts' order from the URL: a known name, else by stories."""
    sort = params.get(SORT, "")
    if sort not in SORTS or (sort in STAFF_SORTS and not staff):
        return "stories"
    return sort
