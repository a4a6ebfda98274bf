"""The changes on a story's public, author and staff pages and on an organisation's page,
and the outcomes beside each response (registered in apps.core.extensions by this app's
AppConfig, so the apps below import nothing from here)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from apps.core import pagecache
from apps.core.extensions import ExportPart, Section
from apps.core.request_memo import memo
from apps.organisations.models import Organisation
from apps.responses.models import Response, ResponseStatus
from apps.responses.selectors import Entry
from apps.stories.models import Story

from . import selectors
from .forms import ChangeLinkForm
from .models import Change
from .permissions import can_record_on
from .selectors import STORY_CHANGES

ORGANISATION_PAGE_CHANGES = 3


def _story_changes(story: Story) -> list[Change]:
    """The story's changes, read once per request although both the conversation's
    outcomes and the changes section show them (changes' services forget them on a write)."""
    return memo((STORY_CHANGES, story.pk), lambda: selectors.story_changes(story))


def _attach(entries: list[Entry], changes: list[Change]) -> None:
    """Show each change beside the response that announced it."""
    grouped = selectors.by_response(changes)
    for entry in entries:
        if entry.kind == "response":
            entry.item.outcomes = grouped.get(entry.item.pk, [])


def response_outcomes(story: Story, entries: list[Entry]) -> None:
    """Each public response's `outcomes`: the changes it announced. One query, none when
    the conversation has no response."""
    if any(entry.kind == "response" for entry in entries):
        _attach(entries, _story_changes(story))


def story_changes(request: HttpRequest, story: Story) -> Section:
    """What is changing because of the story, on its public page. One query."""
    return Section("changes/_story.html", {"changes": _story_changes(story)})


def author_changes(request: HttpRequest, story: Story, token: str) -> Section:
    """The same on the author's private page."""
    return story_changes(request, story)


def staff_story_changes(request: HttpRequest, story: Story, entries: list[Entry]) -> Section:
    """The story's changes for staff, and (for responders in scope) recording a new one
    or linking the story to a change already planned."""
    changes = _story_changes(story)
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
    # Kept under the organisation's version, which every change recorded or updated beneath
    # it replaces (its figures move): at ten million stories a big trust's counts took
    # 28 ms on every view.
    counts = pagecache.kept(
        "changes_by_status",
        [pagecache.organisation(organisation.slug)],
        lambda: selectors.register_counts(organisation),
    )
    return Section("changes/_organisation_changes.html", {"latest": latest, "counts": counts})


def author_export(story: Story) -> ExportPart:
    """The author's download: the changes recorded because of their story. One query."""
    changes = [
        {
            "organisation": change.organisation.name,
            "status": change.status,
            "status_label": str(change.get_status_display()),
            "what_will_change": change.summary,
            "by": change.due_on.isoformat(),
            "what_changed": change.made_summary,
            "changed_on": change.made_on.isoformat() if change.made_on else None,
            "why_not_going_ahead": change.reason,
        }
        for change in selectors.story_changes(story)
    ]
    return ExportPart({"changes": changes}, "changes/_author_export.html")
