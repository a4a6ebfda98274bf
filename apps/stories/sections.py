from __future__ import annotations

from django.http import HttpRequest

from apps.core.extensions import Section
from apps.organisations.models import Organisation

from .search import StorySearchForm, listed_page, search_page, search_query_string
from .selectors import story_count_for_organisation

# The organisation page's own parameters for its stories (others belong to other sections).
PAGE = "stories"


def organisation_stories(request: HttpRequest, organisation: Organisation) -> Section:
    """The published stories of the organisation's whole subtree, with the search of
    /stories/ inside it: its words, filters and page in the organisation page's URL."""
    form = StorySearchForm(request.GET, fixed_organisation=organisation)
    filters = form.filters() if form.is_valid() else None
    page = None
    if filters is not None and filters.is_filtered:
        page = search_page(filters, request.GET.get(PAGE))
    elif filters is not None:
        # Nothing but the subtree: the exact count, from the story links alone.
        page = listed_page(
            filters,
            request.GET.get(PAGE),
            found=lambda: story_count_for_organisation(organisation),
        )
    form.offer_choices()
    return Section(
        "stories/_organisation_stories.html",
        {
            "form": form,
            "filters": filters,
            "stories": page,
            "page_name": PAGE,
            "query_string": search_query_string(request.GET, page_name=PAGE),
        },
    )
