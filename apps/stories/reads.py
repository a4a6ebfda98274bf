"""Reads of a story, counted once a person a day, without a row written per read.

The story page is kept in the shared cache, so it cannot count its readers itself: the
page carries a tiny image (the beacon) whose request says "someone read story N". Each
is checked against the day's readers in the shared cache and, when new, queued there;
the queue is added to the stories' read counts in one statement, at most every
READS_FLUSH_SECONDS (by the beacon that finds the time is up, and by beat's sweep, so a
quiet site still writes its last reads). The queue is a counter and one short-lived key
per read, which any cache backend can hold (Redis in production).

The counts are a courtesy, not a record: a read whose key the cache has let go before
the next flush is not counted, and the counts shown on a kept page may be a few minutes
behind.
"""

from __future__ import annotations

import itertools
from collections import Counter

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from .models import Story

SEQUENCE = "reads:sequence"  # how many reads were ever queued
FLUSHED = "reads:flushed"  # how many of them are in the database
ITEM = "reads:item:{}"
FLUSHING = "reads:flushing"
DUE = "reads:due"
SEEN = "reads:seen:{}:{}"
# A reader's key holds the day, so a day and a margin is enough to count them once.
SEEN_SECONDS = 25 * 3600
ITEM_SECONDS = 24 * 3600
BATCH = 1000


def read_record(*, story_id: int, visitor: str | None) -> bool:
    """Queue one read of the story, unless this visitor (a key of the day) was counted
    already; robots and staff (no visitor) are never counted."""
    if visitor is None or not cache.add(SEEN.format(story_id, visitor), 1, SEEN_SECONDS):
        return False
    cache.add(SEQUENCE, 0, timeout=None)
    number = cache.incr(SEQUENCE)
    cache.set(ITEM.format(number), story_id, ITEM_SECONDS)
    return True


def flush_due() -> bool:
    """True once every READS_FLUSH_SECONDS, for the first beacon to ask."""
    return bool(cache.add(DUE, 1, settings.READS_FLUSH_SECONDS))


def reads_flush() -> int:
    """Add the queued reads to the stories' counts, in one statement a thousand stories;
    one flush at a time. Returns the number of reads written."""
    if not cache.add(FLUSHING, 1, 120):
        return 0
    try:
        return _flush()
    finally:
        cache.delete(FLUSHING)


def _flush() -> int:
    end = int(cache.get(SEQUENCE, 0))
    start = int(cache.get(FLUSHED, 0))
    if start > end:  # the cache was emptied: its sequence began again
        start = 0
    counts: Counter[int] = Counter()
    batches = [
        [ITEM.format(n) for n in range(first, min(first + BATCH, end + 1))]
        for first in range(start + 1, end + 1, BATCH)
    ]
    for keys in batches:
        counts.update(int(story_id) for story_id in cache.get_many(keys).values())
    with transaction.atomic():
        _add_counts(counts)
    cache.set(FLUSHED, end, timeout=None)
    for keys in batches:
        cache.delete_many(keys)
    return counts.total()


def _add_counts(counts: Counter[int]) -> None:
    table = Story._meta.db_table
    items = sorted(counts.items())
    for start in range(0, len(items), BATCH):
        chunk = items[start : start + BATCH]
        values = ", ".join(["(%s, %s)"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS s SET read_count = s.read_count + v.n "  # noqa: S608 - our own table
                f"FROM (VALUES {values}) AS v(id, n) WHERE s.id = v.id",
                list(itertools.chain.from_iterable(chunk)),
            )
