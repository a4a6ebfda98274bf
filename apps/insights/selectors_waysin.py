"""The reads behind insight's ways in (docs/insight.md): the Friends and Family Test
answers of a node's stories, and its stories by channel and by campaign. Each is one
statement over the story search's own SQL, whatever the number of stories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection

from apps.organisations.models import Organisation
from apps.organisations.selectors import with_place
from apps.stories.models import StoryService
from apps.stories.search import StoryFilters, search_matching
from apps.stories.taxonomy import FftAnswer
from apps.waysin.models import Campaign, StoryOrigin

ANSWERS = tuple(FftAnswer.values)
POSITIVE = (FftAnswer.VERY_GOOD.value, FftAnswer.GOOD.value)


@dataclass(frozen=True)
class FftCounts:
    """The count of each answer (in ANSWERS' order) for one month, channel or service."""

    key: str  # the month (ISO date), the channel's value or the service's id
    counts: tuple[int, ...] = (0,) * len(ANSWERS)

    @property
    def total(self) -> int:
        """Every answer, don't know included: what the small-number rule counts."""
        return sum(self.counts)

    @property
    def positive(self) -> int:
        return sum(n for answer, n in zip(ANSWERS, self.counts, strict=True) if answer in POSITIVE)

    @property
    def rated(self) -> int:
        """The answers a share is taken of: all but don't know (TAXONOMY.md)."""
        return self.total - self.counts[ANSWERS.index(FftAnswer.DONT_KNOW.value)]

    @property
    def share(self) -> float | None:
        """The share positive, very good and good of every answer but don't know."""
        return self.positive / self.rated if self.rated else None

    def count(self, answer: str) -> int:
        return self.counts[ANSWERS.index(answer)]


@dataclass(frozen=True)
class Fft:
    months: list[FftCounts]
    channels: list[FftCounts]
    services: list[tuple[Organisation, FftCounts]]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.months)


@dataclass(frozen=True)
class WaysIn:
    """Stories by channel (value, count), most first; by campaign (name, count), staff
    only (the public view drops them)."""

    channels: list[tuple[str, int]]
    campaigns: list[tuple[str, int]]


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _services_under(node: Organisation, filters: StoryFilters) -> tuple[str, list[Any]]:
    """Which story links count: the filtered service exactly, else the node's subtree (a
    story about services in two trusts gives each trust only its own answers)."""
    if filters.service is not None:
        return "ss.organisation_id = %s", [filters.service.pk]
    return "o.path LIKE %s", [node.path + "%"]


def insight_fft(node: Organisation, filters: StoryFilters, months: list[dt.date]) -> Fft:
    """The answers of the stories `filters` finds (already limited to the period), by
    month, by channel and by service. One query, and one more for the services' names
    where any was answered."""
    sql, params = (
        search_matching(filters)
        .order_by()
        .values("id", "published_at", "channel")
        .query.sql_with_params()
    )
    where, where_params = _services_under(node, filters)
    link = StoryService._meta.db_table
    rows = _rows(
        f"""
        WITH s AS MATERIALIZED ({sql}),
        a AS MATERIALIZED (
            SELECT date_trunc('month', s.published_at AT TIME ZONE %s)::date::text AS month,
                   s.channel, ss.organisation_id::text AS service, ss.fft
            FROM s
            JOIN {link} ss ON ss.story_id = s.id
            JOIN organisations_organisation o ON o.id = ss.organisation_id
            WHERE ss.fft <> '' AND {where}
        )
        SELECT 'month', month, fft, count(*) FROM a GROUP BY month, fft
        UNION ALL SELECT 'channel', channel, fft, count(*) FROM a GROUP BY channel, fft
        UNION ALL SELECT 'service', service, fft, count(*) FROM a GROUP BY service, fft
        """,  # noqa: S608 - constant SQL and the search's own; values are parameters
        [*params, settings.TIME_ZONE, *where_params],
    )
    grouped: dict[tuple[str, str], list[int]] = {}
    for kind, key, answer, count in rows:
        if answer in ANSWERS:
            grouped.setdefault((kind, key), [0] * len(ANSWERS))[ANSWERS.index(answer)] = count

    def of(kind: str) -> dict[str, FftCounts]:
        return {
            key: FftCounts(key, tuple(counts)) for (k, key), counts in grouped.items() if k == kind
        }

    by_month = of("month")
    by_service = of("service")
    services: list[tuple[Organisation, FftCounts]] = []
    if by_service:
        named = with_place(Organisation.objects.filter(pk__in=[int(k) for k in by_service]))
        services = sorted(
            ((org, by_service[str(org.pk)]) for org in named),
            key=lambda pair: pair[0].display_name.lower(),
        )
    return Fft(
        months=[by_month.get(m.isoformat(), FftCounts(m.isoformat())) for m in months],
        channels=sorted(of("channel").values(), key=lambda row: -row.total),
        services=services,
    )


def insight_ways_in(filters: StoryFilters) -> WaysIn:
    """The stories `filters` finds by channel and by campaign. One query."""
    sql, params = (
        search_matching(filters).order_by().values("id", "channel").query.sql_with_params()
    )
    origin, campaign = StoryOrigin._meta.db_table, Campaign._meta.db_table
    rows = _rows(
        f"""
        WITH s AS MATERIALIZED ({sql})
        SELECT 'channel', s.channel, count(*) FROM s GROUP BY s.channel
        UNION ALL
        SELECT 'campaign', c.name, count(*)
        FROM s JOIN {origin} so ON so.story_id = s.id JOIN {campaign} c ON c.id = so.campaign_id
        GROUP BY c.id, c.name
        """,  # noqa: S608 - constant SQL and the search's own; values are parameters
        list(params),
    )
    ordered = sorted(rows, key=lambda row: (-row[2], row[1]))
    return WaysIn(
        channels=[(key, n) for kind, key, n in ordered if kind == "channel"],
        campaigns=[(key, n) for kind, key, n in ordered if kind == "campaign"],
    )
