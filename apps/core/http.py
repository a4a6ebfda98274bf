"""Typed requests for views, and what views read off a request."""

import datetime as dt
import hashlib
import hmac
import ipaddress
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string
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


def client_address(request: Any) -> str:
    """The caller's address (RATELIMIT_IP_META_KEY behind a proxy, as for the site's own
    rate limits), an IPv6 caller counted by its /64 network."""
    meta_key = settings.RATELIMIT_IP_META_KEY
    if not meta_key:
        address = request.META.get("REMOTE_ADDR", "")
    elif "." in meta_key:
        address = import_string(meta_key)(request)
    else:
        address = request.META.get(meta_key, "")
    # A forwarded list ends with the address the nearest proxy saw; earlier entries are
    # whatever the client claimed, and counting by them would let it pick its own bucket.
    address = address.split(",")[-1].strip()
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def visitor_key(*, address: str, user_agent: str, day: dt.date | None = None) -> str | None:
    """A pseudonymous key for "one person": a keyed hash of their address (and the day,
    when given), or None for robots. The user agent only tells robots apart: a client that
    changes it on every request is still one visitor. Never stored with the address."""
    agent = user_agent.lower()
    if not agent or any(marker in agent for marker in BOT_MARKERS):
        return None
    message = f"{address}|{day.isoformat()}" if day else address
    digest = hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def visitor_of(request: HttpRequest, *, per_day: bool = False) -> str | None:
    """The reader counted once for reads (once a day: `per_day`), "me too" and "helpful":
    signed-in staff and robots are not counted (None)."""
    if request.user.is_authenticated:
        return None
    return visitor_key(
        address=client_address(request),
        user_agent=request.headers.get("User-Agent", ""),
        day=timezone.localdate() if per_day else None,
    )


def limited(request: HttpRequest) -> bool:
    """Whether django-ratelimit marked this request as over its limit."""
    return bool(getattr(request, "limited", False))
