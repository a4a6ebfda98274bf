"""The site's own pages: the home page, and the pages every public service needs (read by
everyone, edited by platform admins)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from apps.accounts.decorators import allowed_only
from apps.accounts.http import AuthenticatedHttpRequest
from apps.core import pagecache
from apps.core.forms import add_service_errors
from apps.core.pagecache import public_page
from apps.organisations.selectors import organisation_directory_counts
from apps.stories.selectors import story_list_public
from apps.stories.taxonomy import Progress

from . import selectors, services
from .forms import PageForm
from .models import PageSlug
from .permissions import can_edit_pages

page_editors_only = allowed_only(can_edit_pages)

HOME_STORIES = 5
ANSWERED = (Progress.RESPONDED, Progress.CHANGE_PLANNED, Progress.CHANGE_MADE)


@require_safe
@public_page(lambda request: [pagecache.LIST])
def home(request: HttpRequest) -> HttpResponse:
    """The front door: tell a story, what happens next, the latest stories, the directory."""
    context = {
        "stories": list(story_list_public()[:HOME_STORIES]),
        "answered": ANSWERED,
        "counts": organisation_directory_counts(),
    }
    return render(request, "pages/home.html", context)


def _content(slug: str) -> selectors.PageContent:
    try:
        return selectors.page_content(slug)
    except KeyError as exc:
        raise Http404("No such page") from exc


# Pages with an easy-read version, each linked to the other (docs/easy-read.md).
EASY_READ: dict[str, str] = {
    PageSlug.TERMS: PageSlug.TERMS_EASY_READ,
    PageSlug.PRIVACY: PageSlug.PRIVACY_EASY_READ,
}
FULL_VERSION: dict[str, str] = {easy: full for full, easy in EASY_READ.items()}


@require_safe
def page(request: HttpRequest, slug: str) -> HttpResponse:
    context = {
        "content": _content(slug),
        "easy_read": EASY_READ.get(slug),
        "full_version": FULL_VERSION.get(slug),
    }
    return render(request, "pages/page.html", context)


@require_safe
@page_editors_only
def staff_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "pages/staff_list.html", {"pages": selectors.pages_overview()})


@require_http_methods(["GET", "POST"])
@page_editors_only
def staff_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    content = _content(slug)
    form = PageForm(
        request.POST or None, initial={"body": content.body, "version": content.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.page_update(
                actor=request.user,
                slug=slug,
                body=form.cleaned_data["body"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Saved: “%(title)s” now shows your text.") % {"title": content.title}
            )
            return redirect("pages:staff_list")
    return render(request, "pages/staff_edit.html", {"content": content, "form": form})
