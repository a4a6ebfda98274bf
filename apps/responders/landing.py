"""Where a member of staff lands after signing in: on their work, not the public home."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from .models import RoleName
from .permissions import has_platform_role


def landing_url(user: Any) -> str:
    """Moderators on the moderation queue; everyone else signed in (readers, responders,
    super-users, platform admins, and people without a role yet) on the staff area, whose
    inbox holds their stories and whose list of roles links to every tool they hold."""
    if has_platform_role(user, RoleName.MODERATOR):
        return reverse("moderation:queue")
    return reverse("inbox:index")
