"""The gate in front of every staff page: signed in, and with a second factor."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .http import AnyUser, AuthenticatedHttpRequest
from .mfa import has_second_factor

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)

StaffView = Callable[Concatenate[AuthenticatedHttpRequest, P], R]
View = Callable[Concatenate[HttpRequest, P], R]


def second_factor_required(view: StaffView[P, R]) -> View[P, R | HttpResponseBase]:
    """Anonymous visitors go to sign in; staff without an authenticator app set one up
    first. Enforced here, on the server, whatever the page links to. The view is handed
    an `AuthenticatedHttpRequest`, whose `user` is a `User`."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R | HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_second_factor(request.user):
            messages.info(
                request,
                _(
                    "Staff pages need a second factor. Set up an authenticator app on your "
                    "phone (for example Google Authenticator, Microsoft Authenticator or "
                    "FreeOTP), then carry on."
                ),
            )
            return redirect("mfa_activate_totp")
        # The checks above are what make this request an AuthenticatedHttpRequest.
        staff_request: AuthenticatedHttpRequest = request  # type: ignore[assignment]
        return view(staff_request, *args, **kwargs)

    return wrapped


def allowed_only(
    may: Callable[[AnyUser], bool],
) -> Callable[[StaffView[P, R]], View[P, R | HttpResponseBase]]:
    """A staff page (second factor first) for the users `may` allows; 403 for the rest."""

    def decorate(view: StaffView[P, R]) -> View[P, R | HttpResponseBase]:
        @wraps(view)
        def guarded(request: AuthenticatedHttpRequest, *args: P.args, **kwargs: P.kwargs) -> R:
            if not may(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return second_factor_required(guarded)

    return decorate
