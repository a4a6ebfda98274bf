"""The board report of a node for a period: headline figures against the trust's targets,
the insight page's trend and topics, stories chosen by staff with their conversations,
changes made, response performance and peers (docs/insight.md, "Board report").

Nothing in it is staff-only (no criticality) and every breakdown follows the public
small-number rule, so the report can go into board papers, which trusts publish."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Min, OuterRef, QuerySet, Subquery
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.changes.models import Change, ChangeStatus
from apps.changes.selectors import RegisterFilters, register
from apps.organisations.models import Organisation
from apps.responses.models import AuthorReply, AuthorReplyStatus, Response, ResponseStatus
from apps.responses.selectors import answered_within_target
from apps.stories.models import Story
from apps.stories.search import StoryFilters, search_matching

from . import display
from .page import page_context
from .selectors_insight import Insight, Period, insight_for

# At most this many stories chosen for the report, and peers listed in its table.
MAX_CHOSEN = 5
PEERS_SHOWN = 30
# Where the response rate and the typical time are among the headline figures.
RATE, TYPICAL = 3, 4


def last_full_month(today: dt.date) -> Period:
    """The month before today's: the report's default period."""
    end = today.replace(day=1) - dt.timedelta(days=1)
    return Period(end.replace(day=1), end)


@dataclass(frozen=True)
class Figure:
    """One headline figure, with its target and whether it was met (None: no target, or
    too few stories to judge)."""

    label: str
    value: str
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.met is None:
            return _("Too few stories to judge") if self.target else ""
        return _("Target met") if self.met else _("Target not met")


@dataclass(frozen=True)
class Turn:
    """A published response or author reply under a chosen story."""

    kind: str  # "response" or "reply"
    at: dt.datetime
    item: Any


@dataclass(frozen=True)
class Chosen:
    story: Story
    turns: list[Turn]


@dataclass(frozen=True)
class PeerRow:
    organisation: Organisation
    told: int
    answered: int
    median_seconds: float | None
    hidden: bool  # fewer stories than settings.INSIGHT_MIN_CELL: not ranked
    rank: int | None = None
    is_self: bool = False

    @property
    def rate(self) -> str:
        if self.hidden or self.answered < settings.INSIGHT_MIN_CELL:
            return ""
        return display.percent_words(self.answered, self.told)

    @property
    def median(self) -> str:
        if self.hidden or self.answered < settings.INSIGHT_MIN_CELL:
            return ""
        return display.duration_words(self.median_seconds)


@dataclass(frozen=True)
class Peers:
    rows: list[PeerRow]
    ranked: int
    own: PeerRow | None
    kind_plural: str
    more: int = 0  # peers left out of the table


@dataclass(frozen=True)
class BoardReport:
    node: Organisation
    trust: Organisation
    period: Period
    insight: Insight
    figures: list[Figure]
    changes: list[Change]
    chosen: list[Chosen]
    peers: Peers
    sections: dict[str, Any] = field(default_factory=dict)

    @property
    def response_rate(self) -> Figure:
        return self.figures[RATE]

    @property
    def typical_time(self) -> Figure:
        return self.figures[TYPICAL]


def trust_of(node: Organisation) -> Organisation:
    """The root of the node's tree, whose settings (targets) the report uses."""
    if node.depth == 1:
        return node
    return Organisation.objects.get(path=node.path[: Organisation.steplen])


def _headline(
    trust: Organisation, insight: Insight, within: int, changes: int, limit: int
) -> list[Figure]:
    journey = insight.journey
    told = journey.told
    good = sum(m.good for m in insight.months)
    improve = sum(m.improve for m in insight.months)
    judged = told >= max(limit, 1)
    rate = display.whole_percent(journey.answered, told)
    within_rate = display.whole_percent(within, told)
    timed = journey.median_seconds is not None and journey.answered >= max(limit, 1)
    median_target = trust.target_median_response_days
    days = trust.response_target_working_days
    return [
        Figure(_("Stories published"), f"{told:,}"),
        Figure(_("All good"), display.percent_words(good, told) if judged else "–"),
        Figure(
            _("Something could be improved"),
            display.percent_words(improve, told) if judged else "–",
        ),
        Figure(
            _("Response rate"),
            display.percent_words(journey.answered, told) if judged else "–",
            target=_("%(percent)s%% or more") % {"percent": trust.target_response_rate},
            met=(rate >= trust.target_response_rate) if judged and rate is not None else None,
            note=_("Stories with a published response."),
        ),
        Figure(
            _("Typical time to respond"),
            display.duration_words(journey.median_seconds) if timed else "–",
            target=ngettext("%(days)s day or less", "%(days)s days or less", median_target)
            % {"days": median_target},
            met=(
                journey.median_seconds <= median_target * display.DAY
                if timed and journey.median_seconds is not None
                else None
            ),
            note=_("The median wait for a first response."),
        ),
        Figure(
            _("Answered within the response target"),
            display.percent_words(within, told) if judged else "–",
            target=_("%(percent)s%% or more") % {"percent": trust.target_within_response_target},
            met=(within_rate >= trust.target_within_response_target)
            if judged and within_rate is not None
            else None,
            note=ngettext(
                "A first response within %(days)s working day of publication.",
                "A first response within %(days)s working days of publication.",
                days,
            )
            % {"days": days},
        ),
        Figure(_("Changes made"), f"{changes:,}"),
    ]


def _within_target(filters: StoryFilters) -> int:
    """Stories answered before their trust's response target passed. One query."""
    return int(
        search_matching(filters)
        .order_by()
        .annotate(within=answered_within_target())
        .filter(within=True)
        .count()
    )


