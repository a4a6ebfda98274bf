"""Working days: the calendar the response target and its reminders count in. The count
itself lives in `core` (apps.core.workingdays), so the stories app (the moderation target,
the right-of-reply hold) counts the same way without importing this app."""

from apps.core.workingdays import add_working_days

__all__ = ["add_working_days"]
