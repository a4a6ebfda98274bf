"""Starting background work from apps that may not import the app that does it."""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)


def enqueue_after_commit(task_name: str, *args: Any) -> None:
    """Run a task by its registered name once the current transaction commits.

    A broker that is down must not fail the request that already committed: the error
    is logged, and the periodic sweeps find the work that never started."""

    def send() -> None:
        try:
            current_app.tasks[task_name].delay(*args)
        except (OperationalError, OSError):  # the broker is unreachable; the sweep recovers
            log.warning("could not queue %s; the sweep will pick it up", task_name, exc_info=True)

    transaction.on_commit(send)
