"""Exports at scale: the CSV and XLSX of a search of about EXPORT_STORIES stories, timed
on the figures phase's database, with their peak memory.

The search is "published from" the day that leaves at most EXPORT_STORIES stories (the
newest), so it is an ordinary search a person could make. Each export is read to the
end through Django's test client, as a browser would download it. Peak memory is
measured two ways on a run of its own (tracemalloc slows Python down, so the timed runs
go without it): the peak of Python's allocations during the export (tracemalloc), and
how much the process's peak resident size grew (getrusage's ru_maxrss, which only
rises; a growth of 0 means the export stayed under the process's earlier peak).
"""

from __future__ import annotations

import datetime as dt
import resource
import sys
import time
import tracemalloc
from urllib.parse import urlencode

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.stories.models import Story, StoryStatus
from tests.bench.common import BROWSER, Row, log, row

EXPORT_STORIES = 100_000
EXPORT_RUNS = 3
MEMORY_TARGET_MB = 300.0
URLS = {"CSV": "/stories/export.csv", "XLSX": "/stories/export.xlsx"}


def _maxrss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Kilobytes on Linux, bytes on macOS.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def newest_day(stories: int) -> dt.date | None:
    """The first local day from which at most `stories` published stories were published
    (None when there are fewer in all: then the export is of every story)."""
    published = Story.objects.filter(status=StoryStatus.PUBLISHED).order_by("-published_at")
    edge = published.values_list("published_at", flat=True)[stories : stories + 1].first()
    if edge is None:
        return None
    return timezone.localtime(edge).date() + dt.timedelta(days=1)


def download(client: Client, url: str) -> tuple[int, int]:
    """The export read to its end: its status and size in bytes."""
    response = client.get(url)
    size = sum(len(block) for block in response.streaming_content) if response.streaming else 0
    return response.status_code, size


def measure_export(
    client: Client, url: str, runs: int
) -> tuple[list[float], int, int, dict[str, float]]:
    """Times of `runs` downloads, the queries and bytes of one, and the memory of one more
    (under tracemalloc)."""
    status, size = download(client, url)  # warm up
    assert status == 200, f"{url}: {status}"
    with CaptureQueriesContext(connection) as ctx:
        download(client, url)
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        download(client, url)
        times.append((time.perf_counter() - started) * 1000)
    rss_before = _maxrss_mb()
    tracemalloc.start()
    try:
        download(client, url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    memory = {"python_peak_mb": peak / (1024 * 1024), "rss_growth_mb": _maxrss_mb() - rss_before}
    return times, queries, size, memory


def run(scale: str, runs: int = EXPORT_RUNS, stories: int = EXPORT_STORIES) -> list[Row]:
    runs = max(runs, 2)  # a p95 needs two times at least
    client = Client(HTTP_USER_AGENT=BROWSER)
    day = newest_day(stories)
    params = {"date_from": day.isoformat()} if day else {}
    published = Story.objects.filter(status=StoryStatus.PUBLISHED)
    count = (published.filter(published_at__date__gte=day) if day else published).count()
    rows = []
    for kind, path in URLS.items():
        url = f"{path}?{urlencode(params)}" if params else path
        label = f"export ({scale}): {kind} of {count:,} stories"
        log(f"Timing {label} ({runs} downloads, and one more for memory)…")
        times, queries, size, memory = measure_export(client, url, runs)
        worst = max(memory["python_peak_mb"], memory["rss_growth_mb"])
        note = (
            f"{url}; {size / 1e6:.0f} MB file; peak Python memory "
            f"{memory['python_peak_mb']:.0f} MB (tracemalloc), process peak grew "
            f"{memory['rss_growth_mb']:.0f} MB; {'within' if worst < MEMORY_TARGET_MB else 'OVER'}"
            f" {MEMORY_TARGET_MB:.0f} MB; {runs} timed downloads"
        )
        rows.append(row(label, times, queries, note))
    return rows
