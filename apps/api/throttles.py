"""Rate limits: anonymous callers per address, key holders per key (a higher rate).

Counts live in the shared cache (Redis in production), like the site's own limits. The
rates are settings (API_RATE_ANONYMOUS, API_RATE_PER_KEY), read per request so a test
or an operator's change takes effect without a restart of this module's state.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string
from rest_framework.throttling import SimpleRateThrottle


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


class ApiRateThrottle(SimpleRateThrottle):
    scope = "api"

    def __init__(self) -> None:
        # The rate depends on the caller; see allow_request.
        pass

    def allow_request(self, request: Any, view: Any) -> bool:
        # Imported here: DRF loads this class while the app registry may still be loading.
        from .models import ApiKey

        if isinstance(request.auth, ApiKey):
            self.rate = settings.API_RATE_PER_KEY
            self.ident = f"key-{request.auth.pk}"
        else:
            self.rate = settings.API_RATE_ANONYMOUS
            self.ident = f"ip-{client_address(request)}"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return bool(super().allow_request(request, view))

    def get_cache_key(self, request: Any, view: Any) -> str:
        return str(self.cache_format % {"scope": self.scope, "ident": self.ident})
