"""Signing out a member of staff who has left their session idle. It runs once the view
is known (process_view), so views marked cookie-free are left alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from apps.core.view_markers import is_cookie_free

SESSION_KEY = "last_seen"
# Writing the session on every request would be a database write per page; once a
# minute is precise enough for a timeout counted in tens of minutes.
RESOLUTION_SECONDS = 60


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        # Cookie-free views (the widget other sites frame, the feeds) are no sign of
        # activity: reading the session would make them vary by cookie, stamping it would
        # set one, and signing out would send a framed page to the sign-in form.
        if is_cookie_free(view_func) or not request.user.is_authenticated:
            return None
        now = timezone.now().timestamp()
        last = request.session.get(SESSION_KEY)
        limit = settings.STAFF_IDLE_TIMEOUT_MINUTES * 60
        if last is not None and now - float(last) > limit:
            logout(request)
            minutes = settings.STAFF_IDLE_TIMEOUT_MINUTES
            messages.info(
                request,
                ngettext(
                    "You were signed out after %(minutes)s minute without activity. "
                    "Sign in again to carry on.",
                    "You were signed out after %(minutes)s minutes without activity. "
                    "Sign in again to carry on.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            login = reverse("account_login")
            if request.method == "GET":
                login += "?" + urlencode({"next": request.get_full_path()})
            if request.headers.get("HX-Request"):
                # htmx would swap the sign-in page into a fragment; load it whole.
                response = HttpResponse(status=204)
                response["HX-Redirect"] = login
                return response
            return HttpResponseRedirect(login)
        if last is None or now - float(last) >= RESOLUTION_SECONDS:
            request.session[SESSION_KEY] = now
        return None
