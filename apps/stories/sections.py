from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest

from apps.organisations.models import Organisation
from apps.organisations.sections import Section

from .selectors import story_list_for_organisation
from .taxonomy import Progress


def organisation_stories(request: HttpRequest, organisation: Organisation) -> Section:
    """The published stories of the organisation's whole subtree, newest first, paged."""
    value = request.GET.get("progress", "")
    progress = value if value in Progress.values else ""
    page = Paginator(
        story_list_for_organisation(organisation, progress), settings.STORIES_PAGE_SIZE
    ).get_page(request.GET.get("stories"))
    return Section(
        "stories/_organisation_stories.html",
        {"stories": page, "progress": progress, "progress_choices": Progress.choices},
    )
