"""The second factor every member of staff must set up before acting (allauth MFA)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator

from apps.core.request_memo import memo

from .http import AnyUser


def has_second_factor(user: AnyUser) -> bool:
    """True when the account has an authenticator app (TOTP); asked once per request."""
    if not user.is_authenticated:
        return False
    return memo(
        ("accounts.second_factor", user.pk),
        lambda: Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists(),
    )
