from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.functional import cached_property

from apps.organisations.models import Organisation
from apps.organisations.sections import Section

from .selectors import story_count_for_organisation, story_list_for_organisation
from .taxonomy import Progress


class CountedPaginator(Paginator):
    """A paginator whose count comes from its own (cheaper) query, run when first needed."""

    def __init__(self, object_list: Any, per_page: int, *, count: Callable[[], int]) -> None:
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count()


def organisation_stories(request: HttpRequest, organisation: Organisation) -> Section:
    """The published stories of the organisation's whole subtree, newest first, paged."""
    value = request.GET.get("progress", "")
    progress = value if value in Progress.values else ""
    page = CountedPaginator(
        story_list_for_organisation(organisation, progress),
        settings.STORIES_PAGE_SIZE,
        count=lambda: story_count_for_organisation(organisation, progress),
    ).get_page(request.GET.get("stories"))
    return Section(
        "stories/_organisation_stories.html",
        {"stories": page, "progress": progress, "progress_choices": Progress.choices},
    )
