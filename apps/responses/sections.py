"""The conversation, added to the public story page and the author's private page
(registered in apps.core.extensions by this app's AppConfig, so the stories app imports
nothing from here)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from apps.core import extensions
from apps.core.extensions import ExportPart, Section
from apps.responders.permissions import can_moderate
from apps.stories.models import Story

from .forms import AuthorReplyForm
from .models import AuthorReply, Response, ResponseStatus
from .selectors import Entry, conversation


def _with_outcomes(story: Story, entries: list[Entry]) -> list[Entry]:
    """The entries, each public response with what it led to when an app above says."""
    outcomes = extensions.response_outcomes.get()
    if outcomes is not None:
        outcomes(story, entries)
    return entries


def story_conversation(request: HttpRequest, story: Story) -> Section:
    """Published responses and author replies, with "helpful" buttons. Two queries (and
    the outcomes' own). Moderators, who may change any response at any time, get its edit
    link here."""
    entries = _with_outcomes(story, conversation(story, placeholders=True))
    editable = (
        {e.item.pk for e in entries if e.kind == "response" and e.item.is_public}
        if can_moderate(request.user)
        else set()
    )
    return Section(
        "responses/_public_conversation.html",
        {"entries": entries, "voted": set(), "editable": editable},
    )


def author_conversation(request: HttpRequest, story: Story, token: str) -> Section:
    """The same conversation with the author's own waiting replies, and a reply form."""
    return Section(
        "responses/_author_conversation.html",
        {
            "entries": _with_outcomes(story, conversation(story, author=True, placeholders=True)),
            "form": AuthorReplyForm(),
            "token": token,
        },
    )


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def author_export(story: Story) -> ExportPart:
    """The author's download: the responses they received (published) and every reply
    they wrote, with its state. Two queries."""
    responses = [
        {
            "from": r.author_name,
            "job_title": r.author_job_title,
            "organisation": r.organisation.name,
            "published_at": _iso(r.published_at),
            "text": r.body,
        }
        for r in Response.objects.filter(story=story, status=ResponseStatus.PUBLISHED)
        .select_related("organisation")
        .order_by("published_at", "pk")
    ]
    replies = [
        {
            "status": r.status,
            "status_label": str(r.get_status_display()),
            "written_at": _iso(r.created_at),
            "published_at": _iso(r.published_at),
            "text": r.body,
        }
        for r in AuthorReply.objects.filter(story=story).order_by("created_at", "pk")
    ]
    return ExportPart(
        {"responses": responses, "your_replies": replies}, "responses/_author_export.html"
    )
