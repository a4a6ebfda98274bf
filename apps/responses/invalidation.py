"""A response or an author's reply saved or removed ends the kept page of its story
(apps/core/pagecache.py). Publishing or withdrawing one also moves figures, which ends
the lists and the organisations' pages through apps.organisations.invalidation."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from apps.core import pagecache

from .models import AuthorReply, Response


def _changed(sender: Any, instance: Response | AuthorReply, **kwargs: Any) -> None:
    pagecache.touch(pagecache.story(instance.story_id))


def connect() -> None:
    for model in (Response, AuthorReply):
        name = model.__name__
        post_save.connect(_changed, sender=model, dispatch_uid=f"pagecache.{name}.saved")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"pagecache.{name}.gone")
