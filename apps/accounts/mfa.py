"""The second factor every member of staff must set up before acting (allauth MFA)."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator


def has_second_factor(user: Any) -> bool:
    """True when the account has an authenticator app (TOTP); remembered on the user."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = user.__dict__.get("_has_second_factor")
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user.__dict__["_has_second_factor"] = cached
    return bool(cached)
