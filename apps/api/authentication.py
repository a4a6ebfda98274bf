"""`Authorization: Key <key>` for the JSON API, and nothing else: no session, no cookie.

No header means anonymous. Any Authorization header that is not a working key (another
scheme, a malformed, unknown or revoked key) is a 401 with WWW-Authenticate, never a
quiet fall back to anonymous: a client whose key stopped working must find out.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

SCHEME = "Key"


class InvalidKey(exceptions.AuthenticationFailed):
    default_code = "invalid_key"


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        # Imported here: DRF loads this class while the app registry may still be loading.
        from django.contrib.auth.models import AnonymousUser

        from .selectors import api_key_for
        from .services import api_key_note_use

        header = request.META.get("HTTP_AUTHORIZATION")
        if header is None:
            return None
        scheme, _, key = header.strip().partition(" ")
        if scheme.lower() != SCHEME.lower() or not key.strip():
            raise InvalidKey(f"Send the key as `Authorization: {SCHEME} <key>`.")
        api_key = api_key_for(key.strip())
        if api_key is None:
            raise InvalidKey("This API key is not valid.")
        if api_key.revoked_at is not None:
            raise InvalidKey("This API key has been revoked.")
        api_key_note_use(api_key=api_key, now=timezone.now())
        # The key is the caller; no person signs in to the API.
        return AnonymousUser(), api_key

    def authenticate_header(self, request: Any) -> str:
        return f'{SCHEME} realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apps.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "Optional. `Authorization: Key <key>`, with a key a super-user made. "
                "It raises the rate limit and adds staff-only fields to stories about "
                "the key's organisation. A key that does not work is a 401 error."
            ),
        }
