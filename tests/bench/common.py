"""What both phases of `make bench` share: names, timing, report rows, the throw-away database."""

from __future__ import annotations

import importlib
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# A browser, so story pages count the read (the first time) as for a person.
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"
SYLLABLES = [
    "ash",
    "brook",
    "cal",
    "dun",
    "el",
    "fen",
    "gar",
    "holm",
    "ing",
    "kel",
    "lang",
    "mer",
    "nor",
    "ock",
    "pen",
    "ridge",
    "stan",
    "thorn",
    "wick",
    "yar",
]
INWARD = "ABDEFGHJLNPQRSTUWXYZ"
SERVICES = [
    "Emergency Department",
    "Maternity Unit",
    "Outpatients",
    "Physiotherapy",
    "Radiology",
    "Day Surgery",
    "Children's Ward",
    "Stroke Unit",
    "Cardiology",
    "Diabetes Service",
    "District Nursing",
    "Memory Clinic",
    "Podiatry",
    "Audiology",
]
WORDS = [
    "the",
    "nurse",
    "doctor",
    "ward",
    "waited",
    "hours",
    "kind",
    "explained",
    "appointment",
    "discharge",
    "pain",
    "medication",
    "family",
    "listened",
    "called",
    "food",
    "clean",
    "parking",
    "staff",
    "night",
    "morning",
    "team",
    "results",
    "scan",
    "clinic",
    "thank",
    "you",
    "frightened",
    "reassured",
    "care",
    "mum",
    "dad",
    "son",
    "daughter",
]


@dataclass
class Row:
    scenario: str
    median_ms: float
    p95_ms: float
    queries: int
    note: str


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def town(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize()


def postcode(rng: random.Random) -> str:
    return (
        f"{rng.choice('ABCDEFGHKLMNPRSTW')}{rng.choice('ABDEHLMNRSTW')}{rng.randint(1, 29)} "
        f"{rng.randint(1, 9)}{rng.choice(INWARD)}{rng.choice(INWARD)}"
    )


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def measure(client: Client, url: str, repeat: int) -> tuple[list[float], int]:
    for _ in range(3):  # warm caches and connections
        assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    # Count now: captured_queries reads the connection's log lazily.
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return times, queries


def measure_after(
    client: Client, url: str, repeat: int, before: Callable[[], object]
) -> tuple[list[float], int]:
    """Like `measure`, but `before()` runs ahead of every request, outside the clock and
    the query count: e.g. marking figures stale, so each request pays for recomputing them."""
    for _ in range(3):
        before()
        assert client.get(url).status_code == 200, url
    before()
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return times, queries


def row(scenario: str, times: list[float], queries: int, note: str) -> Row:
    return Row(scenario, statistics.median(times), p95(times), queries, note)


# The tables whose triggers keep the inbox's copies of links (responses' migrations 0004-5).
INBOX_SOURCES = [
    "stories_story",
    "stories_storyservice",
    "responses_response",
    "organisations_organisation",
]


@contextmanager
def inbox_copies_filled_after() -> Iterator[None]:
    """Seed the block with the inbox's triggers off, then fill its copies of the links in
    the migrations' statements: row by row, a million stories' links and responses
    would each refresh their story's copies."""
    fill = importlib.import_module("apps.responses.migrations.0004_inbox_links").FILL
    order = importlib.import_module("apps.responses.migrations.0005_inbox_link_order").FILL
    with connection.cursor() as cursor:
        for table in INBOX_SOURCES:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for table in INBOX_SOURCES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            log("  filling the inbox's copies of the links…")
            started = time.perf_counter()
            cursor.execute("TRUNCATE responses_inboxlink")
            cursor.execute(fill)
            cursor.execute(order)
            # Index-only scans of the copies need their pages marked all-visible.
            cursor.execute("VACUUM (ANALYZE) responses_inboxlink")
            log(f"  filling the inbox's copies of the links: {time.perf_counter() - started:.0f} s")


@contextmanager
def gin_indexes_built_after(table: str) -> Iterator[None]:
    """Drop the table's GIN indexes for the block and build them again after it: one build
    over the loaded rows is many times faster than keeping them up to date row by row."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am a ON a.oid = i.relam"
            " WHERE x.indrelid = %s::regclass AND a.amname = 'gin'",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for name, definition in indexes:
                log(f"  building the index {name}…")
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")


@contextmanager
def bench_database(name: str, *, keep: bool = False) -> Iterator[None]:
    """A fresh, migrated database `name` for the block (dropped after it unless `keep`)."""
    settings_dict = connection.settings_dict
    settings_dict.setdefault("TEST", {})["NAME"] = name
    log(f"Creating the benchmark database {name}…")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield
    finally:
        if keep:
            log(f"Kept the database {name} for EXPLAIN; drop it by hand.")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)
