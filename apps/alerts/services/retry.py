"""Platform admins send a failed email again."""

from __future__ import annotations

from django.db import transaction

from apps.accounts.models import User
from apps.core.audit import audit, refuse
from apps.core.models import OutboxEmail
from apps.core.outbox import outbox_requeue
from apps.responders.permissions import is_platform_admin


def outbox_retry(*, actor: User, pk: int) -> bool:
    """A platform admin sends a failed email again, from a fresh count of attempts."""
    if not is_platform_admin(actor):
        refuse(actor=actor, action="core.outbox_email.retry_refused", target=OutboxEmail(pk=pk))
    with transaction.atomic():
        retried = outbox_requeue(pk)
        if retried:
            audit(actor=actor, action="core.outbox_email.retried", target=OutboxEmail(pk=pk))
    return retried
