"""Starting background work from apps that may not import the app that does it."""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)


def delay_or_log(task: Any, *args: Any) -> None:
    """Queue a task. A broker that is down must not fail a change that already committed:
    the error is logged, and the periodic sweeps find the work that never started."""
    try:
        task.delay(*args)
    except (OperationalError, OSError):  # the broker is unreachable; a sweep recovers
        log.warning("could not queue %s; a sweep will pick it up", task.name, exc_info=True)


def enqueue_after_commit(task_name: str, *args: Any) -> None:
    """Run a task by its registered name (for apps that may not import it) after commit."""
    transaction.on_commit(lambda: delay_or_log(current_app.tasks[task_name], *args))
