"""What the insights app does when lower apps say public figures moved."""

from __future__ import annotations

from typing import Any

from .figures import figures_mark_stale


def mark_figures_stale(sender: object, paths: list[str], **kwargs: Any) -> None:
    """Sent inside the change's transaction: the mark commits (or not) with it."""
    figures_mark_stale(paths=paths)
