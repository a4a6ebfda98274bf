"""Typed requests for views, and what views read off a request."""

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

View = TypeVar("View", bound=Callable[..., Any])


def cookie_free(view: View) -> View:
    """Mark a view whose responses must set no cookie and not vary by one (the widget that
    other sites embed, the feeds): middleware that would read or write the session skips
    it. The view itself must not touch the session, the user or a CSRF token."""
    view.cookie_free = True  # type: ignore[attr-defined]
    return view


def is_cookie_free(view: Callable[..., Any]) -> bool:
    return bool(getattr(view, "cookie_free", False))


def private(view: View) -> View:
    """Mark a view whose every response belongs to one person even when nobody is signed
    in (a page reached by a private link): it is sent `Cache-Control: private, no-store`
    (apps.core.middleware.PrivateCacheMiddleware)."""
    view.private = True  # type: ignore[attr-defined]
    return view


def is_private(view: Callable[..., Any]) -> bool:
    return bool(getattr(view, "private", False))


class HtmxHttpRequest(HttpRequest):
    """A request that has passed through django-htmx's middleware."""

    htmx: HtmxDetails


BOT_MARKERS = (
    "bot",
    "crawl",
    "spider",
    "slurp",
    "curl",
    "wget",
    "python-requests",
    "headless",
    "preview",
    "monitor",
)


def visitor_key(*, ip: str, user_agent: str) -> str | None:
    """A pseudonymous key for "one person", or None for robots. Never stored with the IP."""
    agent = user_agent.lower()
    if not agent or any(marker in agent for marker in BOT_MARKERS):
        return None
    digest = hashlib.sha256(f"{settings.SECRET_KEY}|{ip}|{agent}".encode())
    return digest.hexdigest()[:32]


def visitor_of(request: HttpRequest) -> str | None:
    """The reader counted once for reads, "me too" and "helpful": signed-in staff and
    robots are not counted (None)."""
    if request.user.is_authenticated:
        return None
    return visitor_key(
        ip=request.META.get("REMOTE_ADDR", ""), user_agent=request.headers.get("User-Agent", "")
    )


def limited(request: HttpRequest) -> bool:
    """Whether django-ratelimit marked this request as over its limit."""
    return bool(getattr(request, "limited", False))
