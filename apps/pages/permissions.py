"""Who may change the site's own pages."""

from __future__ import annotations

from apps.accounts.http import AnyUser
from apps.accounts.mfa import has_second_factor
from apps.responders.permissions import is_platform_admin


def can_edit_pages(user: AnyUser) -> bool:
    """Platform admins, with a second factor: the pages speak for whoever runs the site."""
    return has_second_factor(user) and is_platform_admin(user)
