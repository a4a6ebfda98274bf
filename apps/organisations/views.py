from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from apps.core import extensions, pagecache
from apps.core.http import HtmxHttpRequest
from apps.core.pagecache import public_page

from . import selectors
from .forms import DirectorySearchForm
from .models import Organisation


@require_safe
def directory(request: HtmxHttpRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    organisations = selectors.organisation_search(
        query=data.get("q", ""),
        kind=data.get("kind", ""),
        include_closed=data.get("closed", False),
    )
    page = Paginator(organisations, settings.ORGANISATIONS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "page": page,
        "results": selectors.with_roots(list(page.object_list)),
        "query_string": _without_page(request),
    }
    template = "organisations/directory.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@require_safe
@public_page(lambda request, slug: [pagecache.organisation(slug)])
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        page_data = selectors.organisation_page(slug=slug)
    except Organisation.DoesNotExist as exc:
        raise Http404("No such organisation") from exc
    services = Paginator(page_data.services, settings.ORGANISATIONS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "p": page_data,
        "organisation": page_data.organisation,
        "services": services,
        "service_rows": selectors.with_parents(list(services.object_list)),
        # Apps above this one (statistics, changes, stories, feeds) add their own
        # sections through the registry, so this app imports none of them.
        "sections": [
            section(request, page_data.organisation)
            for section in extensions.organisation_page_sections.providers()
        ],
    }
    return render(request, "organisations/detail.html", context)


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
