"""Feeds and the widget: public data only, the same for every visitor, so they set no
cookie, read no session and may be cached by anyone for a few minutes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from apps.core.view_markers import cookie_free
from apps.organisations.models import Organisation
from apps.stories.models import Tag

from . import selectors
from .feeds import StoryFeed, service_scope, subtree_scope, tag_scope
from .forms import WidgetOptionsForm


def publicly_cached(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let browsers and shared caches keep the response for FEEDS_CACHE_SECONDS (an
    ETag, and 304 to a conditional request, come from ConditionalGetMiddleware)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        seconds = settings.FEEDS_CACHE_SECONDS
        patch_cache_control(response, public=True, max_age=seconds, s_maxage=seconds)
        return response

    return wrapped


@cookie_free
@require_safe
@publicly_cached
def organisation_feed(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    return StoryFeed(subtree_scope(organisation))(request)


@cookie_free
@require_safe
@publicly_cached
def service_feed(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    return StoryFeed(service_scope(organisation))(request)


@cookie_free
@require_safe
@publicly_cached
def tag_feed(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    return StoryFeed(tag_scope(tag))(request)


# The one page other sites may frame: X-Frame-Options off and CSP frame-ancestors `*`
# here alone. Its problems (no such organisation, a bad parameter) are answered in the
# frame too, so whoever embeds it sees what to fix.
@cookie_free
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@require_safe
@publicly_cached
def widget(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        problems = [_("There is no organisation at this address: check the code you copied.")]
        return render(request, "feeds/widget.html", {"problems": problems}, status=404)
    form = WidgetOptionsForm(request.GET)
    if not form.is_valid():
        context = {"organisation": organisation, "problems": form.problems()}
        return render(request, "feeds/widget.html", context, status=400)
    stories = selectors.widget_stories(organisation, limit=form.stories())
    return render(request, "feeds/widget.html", {"organisation": organisation, "stories": stories})
