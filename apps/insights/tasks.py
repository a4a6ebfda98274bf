"""Thin tasks: a service call, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from .figures import figures_refresh


@shared_task(name="insights.refresh_figures", ignore_result=True)
def refresh_figures() -> int:
    """Every node's figures, recomputed in one statement (nightly, so dates roll over)."""
    return figures_refresh()
