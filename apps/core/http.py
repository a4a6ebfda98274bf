"""Typed requests for views, and what views read off a request.

View markers are in `view_markers.py`; the caller's address and visitor keys in
`visitors.py`."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that has passed through django-htmx's middleware."""

    htmx: HtmxDetails


def limited(request: HttpRequest) -> bool:
    """Whether django-ratelimit marked this request as over its limit."""
    return bool(getattr(request, "limited", False))
