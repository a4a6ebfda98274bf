"""Recording audit entries. Callers pass no personal data in `details`."""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied
from django.db import models

from .models import AuditEntry


def audit(
    *,
    actor: Any,
    action: str,
    target: models.Model | None,
    organisation_path: str = "",
    **details: Any,
) -> AuditEntry:
    """Record one action. `target` is None only when the object asked for does not exist
    (an unknown or altered token, say)."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        organisation_path=organisation_path,
        details=details,
    )


def refuse(
    *,
    actor: Any,
    action: str,
    target: models.Model | None,
    organisation_path: str = "",
    message: str = "You do not have permission to see this page.",
    **details: Any,
) -> NoReturn:
    """Record a refused attempt, then raise 403. Call it outside any transaction that the
    refusal rolls back, so the record is kept."""
    audit(actor=actor, action=action, target=target, organisation_path=organisation_path, **details)
    raise PermissionDenied(message)
