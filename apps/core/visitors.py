"""Who is reading: the caller's address as the rate limits count it, and a pseudonymous
key for one visitor (reads, "me too" and "helpful" are counted once a person)."""

import datetime as dt
import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string

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


def client_address(request: HttpRequest) -> str:
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
