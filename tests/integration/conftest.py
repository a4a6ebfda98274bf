"""A real broker, a real worker and a real mail server for the integration tests.

Each test gets its own redis-server on a free port (so stopping it disturbs nobody, and
two xdist workers never share one), or its own virtual host on the machine's RabbitMQ
(`rabbit`), a Celery worker process started as production
starts it (`celery -A config worker`, local settings, configured only through the
environment) against this process's test database, and an SMTP sink that records what
the worker delivers. Data must be committed for the worker to see it, so these tests
use `transactional_db`.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol, cast
from urllib.parse import quote, urlencode

import kombu
import kombu.pools
import pytest
from celery import Celery
from django.conf import settings

REDIS_SERVER = os.environ.get("REDIS_SERVER_PATH") or shutil.which("redis-server")
# One task at a time, in this process, so the order of the queue is the order of the work.
WORKER_OPTIONS = [
    "--pool=solo",
    "--concurrency=1",
    "-Q",
    "celery",
    "--loglevel=INFO",
    "--without-gossip",
    "--without-mingle",
    "--without-heartbeat",
]
# The machine's RabbitMQ (user:password@host:port); each test makes a virtual host on it.
RABBITMQ_ADDRESS = os.environ.get("CAREVOICE_RABBITMQ", "guest:guest@127.0.0.1:5672")
RABBITMQCTL = os.environ.get("RABBITMQCTL_PATH") or shutil.which("rabbitmqctl")
READY_TIMEOUT = 30.0  # seconds for a worker to start or to find its broker again


def wait_for(
    done: Callable[[], object], what: str, *, timeout: float = 20.0, log: Any = None
) -> None:
    """Poll until `done()` is true, or fail saying what never happened (with the worker's
    log, which is where the reason usually is)."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            tail = f"\n--- worker log (last lines) ---\n{log.tail()}" if log is not None else ""
            pytest.fail(f"Gave up after {timeout:.0f} s waiting for {what}.{tail}")
        time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the broker --------------------------------------------------------------------
