"""Thin tasks: ids in, a service call, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from .outbox import outbox_due, outbox_send


@shared_task(name="core.send_email", ignore_result=True)
def send_email(pk: int) -> None:
    outbox_send(pk)


@shared_task(name="core.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Send every email still due (the broker was down, a worker died, a retry is due)."""
    sent = 0
    for pk in outbox_due():
        sent += outbox_send(pk)
    return sent
