"""Thin tasks: a service call, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from .figures import figures_refresh
from .open_data import open_data_dump
from .reports import reports_send


@shared_task(name="insights.refresh_figures", ignore_result=True)
def refresh_figures() -> int:
    """Every node's figures, recomputed in one statement (nightly, so dates roll over)."""
    return figures_refresh()


@shared_task(name="insights.open_data_dump", ignore_result=True)
def dump_open_data() -> int:
    """The open data written afresh (nightly); the previous dump stays until it is done."""
    return open_data_dump().stories


@shared_task(name="insights.send_reports", ignore_result=True)
def send_reports() -> int:
    """The scheduled reports of saved views that are due (hourly; each is sent once)."""
    return reports_send()
