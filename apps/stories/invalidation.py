"""Which kept public pages a change to a story ends (apps/core/pagecache.py): the story's
own page, every list of stories, and the pages of the organisations it is about and of
those above them. A story that was never published is on no page, so saving it ends
nothing. Its services are set once, when it is told; its tags are replaced by
`story_set_tags`, which says so itself."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from apps.core import pagecache
from apps.organisations.invalidation import nodes_touch

from .models import Story, StoryStatus
from .selectors import story_service_paths


def story_touch(story_id: int) -> None:
    """End every kept page that shows the story (a query for its services' paths, one
    for their addresses)."""
    pagecache.touch(pagecache.story(story_id), pagecache.LIST)
    nodes_touch(story_service_paths(story_id))


def _story_changed(sender: Any, instance: Story, **kwargs: Any) -> None:
    if instance.published_at is not None or instance.status == StoryStatus.PUBLISHED:
        story_touch(instance.pk)


def connect() -> None:
    post_save.connect(_story_changed, sender=Story, dispatch_uid="pagecache.story_saved")
    post_delete.connect(_story_changed, sender=Story, dispatch_uid="pagecache.story_gone")
