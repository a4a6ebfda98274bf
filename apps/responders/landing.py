"""Where a member of staff lands after signing in: on their work, not the public home."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from apps.accounts.models import User

from .models import RoleName
from .permissions import has_platform_role


def landing_url(user: AbstractBaseUser | AnonymousUser) -> str:
    """Moderators on the moderation queue; everyone else signed in (readers, responders,
    super-users, platform admins, and people without a role yet) on the staff area, whose
    inbox holds their stories and whose list of roles links to every tool they hold.

    Registered as the staff landing, which is handed `request.user` as Django types it."""
    if isinstance(user, User) and has_platform_role(user, RoleName.MODERATOR):
        return reverse("moderation:queue")
    return reverse("inbox:index")
