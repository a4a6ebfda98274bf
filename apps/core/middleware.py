"""Middleware that every request passes through: input cleaned of control characters, and
private pages kept out of shared caches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict
from django.utils.translation import gettext

from .text import CONTROL, strip_control
from .view_markers import is_cookie_free, is_private

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
PRIVATE = "private, no-store"
COOKIE_FREE_KEY = "carevoice.cookie_free_view"
PRIVATE_KEY = "carevoice.private_view"


class NulByte(ValueError):
    """A NUL byte in the address, the query or the form data."""


def _cleaned(data: QueryDict) -> QueryDict:
    """The same data without control characters (tab, newline and carriage return kept);
    NulByte if any name or value holds a NUL."""
    dirty = False
    for key, values in data.lists():
        for text in (key, *values):
            if "\x00" in text:
                raise NulByte
            dirty = dirty or CONTROL.search(text) is not None
    if not dirty:
        return data
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(strip_control(key), [strip_control(value) for value in values])
    cleaned._mutable = False
    return cleaned


class CleanInputMiddleware:
    """Control characters never reach a form or a view: one in a story would be stored,
    then break every feed that carries it (XML cannot), so they are removed from every
    query and form value here, once. A NUL byte is refused with a 400: PostgreSQL cannot
    store one, and nobody sends one but a probe. Uploaded files are the views' to check."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            if "\x00" in request.path_info or "\x00" in request.path:
                raise NulByte
            request.GET = _cleaned(request.GET)  # type: ignore[assignment]
            if request.method == "POST" and request.content_type in FORM_TYPES:
                request.POST = _cleaned(request.POST)  # type: ignore[assignment]
        except NulByte:
            return self._refuse(request)
        return self.get_response(request)

    def _refuse(self, request: HttpRequest) -> HttpResponse:
        message = gettext("The address or the form holds a character that is not allowed.")
        # The JSON API answers in its own error format (apps/api/errors.py).
        if request.path_info.startswith("/api/"):
            return JsonResponse({"code": "invalid_request", "message": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response that belongs to one person:
    to anyone signed in, to anyone whose session holds something, and from views marked
    `private`, reached by a private link (a `token` in the address) or belonging to sign-in
    (allauth). Public
    pages for anonymous readers, and cookie-free views (feeds, the widget), keep their own
    caching. Listed before the middleware whose process_view may answer early (CSRF,
    the idle timeout), so their answers are covered too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self._is_private(request):
            current = response.get("Cache-Control", "")
            if "private" not in current or "no-store" not in current:
                response["Cache-Control"] = PRIVATE
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        # Kept in META beside Django's own per-request flags (as CSRF keeps CSRF_COOKIE).
        request.META[COOKIE_FREE_KEY] = is_cookie_free(view_func)
        # A secret in the address (a private link's token) makes the page one person's.
        request.META[PRIVATE_KEY] = (
            is_private(view_func)
            or "token" in view_kwargs
            or view_func.__module__.startswith("allauth.")
        )

    @staticmethod
    def _is_private(request: HttpRequest) -> bool:
        if request.META.get(COOKIE_FREE_KEY, False):
            return False
        if request.META.get(PRIVATE_KEY, False):
            return True
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
        session = getattr(request, "session", None)
        return session is not None and (session.modified or not session.is_empty())