class PrivateRedis:
    """A redis-server of our own, which a test may stop and start again on the same port.
    It listens on `host` (another address than loopback for hosts in other namespaces)."""

    def __init__(self, workdir: Path, host: str = "127.0.0.1") -> None:
        self.workdir = workdir
        self.host = host
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        # Off loopback Redis wants a password (else its protected mode refuses clients).
        self.password = "" if host == "127.0.0.1" else secrets.token_hex(12)

    def url_for(self, database: int) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}{self.host}:{self.port}/{database}"

    @property
    def url(self) -> str:
        return self.url_for(0)

    @property
    def worker_name(self) -> str:
        return f"integration-{self.port}@localhost"

    def start(self) -> None:
        assert REDIS_SERVER is not None
        # Nothing saved to disk: a restart comes back empty, as after losing the broker.
        options = {
            "--port": str(self.port),
            "--bind": self.host,
            "--save": "",
            "--appendonly": "no",
            "--dir": str(self.workdir),
            **({"--requirepass": self.password} if self.password else {}),
        }
        log = (self.workdir / "redis.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
            [REDIS_SERVER, *(part for option in options.items() for part in option)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_for(self._answers, f"redis-server on port {self.port} to answer", timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def _answers(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            log = (self.workdir / "redis.log").read_text(errors="replace")
            pytest.fail(f"redis-server exited:\n{log}")
        from redis.exceptions import RedisError

        try:
            return bool(self.client().ping())
        except (RedisError, OSError):  # not listening yet
            return False

    def client(self) -> Any:
        import redis

        return redis.Redis(
            host=self.host, port=self.port, password=self.password or None, socket_timeout=2
        )

    def in_flight(self) -> int:
        """Tasks waiting in the queue or delivered to a worker and not yet acknowledged
        (they are acknowledged after they run: CELERY_TASK_ACKS_LATE). Control messages
        (pings and their replies) live under other keys and are not counted."""
        client = self.client()
        return int(client.llen("celery")) + int(client.hlen("unacked"))


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[PrivateRedis]:
    if REDIS_SERVER is None:
        pytest.skip(
            "redis-server is not installed: `apt-get install redis-server` "
            "(CI installs it; set REDIS_SERVER_PATH to use another)."
        )
    redis = PrivateRedis(tmp_path)
    try:
        redis.start()
        yield redis
    finally:
        redis.stop()


class RabbitVhost:
    """A virtual host of its own on the machine's RabbitMQ: its queues and exchanges are
    nobody else's, and deleting it afterwards leaves nothing behind."""

    def __init__(self) -> None:
        self.name = f"carevoice-test-{secrets.token_hex(4)}"

    @property
    def url(self) -> str:
        return f"amqp://{RABBITMQ_ADDRESS}/{self.name}"

    @property
    def worker_name(self) -> str:
        return f"integration-{self.name}@localhost"

    def ctl(self, *args: str) -> str:
        assert RABBITMQCTL is not None
        done = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [RABBITMQCTL, "-q", *args], capture_output=True, text=True, timeout=60, check=False
        )
        if done.returncode:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)}: {done.stderr or done.stdout}")
        return done.stdout

    def create(self) -> None:
        self.ctl("add_vhost", self.name)
        user = RABBITMQ_ADDRESS.partition("@")[0].partition(":")[0]
        self.ctl("set_permissions", "-p", self.name, user, ".*", ".*", ".*")

    def delete(self) -> None:
        self.ctl("delete_vhost", self.name)

    def in_flight(self) -> int:
        """Tasks waiting in the queue (those delivered and running show in the worker's
        log: Worker.wait_idle). Asked over AMQP: rabbitmqctl takes seconds a call."""
        from amqp.exceptions import NotFound

        with kombu.Connection(self.url, connect_timeout=2) as connection:
            try:
                _, waiting, _ = connection.default_channel.queue_declare("celery", passive=True)
            except NotFound:  # no task was ever sent
                return 0
            return int(waiting)


def _rabbitmq_missing() -> str:
    """Why the RabbitMQ tests cannot run here ("" when they can)."""
    if RABBITMQCTL is None:
        return "rabbitmqctl is not installed (apt-get install rabbitmq-server; CI has it)"
    host, _, port = RABBITMQ_ADDRESS.rpartition("@")[2].partition(":")
    try:
        socket.create_connection((host, int(port or 5672)), timeout=2).close()
    except OSError as exc:
        return f"no RabbitMQ answers at {host}:{port} ({exc}); set CAREVOICE_RABBITMQ"
    return ""


@pytest.fixture
def rabbit() -> Iterator[RabbitVhost]:
    if reason := _rabbitmq_missing():
        pytest.skip(f"RabbitMQ tests: {reason}.")
    vhost = RabbitVhost()
    vhost.create()
    try:
        yield vhost
    finally:
        vhost.delete()


# --- the mail server ---------------------------------------------------------------
class _SmtpSession(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's SMTP backend (RFC 5321, no extensions)."""

    server: SmtpSink

    def handle(self) -> None:
        self.server.hold_if_asked(self.client_address[0], "greeting")
        # A client that hangs up mid-way leaves what it finished sending recorded.
        with contextlib.suppress(OSError):
            self._converse()

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def _converse(self) -> None:
        self._reply("220 sink.test ESMTP")
        recipients: list[str] = []
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self._reply("250 sink.test")
            elif verb in {"HELO", "NOOP"}:
                self._reply("250 OK")
            elif verb in {"MAIL", "RSET"}:
                recipients = []
                self._reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.partition("<")[2].partition(">")[0])
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b".") else data)  # dot-stuffing
                self.server.deliver(recipients, b"".join(lines), self.client_address[0])
                self.server.hold_if_asked(self.client_address[0], "reply")
                recipients = []
                self._reply("250 OK queued")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")


