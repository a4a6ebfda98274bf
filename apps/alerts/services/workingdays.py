"""Working days: the calendar lives in core (`apps.core.workingdays`), so the moderation
queue (in stories, below alerts) counts its target the same way the reminders do."""

from __future__ import annotations

from apps.core.workingdays import add_working_days

__all__ = ["add_working_days"]
