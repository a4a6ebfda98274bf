"""The conversation, added to the public story page and the author's private page
(registered in apps.core.extensions by this app's AppConfig, so the stories app imports
nothing from here)."""

from __future__ import annotations

from django.http import HttpRequest

from apps.core import extensions
from apps.core.extensions import Section
from apps.responders.permissions import can_moderate
from apps.stories.models import Story

from .forms import AuthorReplyForm
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