def chosen_conversations(stories: list[Story]) -> list[Chosen]:
    """The chosen stories, oldest first, each with its published responses and author
    replies in time order. Two queries."""
    ids = [s.pk for s in stories]
    turns: dict[int, list[Turn]] = {pk: [] for pk in ids}
    responses = Response.objects.filter(
        story_id__in=ids, status=ResponseStatus.PUBLISHED
    ).select_related("organisation")
    for response in responses:
        at = response.published_at or response.created_at
        turns[response.story_id].append(Turn("response", at, response))
    for reply in AuthorReply.objects.filter(story_id__in=ids, status=AuthorReplyStatus.PUBLISHED):
        turns[reply.story_id].append(Turn("reply", reply.published_at or reply.created_at, reply))
    ordered = sorted(stories, key=lambda s: (s.published_at, s.pk))
    return [Chosen(s, sorted(turns[s.pk], key=lambda t: (t.at, t.kind))) for s in ordered]


def _peer_figures(
    node: Organisation, trust: Organisation, period: Period
) -> dict[str, tuple[int, int, float | None]]:
    """Stories, answered stories and the median seconds to a first response for every node
    at the node's depth (within its trust below the top), by path. One query."""
    filters = StoryFilters(
        organisation=trust if node.depth > 1 else None,
        date_from=period.start,
        date_to=period.end,
    )
    first = (
        Response.objects.filter(story=OuterRef("pk"), status=ResponseStatus.PUBLISHED)
        .order_by()
        .values("story")
        .annotate(first=Min("published_at"))
        .values("first")
    )
    stories: QuerySet[Any] = (
        search_matching(filters)
        .order_by()
        .annotate(first_response_at=Subquery(first))
        .values("id", "published_at", "first_response_at")
    )
    sql, params = stories.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH s AS MATERIALIZED ({sql}),
            linked AS (
                SELECT DISTINCT substr(o.path, 1, %s) AS peer, ss.story_id
                FROM s
                JOIN stories_storyservice ss ON ss.story_id = s.id
                JOIN organisations_organisation o ON o.id = ss.organisation_id
                WHERE o.depth >= %s
            )
            SELECT l.peer, count(*), count(s.first_response_at),
                   percentile_cont(0.5) WITHIN GROUP (
                       ORDER BY extract(
                           epoch FROM s.first_response_at
                                      - least(s.first_response_at, s.published_at)
                       )::float8
                   )
            FROM linked l JOIN s ON s.id = l.story_id
            GROUP BY l.peer
            """,  # noqa: S608 - the search's own SQL; values are parameters
            [*params, Organisation.steplen * node.depth, node.depth],
        )
        return {row[0]: (row[1], row[2], row[3]) for row in cursor.fetchall()}


def peers_of(node: Organisation, trust: Organisation, period: Period, limit: int) -> Peers:
    """The nodes of the same kind at the same level (every trust for a trust; within the
    trust below the top), ranked by response rate then typical time, those with fewer
    than `limit` stories shown but not ranked. Two queries."""
    nodes = Organisation.objects.filter(depth=node.depth, kind=node.kind, is_active=True)
    if node.depth > 1:
        nodes = nodes.filter(path__startswith=node.path[: Organisation.steplen])
    figures = _peer_figures(node, trust, period)
    rows = []
    for peer in nodes.order_by("name"):
        told, answered, median = figures.get(peer.path, (0, 0, None))
        rows.append(PeerRow(peer, told, answered, median, told < max(limit, 1)))
    if node.pk not in {r.organisation.pk for r in rows}:
        told, answered, median = figures.get(node.path, (0, 0, None))
        rows.append(PeerRow(node, told, answered, median, told < max(limit, 1)))

    def order(row: PeerRow) -> tuple[float, float, str]:
        return (
            -row.answered / row.told,
            row.median_seconds if row.median_seconds is not None else float("inf"),
            row.organisation.name.lower(),
        )

    ranked = sorted((r for r in rows if not r.hidden), key=order)
    numbered = [
        replace(r, rank=i, is_self=r.organisation == node) for i, r in enumerate(ranked, start=1)
    ]
    unranked = [replace(r, is_self=r.organisation == node) for r in rows if r.hidden]
    every = numbered + unranked
    own = next((r for r in every if r.is_self), None)
    shown = every[:PEERS_SHOWN]
    if own is not None and own not in shown:
        shown.append(own)
    return Peers(
        rows=shown,
        ranked=len(numbered),
        own=own,
        kind_plural=str(display.KIND_PLURALS.get(node.kind, "")),
        more=len(every) - len(shown),
    )


def board_report(
    node: Organisation, period: Period, chosen: list[Story], today: dt.date
) -> BoardReport:
    """Everything the report shows, in a fixed number of queries whatever the stories."""
    limit = settings.INSIGHT_MIN_CELL
    trust = trust_of(node)
    filters = StoryFilters(organisation=node, date_from=period.start, date_to=period.end)
    insight = insight_for(node, filters, period)
    changes = list(
        register(
            node,
            RegisterFilters(status=ChangeStatus.MADE, date_from=period.start, date_to=period.end),
            today,
        )
    )
    within = _within_target(filters) if insight.total else 0
    params = QueryDict(mutable=True)
    sections: dict[str, Any] = {}
    if insight.total:
        sections = page_context(
            insight, node=node, filters=filters, params=params, staff=False, sort="stories"
        )
    return BoardReport(
        node=node,
        trust=trust,
        period=period,
        insight=insight,
        figures=_headline(trust, insight, within, len(changes), limit),
        changes=changes,
        chosen=chosen_conversations(chosen),
        peers=peers_of(node, trust, period, limit),
        sections=sections,
    )
