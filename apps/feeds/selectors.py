"""What the feeds and the widget show: published stories and their public conversation.

Only public fields are read (`PUBLIC_STORY_FIELDS`): a template that reached for a
staff-only field would cost a query per story and fail the query budgets, never leak
quietly. Each read is a fixed number of queries whatever the data.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.html import strip_tags

from apps.organisations.models import Organisation
from apps.responses.models import AuthorReply, AuthorReplyStatus, Response, ResponseStatus
from apps.stories.models import Story, StoryService, StoryStatus, StoryTag, Tag
from apps.stories.selectors import services_named

PUBLIC_STORY_FIELDS = (
    "pk",
    "title",
    "body",
    "pseudonym",
    "author_role",
    "experienced_on",
    "status",
    "published_at",
    "language",
)
PUBLIC_RESPONSE_FIELDS = (
    "pk",
    "story_id",
    "author_name",
    "author_job_title",
    "body_html",
    "published_at",
    "created_at",
    "edited_at",
    "organisation__name",
    "organisation__slug",
)


@dataclass(frozen=True)
class Turn:
    """One published turn of a conversation: a staff response or the author's reply."""

    kind: str  # "response" or "reply"
    at: dt.datetime
    item: Any


@dataclass
class FeedEntry:
    """A story with what its feed entry shows."""

    story: Story
    services: list[Organisation] = field(default_factory=list)
    tags: list[StoryTag] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)

    @property
    def updated(self) -> dt.datetime:
        """The story's latest public activity: publication, or its newest published
        response (or that response's edit), or its newest published author reply."""
        moments = [self.story.published_at] + [turn.at for turn in self.turns]
        moments += [
            turn.item.edited_at
            for turn in self.turns
            if turn.kind == "response" and turn.item.edited_at
        ]
        return max(moment for moment in moments if moment is not None)


@dataclass(frozen=True)
class WidgetStory:
    """A story in the widget, with the newest published response to it, if any."""

    story: Story
    response: Response | None
    response_text: str = ""


def _published() -> QuerySet[Story]:
    return Story.objects.filter(status=StoryStatus.PUBLISHED).only(*PUBLIC_STORY_FIELDS)


def stories_under(organisation: Organisation) -> QuerySet[Story]:
    """Published stories about any service in the organisation's whole subtree."""
    links = StoryService.objects.filter(organisation__path__startswith=organisation.path)
    return _published().filter(pk__in=links.values("story_id"))


def stories_naming(organisation: Organisation) -> QuerySet[Story]:
    """Published stories that name this node itself (not only a part beneath it)."""
    return _published().filter(
        pk__in=StoryService.objects.filter(organisation=organisation).values("story_id")
    )


def stories_tagged(tag: Tag) -> QuerySet[Story]:
    """Published stories carrying the tag (whichever way the author felt about it)."""
    return _published().filter(pk__in=StoryTag.objects.filter(tag=tag).values("story_id"))


def _newest_first(stories: QuerySet[Story]) -> QuerySet[Story]:
    return stories.order_by("-published_at", "-pk")


def feed_entries(stories: QuerySet[Story], *, limit: int) -> list[FeedEntry]:
    """The newest `limit` stories with their services, tags and published conversation:
    five queries whatever the number of stories, responses or replies."""
    chosen = list(
        _newest_first(stories).prefetch_related(
            services_named(),
            Prefetch(
                "story_tags",
                queryset=StoryTag.objects.select_related("tag").order_by(
                    "tag__group", "tag__position"
                ),
            ),
        )[:limit]
    )
    ids = [story.pk for story in chosen]
    turns: dict[int, list[Turn]] = defaultdict(list)
    responses = (
        Response.objects.filter(story_id__in=ids, status=ResponseStatus.PUBLISHED)
        .select_related("organisation")
        .only(*PUBLIC_RESPONSE_FIELDS)
    )
    for response in responses:
        turns[response.story_id].append(
            Turn("response", response.published_at or response.created_at, response)
        )
    replies = AuthorReply.objects.filter(story_id__in=ids, status=AuthorReplyStatus.PUBLISHED).only(
        "pk", "story_id", "body", "published_at", "created_at"
    )
    for reply in replies:
        turns[reply.story_id].append(Turn("reply", reply.published_at or reply.created_at, reply))
    return [
        FeedEntry(
            story=story,
            services=list(story.services.all()),
            tags=list(story.story_tags.all()),
            turns=sorted(turns[story.pk], key=lambda turn: (turn.at, turn.kind, turn.item.pk)),
        )
        for story in chosen
    ]


def widget_stories(organisation: Organisation, *, limit: int) -> list[WidgetStory]:
    """The subtree's newest `limit` stories, each with its newest published response:
    two queries."""
    chosen = list(_newest_first(stories_under(organisation))[:limit])
    newest = (
        Response.objects.filter(
            story_id__in=[story.pk for story in chosen], status=ResponseStatus.PUBLISHED
        )
        .select_related("organisation")
        .only(*PUBLIC_RESPONSE_FIELDS)
        .order_by("story_id", "-published_at", "-pk")
        .distinct("story_id")
    )
    by_story = {response.story_id: response for response in newest}
    return [
        WidgetStory(
            story=story,
            response=by_story.get(story.pk),
            response_text=plain_text(by_story[story.pk].body_html) if story.pk in by_story else "",
        )
        for story in chosen
    ]


# The block tags the sanitiser lets through: words either side of them stay apart.
_BLOCK_TAG = re.compile(r"</?(?:p|br|ul|ol|li)\b[^>]*>", re.IGNORECASE)


def plain_text(cleaned_html: str) -> str:
    """The words of a response's cleaned HTML, as text for a template to escape again."""
    return " ".join(html.unescape(strip_tags(_BLOCK_TAG.sub(" ", cleaned_html))).split())
