"""What a figures phase of many millions of stories needs: a check of disk and memory
before seeding starts, progress with time to go while it seeds, and the database's size
after, for the report.

The figures per million are measured on the two-core machine (docs/development.md,
"Ten million stories"); a run that would not fit stops before it writes anything.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import DatabaseError, connection, transaction

from tests.bench.common import log

GB = 1024**3
# Measured at two million stories (docs/development.md): the seeded database (5.1 GB), and
# the most the staging tables and the sorts' temporary files added on top of it while
# seeding (0.8 GB and 0.4 GB), each rounded up.
DATABASE_GB_PER_MILLION = 2.6
STAGING_GB_PER_MILLION = 0.7
# Sorts and index builds are bounded by work_mem and maintenance_work_mem (figures.py), not
# by the number of stories; this leaves room for them, the server and the bench itself.
MEMORY_GB = 2.0
MARGIN = 1.25


def data_directory() -> Path | None:
    """The database server's data folder, when it is on this machine and we may read it."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('data_directory')")
            setting = cursor.fetchone()[0]
    except DatabaseError:  # only a superuser or pg_read_all_settings may read it
        return None
    path = Path(setting) if setting else None
    return path if path is not None and path.exists() else None


def available_memory_gb() -> float | None:
    try:
        lines = Path("/proc/meminfo").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024 / GB
    return None


def preflight(stories: int) -> str:
    """Stop before seeding if the disk or memory cannot hold `stories` stories; else say
    what was found, for the report."""
    millions = stories / 1_000_000
    need = millions * (DATABASE_GB_PER_MILLION + STAGING_GB_PER_MILLION) * MARGIN
    found = []
    folder = data_directory()
    if folder is None:
        found.append("disk not checked (the database server's folder is not readable here)")
    else:
        free = shutil.disk_usage(folder).free / GB
        if free < need:
            raise SystemExit(
                f"Seeding {stories:,} stories needs about {need:.0f} GB free where the "
                f"database server keeps its data ({folder}); {free:.0f} GB is free."
            )
        found.append(f"{free:.0f} GB free for about {need:.1f} GB needed at most")
    memory = available_memory_gb()
    if memory is not None and memory < MEMORY_GB:
        raise SystemExit(
            f"Seeding needs about {MEMORY_GB:.0f} GB of memory available; {memory:.1f} GB is."
        )
    if memory is not None:
        found.append(f"{memory:.0f} GB of memory available")
    summary = "; ".join(found)
    log(f"  {summary}")
    return summary


class Progress:
    """One line per step: how far, how long so far, and about how long to go."""

    def __init__(self, total: int, what: str) -> None:
        self.total = total
        self.what = what
        self.started = time.perf_counter()

    def step(self, done: int, extra: str = "") -> None:
        spent = time.perf_counter() - self.started
        left = spent / done * (self.total - done) if done else 0.0
        log(
            f"  {done:,} of {self.total:,} {self.what} ({done / self.total:.0%}){extra}, "
            f"{spent:.0f} s so far, about {left:.0f} s to go"
        )


@contextmanager
def heartbeat(what: str, every: float = 30.0) -> Iterator[None]:
    """A line every `every` seconds while one long statement runs (it cannot report how
    far it has got), so a run of many millions never sits silent for minutes."""
    started = time.perf_counter()
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            log(f"  still {what}: {time.perf_counter() - started:.0f} s so far")

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        log(f"  {what}: {time.perf_counter() - started:.0f} s")


def database_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


def staging_size(tables: list[str]) -> int:
    """Bytes the staging tables take now (those that exist)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
            " WHERE c.relname = ANY(%s) AND c.relkind = 'r'",
            [tables],
        )
        return int(cursor.fetchone()[0])


def flush_statistics() -> None:
    """Have the server count this session's temporary files now, not a second later, so
    the next temp_bytes() sees them (PostgreSQL 15 and later; older servers lag)."""
    if connection.pg_version >= 150000:  # type: ignore[attr-defined]
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_force_next_flush()")


def temp_bytes() -> int:
    """Bytes this database has written to temporary files since the statistics were reset
    (sorts too big for work_mem): the difference over a step is what that step spilled."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])
