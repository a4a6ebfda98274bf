"""Every API error is JSON with a stable `code`: {"code", "message", "fields"?}.

Clients branch on `code`; `message` is for people and may be reworded. `fields` appears
with `invalid_parameter`, one list of messages per query parameter.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.core import signals
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)

INVALID_PARAMETER = "invalid_parameter"
INVALID_KEY = "invalid_key"
NOT_FOUND = "not_found"
RATE_LIMITED = "rate_limited"
METHOD_NOT_ALLOWED = "method_not_allowed"
SERVER_ERROR = "server_error"

# Stable codes for DRF's exceptions (their own codes are an implementation detail).
_CODES: list[tuple[type[exceptions.APIException], str]] = [
    (exceptions.ValidationError, INVALID_PARAMETER),
    (exceptions.AuthenticationFailed, INVALID_KEY),
    (exceptions.NotAuthenticated, INVALID_KEY),
    (exceptions.NotFound, NOT_FOUND),
    (exceptions.MethodNotAllowed, METHOD_NOT_ALLOWED),
    (exceptions.Throttled, RATE_LIMITED),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.ParseError, "invalid_request"),
    (exceptions.PermissionDenied, "forbidden"),
]

_MESSAGES = {
    INVALID_PARAMETER: "Some query parameters are not valid; see `fields`.",
    NOT_FOUND: "Nothing is published here.",
    RATE_LIMITED: "Too many requests. Wait for the number of seconds in Retry-After.",
}


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return body


def _fields(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(name): [str(m) for m in (messages if isinstance(messages, list) else [messages])]
            for name, messages in detail.items()
        }
    messages = detail if isinstance(detail, list) else [detail]
    return {"non_field_errors": [str(m) for m in messages]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler, with our envelope; unexpected errors become a JSON 500
    (logged, and signalled as Django does, so error reporting and tests still see them)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if not isinstance(exc, exceptions.APIException):
        request = context.get("request")
        logger.error("API error", exc_info=exc)
        signals.got_request_exception.send(
            sender=None, request=getattr(request, "_request", request)
        )
        return Response(
            error_body(SERVER_ERROR, "Something went wrong on our side. Please try again."),
            status=500,
        )
    code = next((c for kind, c in _CODES if isinstance(exc, kind)), exc.default_code)
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if isinstance(exc, exceptions.Throttled):
        headers["Retry-After"] = str(max(1, math.ceil(exc.wait or 1)))
    if isinstance(exc, exceptions.ValidationError):
        body = error_body(code, _MESSAGES[INVALID_PARAMETER], _fields(exc.detail))
    else:
        detail = exc.detail if isinstance(exc.detail, str) else ""
        body = error_body(code, _MESSAGES.get(code) or str(detail) or code.replace("_", " "))
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)


def not_found_json(request: HttpRequest, hint: str = "") -> JsonResponse:
    """A JSON 404 outside DRF's views (an unknown address under /api/v1/)."""
    message = "There is no such address in this API. The list is at /api/v1/openapi.json."
    return JsonResponse(error_body(NOT_FOUND, f"{message} {hint}".strip()), status=404)
