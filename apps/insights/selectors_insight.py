"""The reads behind an insight page: a node's stories, as the story search filters them,
counted in the database.

Everything starts from `search_matching(filters)` (the same stories `/stories/` lists for
the same parameters) over a period. Each section is one statement whatever the number of
stories: the months, the topics and the previous period's topics, the pairs of topics,
the swarm's marks, the journey of the node and of each part beneath it (with the parts'
names), so a page costs a fixed handful of queries. docs/insight.md says what each
figure counts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from apps.organisations.models import Organisation
from apps.responses.models import Response, ResponseStatus
from apps.stories.models import Story, StoryTag
from apps.stories.search import StoryFilters, search_matching
from apps.stories.selectors import with_progress
from apps.stories.taxonomy import Polarity, Progress

from .models import OrganisationFigures
from .selectors_waysin import Fft, WaysIn, insight_fft, insight_ways_in

GOOD = (Polarity.GOOD.value, Polarity.POSITIVE.value)
IMPROVE = (Polarity.IMPROVE.value, Polarity.NEGATIVE.value)
# Criticality 4 (strongly) and 5 (severely) count as "critical" for staff.
CRITICAL_FROM = 4
PAIRS_SHOWN = 10
JOURNEY_STEPS = (
    Progress.NOT_READ,
    Progress.READ,
    Progress.RESPONDED,
    Progress.CHANGE_PLANNED,
    Progress.CHANGE_MADE,
)


def _first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """The days an insight page covers, both included."""

    start: dt.date
    end: dt.date

    @classmethod
    def of(cls, date_from: dt.date | None, date_to: dt.date | None, today: dt.date) -> Period:
        """The dates asked for; without a start, the twelve months up to the end (from the
        first of the month eleven months before); without an end, today."""
        end = date_to or max(today, date_from or today)
        start = date_from or _add_months(end, -11)
        return cls(start, end)

    @property
    def months(self) -> list[dt.date]:
        first, last = _first_of_month(self.start), _first_of_month(self.end)
        count = (last.year - first.year) * 12 + last.month - first.month + 1
        return [_add_months(first, i) for i in range(count)]

    @property
    def previous(self) -> Period:
        """The period of the same length just before this one."""
        length = self.end - self.start
        end = self.start - dt.timedelta(days=1)
        return Period(end - length, end)

    def month_span(self, month: dt.date) -> tuple[dt.date, dt.date]:
        """The days of `month` inside the period (the first and last month may be partial)."""
        last = _add_months(month, 1) - dt.timedelta(days=1)
        return max(month, self.start), min(last, self.end)


@dataclass(frozen=True)
class Month:
    month: dt.date
    total: int = 0
    good: int = 0  # every polarised tag good (or a positive feeling)
    improve: int = 0  # at least one thing that could be improved (or a negative feeling)

    @property
    def neither(self) -> int:
        return self.total - self.good - self.improve


@dataclass(frozen=True)
class Topic:
    tag_id: int
    slug: str
    label: str
    group: str
    total: int
    good: int
    improve: int
    previous: int = 0


@dataclass(frozen=True)
class Pair:
    first: Topic
    second: Topic
    count: int


@dataclass(frozen=True)
class Mark:
    pk: int
    title: str
    published_at: dt.datetime
    progress: str
    criticality: int | None


@dataclass(frozen=True)
class Journey:
    """Stories that reached at least each step (so each count holds the next)."""

    told: int = 0
    read: int = 0
    responded: int = 0
    planned: int = 0
    made: int = 0
    answered: int = 0  # with a published response (a change may come without one)
    critical: int = 0
    median_seconds: float | None = None

    @property
    def steps(self) -> list[tuple[str, int]]:
        return [
            ("told", self.told),
            ("read", self.read),
            ("responded", self.responded),
            ("planned", self.planned),
            ("made", self.made),
        ]


@dataclass(frozen=True)
class Part:
    organisation: Organisation
    journey: Journey


@dataclass(frozen=True)
class Insight:
    period: Period
    months: list[Month]
    topics: list[Topic]
    pairs: list[Pair]
    marks: list[Mark]
    journey: Journey
    parts: list[Part] = field(default_factory=list)
    # The Friends and Family Test answers, and the stories by channel and campaign
    # (selectors_waysin; campaigns for staff only).
    fft: Fft = field(default_factory=lambda: Fft([], [], []))
    ways_in: WaysIn = field(default_factory=lambda: WaysIn([], []))

    @property
    def total(self) -> int:
        return self.journey.told


def _in(filters: StoryFilters, period: Period) -> StoryFilters:
    return replace(filters, date_from=period.start, date_to=period.end)


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _per_story(filters: StoryFilters) -> QuerySet[Any]:
    """One row a story: its date, progress, criticality, first published response and
    whether any tag is good or could be improved."""
    first = (
        Response.objects.filter(story=OuterRef("pk"), status=ResponseStatus.PUBLISHED)
        .order_by()
        .values("story")
        .annotate(first=Min("published_at"))
        .values("first")
    )
    tagged = StoryTag.objects.filter(story=OuterRef("pk"))
    stories: QuerySet[Story] = with_progress(search_matching(filters))
    return (
        stories.order_by()
        .annotate(
            first_response_at=Subquery(first),
            any_good=Exists(tagged.filter(polarity__in=GOOD)),
            any_improve=Exists(tagged.filter(polarity__in=IMPROVE)),
        )
        .values(
            "id",
            "published_at",
            "progress",
            "criticality",
            "first_response_at",
            "any_good",
            "any_improve",
        )
    )


def insight_months(filters: StoryFilters, period: Period) -> list[Month]:
    """Stories a month over the period, every month listed (none: zeros). One query."""
    sql, params = _per_story(_in(filters, period)).query.sql_with_params()
    counted = _rows(
        f"""
        SELECT date_trunc('month', s.published_at AT TIME ZONE %s)::date AS month,
               count(*),
               count(*) FILTER (WHERE s.any_good AND NOT s.any_improve),
               count(*) FILTER (WHERE s.any_improve)
        FROM ({sql}) s GROUP BY 1
        """,  # noqa: S608 - the search's own SQL; values are parameters
        [settings.TIME_ZONE, *params],
    )
    by_month = {row[0]: Month(row[0], row[1], row[2], row[3]) for row in counted}
    return [by_month.get(month, Month(month)) for month in period.months]


def insight_topics(filters: StoryFilters, period: Period) -> list[Topic]:
    """Each topic of the period's stories, most told first, with the same count for the
    previous period of the same length. Two queries."""
    current = (
        StoryTag.objects.filter(story__in=search_matching(_in(filters, period)).values("pk"))
        .values("tag_id", "tag__slug", "tag__label", "tag__group")
        .annotate(
            total=Count("pk"),
            good=Count("pk", filter=Q(polarity__in=GOOD)),
            improve=Count("pk", filter=Q(polarity__in=IMPROVE)),
        )
        .order_by("-total", "tag__label")
    )
    before = dict(
        StoryTag.objects.filter(
            story__in=search_matching(_in(filters, period.previous)).values("pk")
        )
        .values("tag_id")
        .annotate(total=Count("pk"))
        .values_list("tag_id", "total")
    )
    return [
        Topic(
            tag_id=row["tag_id"],
            slug=row["tag__slug"],
            label=row["tag__label"],
            group=row["tag__group"],
            total=row["total"],
            good=row["good"],
            improve=row["improve"],
            previous=before.get(row["tag_id"], 0),
        )
        for row in current
    ]


def insight_pairs(filters: StoryFilters, period: Period, topics: list[Topic]) -> list[Pair]:
    """The pairs of topics told together in most stories of the period. One query."""
    sql, params = search_matching(_in(filters, period)).values("pk").query.sql_with_params()
    rows = _rows(
        f"""
        SELECT a.tag_id, b.tag_id, count(*) AS together
        FROM stories_storytag a
        JOIN stories_storytag b ON b.story_id = a.story_id AND a.tag_id < b.tag_id
        WHERE a.story_id IN ({sql})
        GROUP BY a.tag_id, b.tag_id
        ORDER BY together DESC, a.tag_id, b.tag_id
        LIMIT %s
        """,  # noqa: S608 - the search's own SQL; values are parameters
        [*params, PAIRS_SHOWN],
    )
    by_id = {topic.tag_id: topic for topic in topics}
    return [
        Pair(by_id[first], by_id[second], count)
        for first, second, count in rows
        if first in by_id and second in by_id
    ]


def insight_marks(filters: StoryFilters, period: Period) -> list[Mark]:
    """The newest settings.INSIGHT_SWARM_LIMIT stories of the period, oldest first, for the
    swarm. One query."""
    stories: QuerySet[Story] = with_progress(search_matching(_in(filters, period)))
    # `progress` is annotated by the app registered for it, unknown to the type checker.
    columns = ("pk", "title", "published_at", "progress", "criticality")
    rows = stories.order_by("-published_at", "-pk").values_list(*columns)[
        : settings.INSIGHT_SWARM_LIMIT
    ]
    return [Mark(*row) for row in reversed(rows)]


_JOURNEY = """
    count(*) AS told,
    count(*) FILTER (WHERE s.progress <> %s) AS read,
    count(*) FILTER (WHERE s.progress = ANY(%s)) AS responded,
    count(*) FILTER (WHERE s.progress = ANY(%s)) AS planned,
    count(*) FILTER (WHERE s.progress = %s) AS made,
    count(s.first_response_at) AS answered,
    count(*) FILTER (WHERE s.criticality >= %s) AS critical,
    percentile_cont(0.5) WITHIN GROUP (
        ORDER BY extract(
            epoch FROM s.first_response_at - least(s.first_response_at, s.published_at)
        )::float8
    ) AS median_seconds
