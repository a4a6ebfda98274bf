"""Recording audit entries. Callers pass no personal data in `details`."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEntry


def audit(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    organisation_path: str = "",
    **details: Any,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        organisation_path=organisation_path,
        details=details,
    )
