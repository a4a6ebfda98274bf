"""Thin tasks: a service call, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from .moderation import stories_release_held
from .services import story_readers_prune


@shared_task(name="stories.prune_readers", ignore_result=True)
def prune_readers() -> int:
    return story_readers_prune()


@shared_task(name="stories.flush_reads", ignore_result=True)
def flush_reads() -> int:
    """Add the reads queued in the cache to the counts (apps.stories.reads)."""
    from .reads import reads_flush

    return reads_flush()


@shared_task(name="stories.purge", ignore_result=True)
def purge() -> int:
    """The retention purge (apps.stories.retention): safe to run twice or at once."""
    from .retention import stories_purge

    return stories_purge().stories


@shared_task(name="stories.release_held", ignore_result=True)
def release_held() -> int:
    """Publish held stories whose right of reply has ended (each once, however often run)."""
    return stories_release_held()


@shared_task(name="stories.themes_retrain", ignore_result=True)
def themes_retrain() -> int | None:
    """Train a new model of suggested topics when enough new moderated stories exist
    (settings.THEMES_RETRAIN_AFTER); returns its version, or None when none was due."""
    from .suggestions import themes_retrain_if_due

    version = themes_retrain_if_due()
    return version.version if version else None