class SmtpSink(socketserver.ThreadingTCPServer):
    """The edge of the system: a mail server that keeps every message it is given."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str = "127.0.0.1", delay: float = 0.0) -> None:
        super().__init__((host, 0), _SmtpSession)
        self._lock = threading.Lock()
        self._received: list[tuple[list[str], bytes, str]] = []
        # Each connection waits this long before the greeting, as a busy server makes a
        # client wait: a batch stays in flight long enough to interrupt.
        self.delay = delay
        self._hold_after: int | None = None
        self._hold_from: str | None = None
        self._hold_at = "greeting"
        self._hold_sender = False
        self.holding = threading.Event()  # a connection is being held (see hold_next)
        self.held_from = ""
        self._release = threading.Event()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def deliver(self, recipients: list[str], data: bytes, peer: str = "") -> None:
        with self._lock:
            self._received.append((list(recipients), data, peer))

    def hold_next(
        self, *, after: int = 0, peer: str | None = None, at: str = "greeting", sender: bool = False
    ) -> None:
        """Hold the first connection (from `peer`, if given; from an address that has sent
        mail already, if `sender`) that arrives once `after` messages were delivered, until
        `release()`: before the greeting (`at="greeting"`: its client is mid-send with
        nothing accepted, the moment to kill it), or once the message is received, before
        the reply that says so (`at="reply"`)."""
        with self._lock:
            self._hold_after, self._hold_from, self._hold_at = after, peer, at
            self._hold_sender = sender
        self._release.clear()
        self.holding.clear()

    def release(self) -> None:
        self._release.set()

    def hold_if_asked(self, peer: str, stage: str) -> None:
        if self.delay and stage == "greeting":
            time.sleep(self.delay)
        with self._lock:
            delivered = len(self._received) - (stage == "reply")
            hold = (
                self._hold_after is not None
                and stage == self._hold_at
                and delivered >= self._hold_after
                and self._hold_from in (None, peer)
                and (not self._hold_sender or any(p == peer for _, _, p in self._received))
            )
            if hold:
                self._hold_after = None
                self.held_from = peer
        if hold:
            self.holding.set()
            self._release.wait(timeout=120)

    def peers(self) -> list[str]:
        """The address each message came from, in order of delivery."""
        with self._lock:
            return [peer for _, _, peer in self._received]

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            received = list(self._received)
        return [
            cast(EmailMessage, message_from_bytes(data, policy=policy.default))
            for _, data, _ in received
        ]

    def recipients(self) -> list[str]:
        """Every envelope recipient, once per message delivered to them."""
        with self._lock:
            return sorted(address for to, _, _ in self._received for address in to)


@contextlib.contextmanager
def running_sink(host: str = "127.0.0.1", delay: float = 0.0) -> Iterator[SmtpSink]:
    sink = SmtpSink(host, delay)
    thread = threading.Thread(target=sink.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    try:
        yield sink
    finally:
        sink.release()
        sink.shutdown()
        sink.server_close()
        thread.join(timeout=5)


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with running_sink() as sink:
        yield sink


# --- this process's Celery app -------------------------------------------------------
def _forget_broker_connections(app: Celery) -> None:
    """Close pooled connections, so the next publish connects to the broker now configured."""
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def publishing_to(url: str, settings: Any) -> Iterator[Celery]:
    """The project's Celery app, publishing to the broker at `url` instead of running
    eagerly."""
    from config.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    # The readiness view reads the Django setting to decide whether a broker is in use.
    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _forget_broker_connections(app)
    app.conf.update(broker_url=url, task_always_eager=False)
    try:
        yield app
    finally:
        _forget_broker_connections(app)
        app.conf.update(saved)


@pytest.fixture
def broker_app(broker: PrivateRedis, settings: Any) -> Iterator[Celery]:
    """The project's Celery app, publishing to the private broker instead of running eagerly."""
    with publishing_to(broker.url, settings) as app:
        yield app


