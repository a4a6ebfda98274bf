"""Working days: the calendar the response and moderation targets, their reminders and
the right-of-reply hold count in."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """`days` working days (Monday to Friday) after `start`, counted on the site's local
    calendar (a story published early on Saturday in summer time is a Saturday story).
    Bank holidays are not known."""
    moment = timezone.localtime(start)
    left = days
    while left > 0:
        # Adding days to a zoned datetime keeps the local clock time across a clock change.
        moment += dt.timedelta(days=1)
        if moment.weekday() < 5:
            left -= 1
    return moment
