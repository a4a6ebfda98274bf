"""Cross-site request protection for the few forms on pages kept in the shared cache.

A page that one copy serves to everyone cannot carry anyone's CSRF token. Its forms act
for nobody in particular (the language switch, "I've experienced this", "helpful", a
report to the moderators), and they are protected by what every current browser says
of where a request comes from: `Sec-Fetch-Site`, else `Origin`, else `Referer`, as
Django's own CSRF check reads Origin and Referer before the token. A request that says
nothing of its origin is refused, as is one from another site. Forms that act for a
person (telling a story, signing in, every staff form) keep Django's token.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

View = TypeVar("View", bound=Callable[..., HttpResponse])

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
REASON = "The form was not sent from this site."


def _same_origin(request: HttpRequest, claimed: str) -> bool:
    try:
        parts = urlsplit(claimed)
        good = f"{request.scheme}://{request.get_host()}"
    except ValueError:
        return False
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin == good or origin in settings.CSRF_TRUSTED_ORIGINS


def from_this_site(request: HttpRequest) -> bool:
    """Whether the browser says this request was sent by one of the site's own pages."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin != "null" and _same_origin(request, origin)
    referer = request.headers.get("Referer")
    return referer is not None and _same_origin(request, referer)


def same_origin(view: View) -> View:
    """Accept writes to this view only from the site's own pages (see the module's
    docstring), with no CSRF token needed. Django's test client, which asks for no CSRF
    check, is let through as the CSRF middleware lets it through."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if (
            request.method not in SAFE_METHODS
            and not getattr(request, "_dont_enforce_csrf_checks", False)
            and not from_this_site(request)
        ):
            failure = import_string(settings.CSRF_FAILURE_VIEW)
            return failure(request, reason=REASON)
        return view(request, *args, **kwargs)

    return cast(View, csrf_exempt(wrapper))
