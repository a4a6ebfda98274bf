"""A change saved, or linked to a story, ends the kept pages of the stories it answers
(apps/core/pagecache.py). Recording or updating one also moves figures, which ends the
organisations' pages and the lists through apps.organisations.invalidation."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from apps.core import pagecache

from .models import Change, ChangeStory


def _change_saved(sender: Any, instance: Change, **kwargs: Any) -> None:
    stories = ChangeStory.objects.filter(change_id=instance.pk).values_list("story_id", flat=True)
    pagecache.touch(*(pagecache.story(pk) for pk in stories))


def _link_changed(sender: Any, instance: ChangeStory, **kwargs: Any) -> None:
    pagecache.touch(pagecache.story(instance.story_id))


def connect() -> None:
    post_save.connect(_change_saved, sender=Change, dispatch_uid="pagecache.change_saved")
    post_save.connect(_link_changed, sender=ChangeStory, dispatch_uid="pagecache.link_saved")
    post_delete.connect(_link_changed, sender=ChangeStory, dispatch_uid="pagecache.link_gone")
