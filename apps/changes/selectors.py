"""Reads of the change register. Each returns a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from apps.accounts.http import AnyUser
from apps.organisations.models import Organisation
from apps.responders.scope import RESPOND, scope_of, under
from apps.stories.models import Story, StoryStatus

from .models import Change, ChangeStatus, ChangeStory

OVERDUE = "overdue"


@dataclass(frozen=True)
class RegisterFilters:
    status: str = ""  # a ChangeStatus value, OVERDUE, or "" for all
    service: Organisation | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _public_links() -> Prefetch[Any]:
    """Each change's links to stories that are still published, oldest link first."""
    return Prefetch(
        "links",
        queryset=ChangeStory.objects.filter(story__status=StoryStatus.PUBLISHED)
        .select_related("story")
        .order_by("linked_at", "pk"),
        to_attr="public_links",
    )


def register(
    organisation: Organisation | None, filters: RegisterFilters, today: dt.date
) -> QuerySet[Change]:
    """Changes for any node of the organisation's subtree (of the whole tree for None),
    latest step first."""
    under = filters.service if filters.service is not None else organisation
    changes = Change.objects.all()
    if under is not None:
        changes = changes.filter(organisation__path__startswith=under.path)
    if filters.status == OVERDUE:
        changes = changes.filter(status=ChangeStatus.PLANNED, due_on__lt=today)
    elif filters.status in ChangeStatus.values:
        changes = changes.filter(status=filters.status)
    if filters.date_from:
        changes = changes.filter(status_on__gte=filters.date_from)
    if filters.date_to:
        changes = changes.filter(status_on__lte=filters.date_to)
    return (
        changes.select_related("organisation")
        .prefetch_related(_public_links())
        .order_by("-status_on", "-pk")
    )


def register_counts(organisation: Organisation) -> dict[str, int]:
    """How many changes of the subtree are at each status (one query)."""
    rows = (
        Change.objects.filter(organisation__path__startswith=organisation.path)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(ChangeStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def change_public() -> QuerySet[Change]:
    return Change.objects.select_related("organisation").prefetch_related(_public_links())


def register_services(organisation: Organisation) -> list[Organisation]:
    """The nodes of the subtree that have changes, in tree order, for the service filter."""
    return list(
        Organisation.objects.filter(
            pk__in=Change.objects.filter(organisation__path__startswith=organisation.path).values(
                "organisation_id"
            )
        )
        .only("pk", "name", "slug", "path", "depth")
        .order_by("path")
    )


# The request memo's name for a story's changes (apps.core.request_memo).
STORY_CHANGES = "changes.story_changes"


def story_changes(story: Story) -> list[Change]:
    """The changes a story is linked to, oldest first, each with `link` (this story's)."""
    links = (
        ChangeStory.objects.filter(story=story)
        .select_related("change__organisation")
        .order_by("change__created_at", "change__pk")
    )
    changes = []
    for link in links:
        link.change.link = link
        changes.append(link.change)
    return changes


def by_response(changes: list[Change]) -> dict[int, list[Change]]:
    """The story's changes grouped by the response that announced them."""
    grouped: dict[int, list[Change]] = defaultdict(list)
    for change in changes:
        link = change.link
        if link.response_id is not None:
            grouped[link.response_id].append(change)
    return grouped


def link_candidates(user: AnyUser, story: Story, limit: int = 50) -> list[Change]:
    """Planned changes the user may update, under the same top-level organisations as the
    story's services, not yet linked to it: what an answer to this story could point to."""
    granted = scope_of(user).paths(RESPOND)
    roots = {service.path[: Organisation.steplen] for service in story.services.all()}
    mine = [g for g in granted if g[: Organisation.steplen] in roots]
    if not mine:
        return []
    return list(
        Change.objects.filter(under(mine), status=ChangeStatus.PLANNED)
        .exclude(links__story=story)
        .select_related("organisation")
        .order_by("-created_at", "-pk")[:limit]
    )


def change_for_staff(pk: int) -> Change:
    return (
        Change.objects.select_related("organisation", "recorded_by")
        .prefetch_related(
            Prefetch(
                "links",
                queryset=ChangeStory.objects.select_related("story", "response").order_by(
                    "linked_at", "pk"
                ),
            )
        )
        .get(pk=pk)
    )


def overdue_changes(today: dt.date) -> QuerySet[Change]:
    """Planned changes past their date that nobody has been reminded of yet."""
    return (
        Change.objects.filter(status=ChangeStatus.PLANNED, due_on__lt=today, reminded_at=None)
        .select_related("organisation")
        .order_by("due_on", "pk")
    )
