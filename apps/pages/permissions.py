"""Who may change the site's own pages."""

from __future__ import annotations

from typing import Any

from apps.accounts.mfa import has_second_factor
from apps.responders.permissions import is_platform_admin


def can_edit_pages(user: Any) -> bool:
    """Platform admins, with a second factor: the pages speak for whoever runs the site."""
    return has_second_factor(user) and is_platform_admin(user)
