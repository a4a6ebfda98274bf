"""Rate limits: anonymous callers per address, key holders per key (a higher rate).

Counts live in the shared cache (Redis in production), like the site's own limits. The
rates are settings (API_RATE_ANONYMOUS, API_RATE_PER_KEY), read per request so a test
or an operator's change takes effect without a restart of this module's state.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from apps.core.visitors import client_address


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
