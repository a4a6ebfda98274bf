"""Thin tasks: ids in, a service call, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from .outbox import outbox_due, outbox_ids, outbox_send


@shared_task(name="core.send_email", ignore_result=True)
def send_email(pk: int) -> None:
    outbox_send(pk)


@shared_task(name="core.send_batch", ignore_result=True)
def send_batch(keys: list[str]) -> int:
    """Send the emails a fan-out queued together (by key: ids are not known after a
    bulk insert that skipped duplicates)."""
    sent = 0
    for pk in outbox_ids(keys):
        sent += outbox_send(pk)
    return sent


@shared_task(name="core.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    """Send every email still due (the broker was down, a worker died, a retry is due)."""
    sent = 0
    for pk in outbox_due():
        sent += outbox_send(pk)
    return sent
