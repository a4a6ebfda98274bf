"""The staff inbox: stories a member of staff may read as staff or answer.

Each read is a fixed number of queries whatever the number of grants, teams,
referrals or stories: the scope is one list of paths (one query), and the rest
are single statements built from it.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from apps.organisations.models import Organisation
from apps.responders.permissions import RESPOND, VIEW_STAFF_DATA, scope_paths
from apps.stories.models import Story, StoryService, StoryStatus

from .models import (
    Referral,
    Response,
    ResponseStatus,
    StaffRead,
    StoryGroupPermission,
    StoryUserPermission,
)
from .permissions import RESPOND_TO_STORY


@dataclass(frozen=True)
class InboxFilters:
    unanswered: bool = False
    service: Organisation | None = None
    min_criticality: int | None = None
    referred: bool = False
    unread: bool = False


def _under(paths: list[str], field: str = "organisation__path") -> Q:
    if not paths:
        return Q(pk__in=[])
    return reduce(operator.or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def _referred_to(user: Any) -> Q:
    mine = StoryUserPermission.objects.filter(
        user=user, permission__codename=RESPOND_TO_STORY, content_object=OuterRef("pk")
    )
    teams = StoryGroupPermission.objects.filter(
        group__user=user, permission__codename=RESPOND_TO_STORY, content_object=OuterRef("pk")
    )
    return Q(Exists(mine)) | Q(Exists(teams))


def inbox(user: Any, filters: InboxFilters | None = None) -> QuerySet[Story]:
    """Published stories about the user's part of the tree, or referred to them, newest
    first, each marked: referred to me, read by me, answered, and whether I may respond."""
    filters = filters or InboxFilters()
    seen = scope_paths(user, VIEW_STAFF_DATA)
    answer = scope_paths(user, RESPOND)
    about = StoryService.objects.filter(story=OuterRef("pk"))
    stories = (
        Story.objects.filter(status=StoryStatus.PUBLISHED)
        .annotate(
            in_scope=Exists(about.filter(_under(seen))),
            answerable=Exists(about.filter(_under(answer))),
            is_referred=_referred_to(user),
            read_by_me=Exists(StaffRead.objects.filter(story=OuterRef("pk"), user=user)),
            answered=Exists(
                Response.objects.filter(story=OuterRef("pk"), status=ResponseStatus.PUBLISHED)
            ),
        )
        # Candidates come from the indexes (services under the scope's paths, referral
        # permissions), so the database never visits stories outside them.
        .filter(
            Q(pk__in=StoryService.objects.filter(_under(seen)).values("story_id"))
            | Q(
                pk__in=StoryUserPermission.objects.filter(
                    user=user, permission__codename=RESPOND_TO_STORY
                ).values("content_object_id")
            )
            | Q(
                pk__in=StoryGroupPermission.objects.filter(
                    group__user=user, permission__codename=RESPOND_TO_STORY
                ).values("content_object_id")
            )
        )
    )
    if filters.unanswered:
        stories = stories.filter(answered=False)
    if filters.service is not None:
        stories = stories.filter(
            Exists(about.filter(organisation__path__startswith=filters.service.path))
        )
    if filters.min_criticality is not None:
        stories = stories.filter(criticality__gte=filters.min_criticality)
    if filters.referred:
        stories = stories.filter(is_referred=True)
    if filters.unread:
        stories = stories.filter(read_by_me=False)
    return stories.order_by("-published_at", "-pk").prefetch_related(
        Prefetch("services", queryset=Organisation.objects.order_by("storyservice__position"))
    )


def inbox_service_options(user: Any) -> list[Organisation]:
    """Every node the user's scope covers, in tree order, for the service filter."""
    return list(
        Organisation.objects.filter(_under(scope_paths(user, VIEW_STAFF_DATA), "path"))
        .only("pk", "name", "slug", "path", "depth")
        .order_by("path")
    )


def story_referrals(story: Story) -> list[Referral]:
    """The open referrals of a story, with who they reach and who made them."""
    return list(
        Referral.objects.filter(story=story, revoked_at__isnull=True)
        .select_related("user", "team", "referred_by")
        .order_by("created_at")
    )


def story_queryset() -> QuerySet[Story]:
    """Published stories with what the staff page shows, in a fixed number of queries."""
    return Story.objects.filter(status=StoryStatus.PUBLISHED).prefetch_related(
        Prefetch("services", queryset=Organisation.objects.order_by("storyservice__position")),
        "story_tags__tag",
    )