"""


def _journey_params() -> list[Any]:
    return [
        Progress.NOT_READ.value,
        [Progress.RESPONDED.value, Progress.CHANGE_PLANNED.value, Progress.CHANGE_MADE.value],
        [Progress.CHANGE_PLANNED.value, Progress.CHANGE_MADE.value],
        Progress.CHANGE_MADE.value,
        CRITICAL_FROM,
    ]


def insight_journey(
    node: Organisation, filters: StoryFilters, period: Period
) -> tuple[Journey, dict[str, Journey]]:
    """The journey of the node's stories, and of each part directly beneath it by path (a
    story about two parts counts in each, once in the node). One query."""
    sql, params = _per_story(_in(filters, period)).query.sql_with_params()
    step = Organisation.steplen
    rows = _rows(
        f"""
        WITH s AS MATERIALIZED ({sql}),
        linked AS (
            SELECT DISTINCT substr(o.path, 1, %s) AS part, ss.story_id
            FROM s
            JOIN stories_storyservice ss ON ss.story_id = s.id
            JOIN organisations_organisation o ON o.id = ss.organisation_id
            WHERE o.path LIKE %s AND o.depth > %s
        ),
        placed AS (
            SELECT l.part, s.* FROM linked l JOIN s ON s.id = l.story_id
            UNION ALL
            SELECT '' AS part, s.* FROM s
        )
        SELECT s.part, {_JOURNEY} FROM placed s GROUP BY s.part
        """,  # noqa: S608 - constant SQL and the search's own; values are parameters
        [*params, step * (node.depth + 1), node.path + "%", node.depth, *_journey_params()],
    )
    journeys = {row[0]: Journey(*row[1:]) for row in rows}
    return journeys.pop("", Journey()), journeys


def insight_for(
    node: Organisation, filters: StoryFilters, period: Period, *, ways_in: bool = False
) -> Insight:
    """Everything an insight page shows, in eight queries whatever the number of stories:
    the subtree's nodes (once a request, kept on the node by the search), the months, the
    topics and the previous period's, the pairs, the journeys, the marks, and the parts'
    names (only for a node with parts). With `ways_in` (the insight page; the board
    report and saved views' emails leave it out), three more: the Friends and Family
    Test answers and their services' names (only where any was answered), and the
    stories by channel and campaign."""
    topics = insight_topics(filters, period)
    journey, by_part = insight_journey(node, filters, period)
    parts = []
    if node.numchild:
        children = Organisation.objects.filter(
            path__startswith=node.path, depth=node.depth + 1
        ).order_by("name")
        parts = [Part(child, by_part.get(child.path, Journey())) for child in children]
    return Insight(
        period=period,
        months=insight_months(filters, period),
        topics=topics,
        pairs=insight_pairs(filters, period, topics),
        marks=insight_marks(filters, period),
        journey=journey,
        parts=parts,
        **_ways_in(node, filters, period) if ways_in else {},
    )


def _ways_in(node: Organisation, filters: StoryFilters, period: Period) -> dict[str, Any]:
    return {
        "fft": insight_fft(node, _in(filters, period), period.months),
        "ways_in": insight_ways_in(_in(filters, period)),
    }


def _figures_version(node: Organisation) -> int:
    version = (
        OrganisationFigures.objects.filter(organisation=node)
        .values_list("version", flat=True)
        .first()
    )
    return version or 0


def _view_key(
    node: Organisation, filters: StoryFilters, period: Period, *, staff: bool, version: int
) -> str:
    """A key naming everything the view depends on: the node and the version of its
    figures, the filters that narrow the stories, the period and today (the month in
    progress), and whether staff-only fields are kept."""
    parts = [
        filters.q,
        filters.organisation.pk if filters.organisation else "",
        filters.service.pk if filters.service else "",
        filters.tag.pk if filters.tag else "",
        filters.author_role,
        "" if filters.responded is None else int(filters.responded),
        filters.progress,
        period.start.isoformat(),
        period.end.isoformat(),
        timezone.localdate().isoformat(),
    ]
    digest = hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:32]
    audience = "staff" if staff else "public"
    return f"insight:2:{node.pk}:{version}:{audience}:{digest}"


def _public(insight: Insight) -> Insight:
    """The view without its staff-only fields (criticality), as the public cache keeps it."""

    def plain(journey: Journey) -> Journey:
        return replace(journey, critical=0)

    return replace(
        insight,
        journey=plain(insight.journey),
        parts=[replace(part, journey=plain(part.journey)) for part in insight.parts],
        marks=[replace(mark, criticality=None) for mark in insight.marks],
        ways_in=replace(insight.ways_in, campaigns=[]),
    )


def insight_kept(
    node: Organisation, filters: StoryFilters, period: Period, *, staff: bool
) -> Insight:
    """`insight_for`, kept in the cache under the node's figures version (so any story,
    response or change under it retires the entry at once) for at most
    settings.INSIGHT_CACHE_SECONDS. Public entries hold no staff-only field. One query on
    a hit (the version); on a miss, that and `insight_for`'s."""
    key = _view_key(node, filters, period, staff=staff, version=_figures_version(node))
    kept = cache.get(key)
    if isinstance(kept, Insight):
        return kept
    insight = insight_for(node, filters, period, ways_in=True)
    if not staff:
        insight = _public(insight)
    cache.set(key, insight, settings.INSIGHT_CACHE_SECONDS)
    return insight
