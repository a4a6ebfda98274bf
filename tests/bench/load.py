"""The load stage of `make bench`: pages served by gunicorn under wrk, beside a bare view.

Loads the demo data (`load_demo`) into a throw-away database, serves the project with
gunicorn (2 workers, DEBUG off) under tests/bench/load_settings.py, which adds a bare
Django view (a tiny HttpResponse, through the same middleware) to the project's URLs,
then for each page runs wrk (2 threads, 16 connections) in alternating pairs: the page,
then the bare view, and again. A page's figure is its requests a second over the bare
view's in the same pair, so a busy machine slows both alike; the median of the pairs'
ratios is what the targets are judged on. wrk's Lua `done` hook (LUA below) prints the
exact percentiles and the error counts. Each URL must answer exactly 200 (no redirect
followed) before and after its runs, and a page whose runs had any response of 400 or
more (wrk counts those), socket error or timeout is reported as such and not judged.

wrk comes from Debian's `wrk` package; without it the stage is skipped and the report
says so. Only addresses on this machine are ever loaded.
"""

from __future__ import annotations

import contextlib
import io
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command, get_commands  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.organisations.models import Organisation, OrganisationKind  # noqa: E402
from apps.stories.models import Story, StoryService  # noqa: E402
from tests.bench.common import BROWSER, Row, bench_database, log  # noqa: E402
from tests.bench.load_urls import BARE_PATH  # noqa: E402

LOAD_DATABASE = "carevoice_bench_load"
ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2
THREADS = 2
CONNECTIONS = 16
# A Redis database of its own on the machine's server; every key carries this run's prefix.
# BENCH_LOAD_CACHE_URL names another (or "", for the local settings without Redis).
DEFAULT_CACHE_URL = os.environ.get("BENCH_LOAD_CACHE_URL", "redis://127.0.0.1:6379/13")
P95_TARGET_MS = 50.0
# Requests a second of each page over the bare view's, at least (docs/development.md).
TARGETS = {"story": 0.5, "organisation": 0.3, "stories": 0.3}
SETTLE_TRIES = 60
SETTLED_SECONDS = 0.1
INSTALL_WRK = "apt-get install wrk (Debian's package)"

# One line wrk prints at the end of a run: requests, microseconds, the error counts, then
# latency percentiles in microseconds (wrk's --latency gives 50/75/90/99 only).
LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("bench-load %d %d %d %d %d %d %d %.1f %.1f %.1f\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass
class Run:
    requests: int
    seconds: float
    errors: int  # socket errors and timeouts
    not_ok: int  # responses with a status of 400 or more (wrk's "non-2xx or 3xx")
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


@dataclass
class Page:
    key: str
    name: str
    path: str
    note: str
    queries: int = 0


def wrk(url: str, seconds: int, script: Path) -> Run:
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        # A slow response is a slow response, not a timeout that leaves the latencies.
        "--timeout",
        "10s",
        "-s",
        str(script),
        "-H",
        f"User-Agent: {BROWSER}",
        url,
    ]
    done = subprocess.run(  # noqa: S603 - our own command line
        command, capture_output=True, text=True, check=True, timeout=seconds + 60
    )
    return parse(done.stdout)


def parse(output: str) -> Run:
    """The figures of the line LUA's `done` hook adds to wrk's output."""
    line = next(x for x in output.splitlines() if x.startswith("bench-load "))
    fields = line.split()[1:]
    requests, duration, connect, read, write, status, timeout = (int(x) for x in fields[:7])
    p50, p95, p99 = (float(x) / 1000 for x in fields[7:])
    return Run(
        requests=requests,
        seconds=duration / 1_000_000,
        errors=connect + read + write + timeout,
        not_ok=status,
        p50_ms=p50,
        p95_ms=p95,
        p99_ms=p99,
    )


def redis_cache_url(url: str) -> str:
    """`url` if a Redis server answers there, else "" (then the local settings are used)."""
    if not url:
        return ""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return ""
    return url


def forget_keys(url: str, prefix: str) -> None:
    """Delete this run's keys from the shared Redis database (never the others')."""
    import redis

    server = redis.Redis.from_url(url)
    keys = list(server.scan_iter(match=f"{prefix}:*", count=1000))
    for start in range(0, len(keys), 1000):
        server.delete(*keys[start : start + 1000])


