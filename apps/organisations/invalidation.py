"""Which kept public pages a change about organisation nodes ends (apps/core/pagecache.py).

An organisation's page shows its whole subtree: its figures, its newest stories and its
changes. So a change about a node ends the pages of that node and of every node above
it, and every list of stories; nothing else. A node itself changing (a new name, a
service opened or closed) ends every page, as names are shown everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models.signals import post_delete, post_save

from apps.core import pagecache
from apps.core.signals import public_figures_changed

from .models import Organisation


def with_ancestors(paths: Iterable[str]) -> set[str]:
    """The paths and every path above them, worked out without a query."""
    step = Organisation.steplen
    return {path[:end] for path in paths for end in range(step, len(path) + 1, step)}


def nodes_touch(paths: Iterable[str]) -> None:
    """End the kept pages of these nodes, of the nodes above them, and the lists (one
    query, for the nodes' addresses)."""
    every = with_ancestors(paths)
    if not every:
        return
    slugs = Organisation.objects.filter(path__in=every).values_list("slug", flat=True)
    pagecache.touch(pagecache.LIST, *(pagecache.organisation(slug) for slug in slugs))


def _figures_changed(sender: Any, paths: list[str], **kwargs: Any) -> None:
    nodes_touch(paths)


def _node_changed(sender: Any, **kwargs: Any) -> None:
    pagecache.touch(pagecache.SITE)


def connect() -> None:
    public_figures_changed.connect(_figures_changed, dispatch_uid="pagecache.figures")
    post_save.connect(_node_changed, sender=Organisation, dispatch_uid="pagecache.node_saved")
    post_delete.connect(_node_changed, sender=Organisation, dispatch_uid="pagecache.node_gone")
