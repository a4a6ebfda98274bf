"""Thin tasks: ids in, a service call, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import services
from .models import Frequency


@shared_task(name="alerts.fan_out_story", ignore_result=True)
def fan_out_story(story_id: int) -> None:
    services.story_fan_out(story_id=story_id)


@shared_task(name="alerts.sweep", ignore_result=True)
def sweep() -> int:
    """Fan out what a lost task missed; remind about unanswered stories and overdue
    planned changes."""
    return services.fan_out_missed() + services.reminders_send() + services.overdue_changes_remind()


@shared_task(name="alerts.daily_digest", ignore_result=True)
def daily_digest() -> int:
    return services.digests_send(frequency=Frequency.DAILY)


@shared_task(name="alerts.weekly_digest", ignore_result=True)
def weekly_digest() -> int:
    return services.digests_send(frequency=Frequency.WEEKLY)
