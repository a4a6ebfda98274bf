"""The changes on a story's public, author and staff pages (listed in settings, so the
apps below import nothing from here)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from apps.organisations.models import Organisation
from apps.organisations.sections import Section
from apps.responses import sections as conversation_sections
from apps.responses.models import Response, ResponseStatus
from apps.responses.selectors import Entry
from apps.stories.models import Story

from . import selectors
from .forms import ChangeLinkForm
from .permissions import can_record_on

ORGANISATION_PAGE_CHANGES = 3


def _attach(entries: list[Entry], changes: list[Any]) -> None:
    """Show each change beside the response that announced it."""
    grouped = selectors.by_response(changes)
    for entry in entries:
        if entry.kind == "response":
            entry.item.outcomes = grouped.get(entry.item.pk, [])


def _with_changes(section: Section, story: Story, template: str) -> Section:
    changes = selectors.story_changes(story)
    _attach(section.context["entries"], changes)
    return Section(template, {**section.context, "changes": changes, "inner": section.template})


def story_conversation(request: HttpRequest, story: Story) -> Section:
    """The public conversation, with what is changing because of the story. One query
    more than the conversation's own."""
    return _with_changes(
        conversation_sections.story_conversation(request, story), story, "changes/_story.html"
    )


def author_conversation(request: HttpRequest, story: Story, token: str) -> Section:
    return _with_changes(
        conversation_sections.author_conversation(request, story, token),
        story,
        "changes/_story.html",
    )


def staff_story_changes(request: HttpRequest, story: Story, entries: list[Entry]) -> Section:
    """The story's changes for staff, and (for responders in scope) recording a new one
    or linking the story to a change already planned."""
    changes = selectors.story_changes(story)
    _attach(entries, changes)
    may_record = can_record_on(request.user, story)
    link_form = None
    if may_record:
        candidates = selectors.link_candidates(request.user, story)
        if candidates:
            responses = [
                e.item
                for e in entries
                if e.kind == "response" and e.item.status == ResponseStatus.PUBLISHED
            ]
            link_form = ChangeLinkForm(changes=candidates, responses=responses)
    published: list[Response] = [
        e.item for e in entries if e.kind == "response" and e.item.status == "published"
    ]
    return Section(
        "changes/_staff_story.html",
        {
            "story": story,
            "changes": changes,
            "may_record": may_record,
            "link_form": link_form,
            "responses": published,
        },
    )


def organisation_changes(request: HttpRequest, organisation: Organisation) -> Section:
    """The latest changes of the subtree and the way to its register: three queries."""
    latest = list(
        selectors.register(organisation, selectors.RegisterFilters(), timezone.localdate())[
            :ORGANISATION_PAGE_CHANGES
        ]
    )
    counts = selectors.register_counts(organisation)
    return Section("changes/_organisation_changes.html", {"latest": latest, "counts": counts})