# --- the worker --------------------------------------------------------------------
def _database_url() -> str:
    """This process's (test) database as a DATABASE_URL, for the worker to share it."""
    from django.db import connection

    db = connection.settings_dict
    user = quote(str(db.get("USER") or ""), safe="")
    password = quote(str(db.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(str(db.get("HOST") or ""), safe="")  # a socket folder is a path
    port = f":{db['PORT']}" if db.get("PORT") else ""
    options = {k: v for k, v in (db.get("OPTIONS") or {}).items() if isinstance(v, str)}
    query = f"?{urlencode(options)}" if options else ""
    return f"postgres://{auth}{host}{port}/{quote(db['NAME'], safe='')}{query}"


class Broker(Protocol):
    @property
    def url(self) -> str: ...

    @property
    def worker_name(self) -> str: ...

    def in_flight(self) -> int: ...


class Worker:
    """`celery -A config worker` in a process of its own, as a deployment runs it."""

    def __init__(
        self,
        app: Celery,
        broker: Broker,
        smtp: SmtpSink,
        workdir: Path,
        *,
        name: str = "",
        env: dict[str, str] | None = None,
        options: list[str] | None = None,
    ) -> None:
        self.app = app
        self.broker = broker
        self.options = options or WORKER_OPTIONS
        self.name = name or broker.worker_name
        self.log_path = workdir / f"worker-{self.name.partition('@')[0]}.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": _database_url(),
            # The site's secret, as every host of a deployment shares it (signed values,
            # the outbox's Message-IDs).
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            # No idle connections left behind to hold up the test database's flush.
            "DATABASE_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": broker.url,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_USE_TLS": "false",
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                *self.options,
                "-n",
                self.name,
            ],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.wait_connected()

    def kill(self) -> None:
        """SIGKILL: the worker dies as a machine that loses power, acknowledging nothing."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # a warm shutdown, as a deployment stops it
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def _answers_ping(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            pytest.fail(f"The Celery worker exited.\n{self.tail()}")
        try:
            return bool(self.app.control.ping(destination=[self.name], timeout=0.5))
        except Exception:  # the broker is still coming back  # noqa: BLE001
            return False

    def wait_connected(self) -> None:
        """Until the worker is consuming from the broker (at start, or after an outage)."""
        wait_for(self._answers_ping, "the worker to answer a ping", timeout=READY_TIMEOUT, log=self)

    def wait_idle(self, timeout: float = 20.0) -> None:
        """Until nothing is queued or running: a task that queues another publishes it
        before it is acknowledged, so an empty broker means the work has settled."""

        def settled() -> bool:
            if self.broker.in_flight() or self.running():
                return False
            time.sleep(0.3)
            return not (self.broker.in_flight() or self.running())

        wait_for(settled, "the worker to finish its queue", timeout=timeout, log=self)

    def running(self) -> int:
        """Tasks this worker was given and has not finished, by its log."""
        log = self.log_path.read_text(errors="replace")
        given = len(re.findall(r"Task [\w.]+\[[^\]]+\] received", log))
        done = len(re.findall(r"Task [\w.]+\[[^\]]+\] (?:succeeded|raised|retry)", log))
        lost = len(re.findall(r"Task handler raised error: WorkerLostError", log))
        return given - done - lost

    def received(self, task_name: str) -> list[str]:
        """The id of each run of this task the worker was given, in order."""
        return re.findall(
            rf"Task {re.escape(task_name)}\[([^\]]+)\] received",
            self.log_path.read_text(errors="replace"),
        )

    def results(self, task_name: str) -> list[str]:
        """What each run of this task returned, in order, from the worker's log (Celery
        logs "Task <name>[<id>] succeeded in <t>s: <result>")."""
        found = re.findall(
            rf"Task {re.escape(task_name)}\[[^\]]+\] succeeded in [^:]+: (.*)$",
            self.log_path.read_text(errors="replace"),
            flags=re.MULTILINE,
        )
        return [result.strip() for result in found]


@pytest.fixture
def worker(
    transactional_db: None,
    broker: PrivateRedis,
    broker_app: Celery,
    smtp: SmtpSink,
    tmp_path: Path,
) -> Iterator[Worker]:
    """A running worker. It is stopped before the test database is flushed (this fixture
    depends on `transactional_db`, so it is torn down first)."""
    process = Worker(broker_app, broker, smtp, tmp_path)
    try:
        process.start()
        yield process
    finally:
        process.stop()
