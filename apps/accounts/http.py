"""Typed requests for staff views.

`second_factor_required` (and `allowed_only`, which wraps it) hand the view an
`AuthenticatedHttpRequest`: by the time the view runs, `request.user` is a signed-in
`User` with a second factor, so mypy checks every `request.user` passed on to a
service or predicate. Predicates, which are also asked about visitors, take `AnyUser`.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser

from apps.core.http import HtmxHttpRequest

from .models import User

AnyUser: TypeAlias = User | AnonymousUser


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request from a signed-in member of staff (past `second_factor_required`)."""

    user: User
