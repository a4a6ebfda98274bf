"""Who may set up ways in: the node's super-users (with a second factor) and platform
admins, as for API keys (TAXONOMY.md, "manage alerts and API keys")."""

from __future__ import annotations

from apps.accounts.http import AnyUser
from apps.organisations.models import Organisation
from apps.responders.permissions import can_manage


def can_manage_ways_in(user: AnyUser, node: Organisation) -> bool:
    return can_manage(user, node)
