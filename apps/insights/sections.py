"""The statistics on an organisation's page (the "figures" section)."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Page
from django.http import HttpRequest

from apps.core.extensions import Section
from apps.organisations.models import Organisation

from . import display
from .figures import figures_beneath, figures_for
from .permissions import can_see_parts, is_own_part

# The page's query parameter for the staff breakdown's pages; the organisation page
# already uses `page` (services) and `stories`.
PARTS_PAGE = "figures"


def organisation_figures(request: HttpRequest, organisation: Organisation) -> Section:
    """The node's public figures (one query while fresh), and for the organisation's
    staff the same figures for every part beneath it, paged (three more at most)."""
    figures = figures_for(organisation)
    context: dict[str, object] = {
        "figures": figures,
        "rank": figures.rank_words(organisation.kind),
        "no_rank": figures.no_rank_words(organisation.kind, active=organisation.is_active),
        "kind_plural": display.KIND_PLURALS.get(organisation.kind, ""),
        "min_stories": settings.FIGURES_RANK_MIN_STORIES,
        "parts": None,
    }
    if organisation.numchild and can_see_parts(request.user, organisation):
        parts = figures_beneath(organisation, number=request.GET.get(PARTS_PAGE))
        context["parts"] = parts
        context["own"] = {
            p.organisation.pk for p in parts if is_own_part(request.user, p.organisation)
        }
        context["parts_links"] = _page_links(request, parts)
    return Section("insights/_organisation_figures.html", context)


def _page_links(request: HttpRequest, parts: Page) -> dict[str, str]:
    """Previous and next links that keep the page's other parameters."""
    numbers = {
        "previous": parts.previous_page_number() if parts.has_previous() else None,
        "next": parts.next_page_number() if parts.has_next() else None,
    }
    links = {}
    for name, number in numbers.items():
        if number is not None:
            params = request.GET.copy()
            params[PARTS_PAGE] = str(number)
            links[name] = f"?{params.urlencode()}#figures-parts"
    return links
