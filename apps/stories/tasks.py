"""Thin tasks: a service call, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from .services import story_readers_prune


@shared_task(name="stories.prune_readers", ignore_result=True)
def prune_readers() -> int:
    return story_readers_prune()


@shared_task(name="stories.purge", ignore_result=True)
def purge() -> int:
    """The retention purge (apps.stories.retention): safe to run twice or at once."""
    from .retention import stories_purge

    return stories_purge().stories
