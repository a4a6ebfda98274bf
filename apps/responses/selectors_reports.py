"""The moderators' reports queue: everything published that readers reported and no
moderator has dealt with yet (stories, responses, author replies), one row per item with
its count of reports, the item reported longest ago first. A fixed number of queries
whatever the number of reports: the open reports are grouped by item from their partial
index, then the items shown and their open reports are read once per kind."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min

from apps.stories.models import Flag, ReportBase, Story
from apps.stories.selectors import services_named

from .models import AuthorReply, ConversationReport, Response

QUEUE_LIMIT = 50


@dataclass
class ReportedItem:
    """One reported item: `kind` is "story", "response" or "reply"."""

    kind: str
    pk: int
    count: int
    first_at: dt.datetime
    item: Any = None
    story: Story | None = None
    reports: list[ReportBase] = field(default_factory=list)
    form: Any = None  # the page's decision form for it


@dataclass(frozen=True)
class ReportsQueue:
    items: list[ReportedItem]
    total: int  # items with open reports, shown or not


def _open_groups(model: Any, column: str, limit: int) -> list[ReportedItem]:
    rows = (
        model.objects.filter(resolved_at__isnull=True, **{f"{column}__isnull": False})
        .values(column)
        .annotate(n=Count("pk"), first=Min("at"))
        .order_by("first", column)[:limit]
    )
    kind = {"story_id": "story", "response_id": "response", "reply_id": "reply"}[column]
    return [ReportedItem(kind, row[column], row["n"], row["first"]) for row in rows]


def _open_count(model: Any, column: str) -> int:
    return int(
        model.objects.filter(resolved_at__isnull=True, **{f"{column}__isnull": False})
        .values(column)
        .distinct()
        .count()
    )


def reports_queue(limit: int = QUEUE_LIMIT) -> ReportsQueue:
    """The reported items, oldest report first, at most `limit`, each with its item,
    its story (with services) and its open reports oldest first."""
    groups = (
        _open_groups(Flag, "story_id", limit)
        + _open_groups(ConversationReport, "response_id", limit)
        + _open_groups(ConversationReport, "reply_id", limit)
    )
    groups = sorted(groups, key=lambda g: (g.first_at, g.kind, g.pk))[:limit]
    wanted: dict[str, list[int]] = defaultdict(list)
    for group in groups:
        wanted[group.kind].append(group.pk)
    responses = Response.objects.select_related("organisation").in_bulk(wanted["response"])
    replies = AuthorReply.objects.in_bulk(wanted["reply"])
    story_ids = set(wanted["story"])
    story_ids |= {r.story_id for r in responses.values()} | {r.story_id for r in replies.values()}
    stories = Story.objects.prefetch_related(services_named()).in_bulk(list(story_ids))
    reports: dict[tuple[str, int], list[ReportBase]] = defaultdict(list)
    for flag in Flag.objects.filter(resolved_at__isnull=True, story_id__in=wanted["story"]):
        reports["story", flag.story_id].append(flag)
    for report in ConversationReport.objects.filter(resolved_at__isnull=True).filter(
        response_id__in=wanted["response"]
    ) | ConversationReport.objects.filter(resolved_at__isnull=True, reply_id__in=wanted["reply"]):
        if report.response_id is not None:
            reports["response", report.response_id].append(report)
        elif report.reply_id is not None:
            reports["reply", report.reply_id].append(report)
    items_by_kind: dict[str, dict[int, Any]] = {
        "story": stories,
        "response": responses,
        "reply": replies,
    }
    for group in groups:
        group.item = items_by_kind[group.kind].get(group.pk)
        story_id = group.pk if group.kind == "story" else getattr(group.item, "story_id", None)
        group.story = stories.get(story_id) if story_id else None
        if group.item is not None and group.kind != "story":
            group.item.story = group.story
        group.reports = sorted(reports[group.kind, group.pk], key=lambda r: r.at)
    total = (
        _open_count(Flag, "story_id")
        + _open_count(ConversationReport, "response_id")
        + _open_count(ConversationReport, "reply_id")
    )
    return ReportsQueue(items=[g for g in groups if g.item is not None], total=total)
