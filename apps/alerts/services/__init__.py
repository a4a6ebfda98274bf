"""Who hears of what: the fan-out of a published story, digests and reminders.

recipients (who hears of a story, how soon), fanout (telling them, once; the sweep),
digests, reminders (unanswered stories, overdue changes), workingdays (the calendar of
the response target), subscriptions (each person's own), retry (a failed email again).

Every email goes through the outbox in `core`, keyed per (kind, object, recipient), so
running any of these twice (a retried task, the sweep after a broker outage) sends
nothing twice. Emails carry public text only; criticality stays on the staff pages.
"""

from .digests import digests_send
from .fanout import SWEEP_WINDOW, FanOut, fan_out_missed, story_fan_out
from .recipients import recipients_for
from .reminders import REMIND_WINDOW, overdue_changes_remind, reminders_send
from .retry import outbox_retry
from .subscriptions import subscription_add, subscription_remove
from .workingdays import add_working_days

__all__ = [
    "REMIND_WINDOW",
    "SWEEP_WINDOW",
    "FanOut",
    "add_working_days",
    "digests_send",
    "fan_out_missed",
    "outbox_retry",
    "overdue_changes_remind",
    "recipients_for",
    "reminders_send",
    "story_fan_out",
    "subscription_add",
    "subscription_remove",
]