def database_url() -> str:
    """The throw-away database as a URL, for the server processes (a socket folder as host
    is percent-encoded, as dj-database-url reads it)."""
    s = connection.settings_dict
    user = quote(s.get("USER") or "postgres", safe="")
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    host = quote(s.get("HOST") or "localhost", safe="")
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{s['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def status_of(url: str) -> int:
    """The status of one GET, redirects not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"User-Agent": BROWSER})  # noqa: S310
    try:
        with opener.open(request, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def settle(url: str) -> None:
    """Wait until the workers have answered what the last run left queued: wrk closes its
    connections when its time is up, but a sync worker still answers every request it
    took, and those must not eat into the next run's time. A request of the bare view
    waits behind them; once one comes back at once, the queue is empty."""
    for _ in range(SETTLE_TRIES):
        started = time.perf_counter()
        status_of(url)
        if time.perf_counter() - started < SETTLED_SECONDS:
            return
    log(f"  the server stayed busy after {SETTLE_TRIES} tries; going on")


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, log_file: Path) -> Iterator[None]:
    """gunicorn serving the project on 127.0.0.1:`port` for the block, stopped after it
    whatever happens (its whole process group, so no worker is left behind)."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
        "--error-logfile",
        str(log_file),
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        url = f"http://127.0.0.1:{port}/{BARE_PATH}"
        while status_of(url) != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; its log: {log_file.read_text()}")
            time.sleep(0.5)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def pick_pages() -> list[Page]:
    """The newest published story, the trust with the most published stories beneath it
    (its page shows its statistics), and the stories list."""
    story = Story.objects.filter(status="published").order_by("-published_at").first()
    if story is None:
        raise RuntimeError("the demo data has no published story")
    trusts = Organisation.objects.filter(kind=OrganisationKind.TRUST, depth=1)

    def under(trust: Organisation) -> int:
        return (
            StoryService.objects.filter(
                organisation__path__startswith=trust.path, story__status="published"
            )
            .values("story_id")
            .distinct()
            .count()
        )

    counts = {trust: under(trust) for trust in trusts}
    trust = max(counts, key=lambda t: (counts[t], -t.pk))
    published = Story.objects.aggregate(n=Count("pk", filter=Q(status="published")))["n"]
    return [
        Page("story", "story page", story.get_absolute_url(), "the newest story"),
        Page(
            "organisation",
            "organisation page with statistics",
            trust.get_absolute_url(),
            f"{trust.name}, {counts[trust]:,} published stories beneath",
        ),
        Page("stories", "stories list", "/stories/", f"first page of {published:,} published"),
    ]


def count_queries(pages: list[Page]) -> None:
    """Each page's queries on a warm request through the test client (same data)."""
    client = Client(HTTP_USER_AGENT=BROWSER)
    for page in pages:
        for _ in range(2):
            assert client.get(page.path).status_code == 200, page.path
        with CaptureQueriesContext(connection) as captured:
            client.get(page.path)
        page.queries = len(captured.captured_queries)


def server_env(cache_url: str, static_root: Path, prefix: str, port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CACHE_URL", "DATABASE_", "PAGE_CACHE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.bench.load_settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=database_url(),
        CACHE_URL=cache_url,
        BENCH_CACHE_PREFIX=prefix,
        BENCH_STATIC_ROOT=str(static_root),
        # Plain HTTP on the loopback, as behind a proxy that ends TLS.
        SECURE_SSL_REDIRECT="0",
        SITE_URL=f"http://127.0.0.1:{port}",
        LOG_LEVEL="WARNING",
    )
    return env


def judge(page: Page, runs: list[tuple[Run, Run]]) -> Row:
    """One report row for a page from its pairs (page run, bare run)."""
    ratios = [p.per_second / b.per_second if b.requests else 0.0 for p, b in runs]
    mine = [p for p, _ in runs]
    ratio = statistics.median(ratios)
    p95 = statistics.median(r.p95_ms for r in mine)
    target = TARGETS[page.key]
    bad = sum(r.not_ok for p, b in runs for r in (p, b))
    errors = sum(r.errors for p, b in runs for r in (p, b))
    responses = sum(r.requests for p, b in runs for r in (p, b))
    if any(not r.requests for p, b in runs for r in (p, b)):
        verdict = "a run answered no request in its time, so not judged"
    elif bad or errors:
        verdict = (
            f"NOT all answered 200: {bad:,} responses of 400 or more and {errors:,} socket "
            "errors or timeouts, so not judged"
        )
    else:
        verdict = (
            f"ratio target ≥ {target}×: {'met' if ratio >= target else 'NOT met'}; "
            f"p95 target under {P95_TARGET_MS:.0f} ms: "
            f"{'met' if p95 < P95_TARGET_MS else 'NOT met'}; all {responses:,} responses 200"
        )
    rps = [r.per_second for r in mine]
    bare = [b.per_second for _, b in runs]
    return Row(
        f"load: {page.name}",
        statistics.median(r.p50_ms for r in mine),
        p95,
        page.queries,
        f"{page.note}; {statistics.median(rps):,.0f} requests/s ({min(rps):,.0f}–"
        f"{max(rps):,.0f}) against the bare view's {statistics.median(bare):,.0f} "
        f"({min(bare):,.0f}–{max(bare):,.0f}); median ratio {ratio:.3f} over {len(runs)} "
        f"pairs ({min(ratios):.3f}–{max(ratios):.3f}); worst p95 "
        f"{max(r.p95_ms for r in mine):.0f} ms; {verdict}",
    )


def bare_row(runs: list[Run]) -> Row:
    rps = [r.per_second for r in runs]
    return Row(
        "load: bare Django view (the comparison)",
        statistics.median(r.p50_ms for r in runs),
        statistics.median(r.p95_ms for r in runs),
        0,
        f"a tiny HttpResponse through the same middleware, gunicorn and settings; "
        f"{statistics.median(rps):,.0f} requests/s median over {len(runs)} runs "
        f"({min(rps):,.0f}–{max(rps):,.0f})",
    )


def hammer(
    base: str, pages: list[Page], pairs: int, seconds: int, warm: int, script: Path
) -> list[Row]:
    """The runs: per page a warm-up of both, then alternating pairs (page, bare)."""
    bare_url = f"{base}/{BARE_PATH}"

    def timed(url: str, seconds: int) -> Run:
        settle(bare_url)
        return wrk(url, seconds, script)

    rows: list[Row] = []
    bare_runs: list[Run] = []
    for page in pages:
        url = base + page.path
        for checked in (url, bare_url):
            if (status := status_of(checked)) != 200:
                raise RuntimeError(f"{checked} answered {status}, not 200")
        log(f"Load: warming {page.name} and the bare view ({warm} s each)…")
        timed(url, warm)
        timed(bare_url, warm)
        runs = []
        for n in range(pairs):
            mine = timed(url, seconds)
            bare = timed(bare_url, seconds)
            runs.append((mine, bare))
            bare_runs.append(bare)
            log(
                f"  pair {n + 1} of {pairs}: {mine.per_second:,.0f} against "
                f"{bare.per_second:,.0f} requests/s (p95 {mine.p95_ms:.0f} ms)"
            )
        for checked in (url, bare_url):
            if (status := status_of(checked)) != 200:
                raise RuntimeError(f"{checked} answered {status} after its runs, not 200")
        rows.append(judge(page, runs))
    rows.append(bare_row(bare_runs))
    return rows


def seed() -> list[Page]:
    log("Load: loading the demo data…")
    call_command("load_demo", stdout=io.StringIO())
    if "figures_refresh" in get_commands():  # as the periodic task keeps them
        call_command("figures_refresh", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    pages = pick_pages()
    count_queries(pages)
    return pages


def run(
    pairs: int, seconds: int, warm: int, cache_url: str = DEFAULT_CACHE_URL
) -> tuple[list[Row], dict[str, str]]:
    if shutil.which("wrk") is None:
        log(f"Load stage skipped: wrk is not installed ({INSTALL_WRK}).")
        return [], {"load stage": f"skipped: wrk is not installed; {INSTALL_WRK}"}
    cache_url = redis_cache_url(cache_url)
    prefix = f"carevoice-bench-load-{os.getpid()}-{int(time.time())}"
    settings_used = (
        f"config.settings.production with CACHE_URL={cache_url} (keys prefixed, deleted after)"
        if cache_url
        else "config.settings.local with DJANGO_DEBUG=0 and its process-local cache (no Redis "
        "answered; production refuses a process-local cache)"
    )
    with bench_database(LOAD_DATABASE), tempfile.TemporaryDirectory() as folder:
        pages = seed()
        port = free_port()
        static = Path(folder) / "static"
        static.mkdir()
        env = server_env(cache_url, static, prefix, port)
        if cache_url:
            log("Load: collecting the static files (production serves their manifest)…")
            subprocess.run(  # noqa: S603 - our own command line
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                env=env,
                cwd=ROOT,
                check=True,
            )
        script = Path(folder) / "p95.lua"
        script.write_text(LUA)
        log(f"Load: gunicorn with {WORKERS} workers on 127.0.0.1:{port}; {settings_used}")
        try:
            with gunicorn(env, port, Path(folder) / "gunicorn.log"):
                rows = hammer(f"http://127.0.0.1:{port}", pages, pairs, seconds, warm, script)
        except (RuntimeError, subprocess.SubprocessError) as error:
            # The stage comes last: the other phases' figures are still written.
            log(f"Load stage FAILED: {error}")
            return [], {"load stage": f"FAILED: {error}"}
        finally:
            if cache_url:
                forget_keys(cache_url, prefix)
    version = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "--version"], capture_output=True, text=True
    ).stdout.strip()
    meta = {
        "when": timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "load stage": (
            f"{version or 'gunicorn'}, {WORKERS} sync workers, serving {settings_used}, "
            "with tests/bench/load_urls.py adding the bare view; wrk "
            f"({THREADS} threads, {CONNECTIONS} connections, browser User-Agent) on the "
            f"same machine; per page a {warm} s warm-up of the page and the bare view, then "
            f"{pairs} alternating pairs of {seconds} s (page, bare view); demo data "
            "(load_demo) in a throw-away database. Ratio: the page's requests a second "
            "over the bare view's in the same pair; median and p95 columns are the medians "
            "of the page's runs; queries: one warm request through the test client"
        ),
    }
    return rows, meta
