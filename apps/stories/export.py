"""The author's download: everything they wrote and received, as JSON and as a page.

The story as told (revision 0) and as it stands (published or not), every version of
its text with who made it (the author or a moderator, never which moderator), the
decisions told to the author, and what apps above add (`extensions.author_export_parts`:
responses, the author's replies, changes recorded). Nothing staff-only: no criticality,
no moderators' notes, no moderator names. A fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.core import extensions

from .models import ModerationDecision, Story
from .retention import purge_date
from .selectors import services_named
from .taxonomy import Polarity, tag_label

FORMAT = "carevoice-author-download/1"


@dataclass(frozen=True)
class Download:
    data: dict[str, Any]  # the JSON file's contents
    templates: list[tuple[str, dict[str, Any]]]  # the readable page's parts, in order


def _iso(moment: dt.datetime | dt.date | None) -> str | None:
    return moment.isoformat() if moment else None


def _versions(story: Story) -> list[dict[str, Any]]:
    return [
        {
            "number": revision.number,
            "made_at": _iso(revision.made_at),
            "made_by": "you" if revision.number == 0 else "a moderator",
            "title": revision.title,
            "text": revision.body,
        }
        for revision in story.revisions.order_by("number")
    ]


def _decisions(story: Story) -> list[dict[str, Any]]:
    # The note of a decision is the one the author was sent with a refusal; the
    # moderator's own note (Story.moderator_note) is staff-only and stays out.
    return [
        {
            "decision": decision.action,
            "decision_label": str(decision.get_action_display()),
            "at": _iso(decision.at),
            "reason": str(decision.get_reason_display()) if decision.reason else "",
            "note": decision.note if decision.action == ModerationDecision.Action.REJECTED else "",
        }
        for decision in story.decisions.order_by("at", "pk")
    ]


def author_download(story_id: int) -> Download:
    """Everything the author of this story wrote and received (see the module)."""
    story = Story.objects.prefetch_related(services_named(), "story_tags__tag").get(pk=story_id)
    versions = _versions(story)
    told = versions[0] if versions else {"title": "", "text": ""}
    purge = purge_date(story)
    data: dict[str, Any] = {
        "format": FORMAT,
        "site": settings.SITE_NAME,
        "downloaded_at": _iso(timezone.now()),
        "story": {
            "number": story.pk,
            "status": story.status,
            "status_label": str(story.get_status_display()),
            "told_at": _iso(story.created_at),
            "happened_in": story.experienced_on.strftime("%Y-%m"),
            "services": [service.display_name for service in story.services.all()],
            "you_are": str(story.get_author_role_display()),
            "name_shown": story.pseudonym,
            "email": story.author_email,
            "language": story.language,
            "language_label": str(story.get_language_display()),
            "emails_written_in": story.author_language,
            "tags": [
                {
                    "tag": tag_label(link.tag.label),
                    "polarity": link.polarity,
                    "polarity_label": str(Polarity(link.polarity).label) if link.polarity else "",
                }
                for link in story.story_tags.all()
            ],
            "as_told": {"title": told["title"], "text": told["text"]},
            "as_it_stands": {"title": story.title, "text": story.body},
            "published_at": _iso(story.published_at),
            "not_published_because": str(story.get_rejection_reason_display())
            if story.rejection_reason
            else "",
            "closed_at": _iso(story.closed_at),
            "words_deleted_on": _iso(purge),
            "words_deleted_at": _iso(story.purged_at),
        },
        "versions": versions,
        "decisions": _decisions(story),
    }
    templates = []
    for provider in extensions.author_export_parts.providers():
        part = provider(story)
        data.update(part.data)
        templates.append((part.template, part.data))
    return Download(data=data, templates=templates)
