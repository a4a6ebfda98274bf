"""The gate in front of every staff page: signed in, and with a second factor."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect

from .mfa import has_second_factor


def second_factor_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Anonymous visitors go to sign in; staff without an authenticator app set one up
    first. Enforced here, on the server, whatever the page links to."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_second_factor(request.user):
            messages.info(
                request,
                "Staff pages need a second factor. Set up an authenticator app on your "
                "phone (for example Google Authenticator, Microsoft Authenticator or "
                "FreeOTP), then carry on.",
            )
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapped


def allowed_only(
    may: Callable[[Any], bool],
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """A staff page (second factor first) for the users `may` allows; 403 for the rest."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @second_factor_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not may(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
