"""The embedded PostgreSQL start-up that every newcomer's `make run` and `make test` use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from config import embedded_db

ROOT = Path(__file__).resolve().parents[2]


def test_a_path_with_white_space_is_refused_with_advice(tmp_path: Path) -> None:
    with pytest.raises(embedded_db.EmbeddedDatabaseError, match="EMBEDDED_PG_DATA"):
        embedded_db.check_path(tmp_path / "my project" / ".pgdata")


def test_a_path_too_long_for_a_socket_is_refused_with_advice(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 120) / ".pgdata"
    with pytest.raises(embedded_db.EmbeddedDatabaseError, match="too long"):
        embedded_db.check_path(deep)
    embedded_db.check_path(Path("/srv/carevoice/.pgdata"))  # an ordinary path is fine


def test_recover_forgets_dead_processes_and_stale_pid_files(tmp_path: Path) -> None:
    pgdata = tmp_path / "data"
    pgdata.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    (pgdata / ".handle_pids.json").write_text(json.dumps([os.getpid(), dead_pid]))
    # A postmaster.pid naming a live process that is not this folder's postgres
    # (a reused PID, a copied folder): it must not be trusted.
    (pgdata / "postmaster.pid").write_text(
        f"{os.getpid()}\n{pgdata}\n1700000000\n5432\n{pgdata}\n\n  0 0\nready\n"
    )
    (pgdata / ".s.PGSQL.5432.lock").write_text("stale")

    done = embedded_db.recover(pgdata)

    assert json.loads((pgdata / ".handle_pids.json").read_text()) == [os.getpid()]
    assert not (pgdata / "postmaster.pid").exists()
    assert not (pgdata / ".s.PGSQL.5432.lock").exists()
    assert len(done) == 2


def _holder(pgdata: Path, then: str) -> subprocess.CompletedProcess[str]:
    """Run a separate process that joins the server, then exits or is killed."""
    code = (
        "import os, sys; from pathlib import Path; from config import embedded_db; "
        "embedded_db.start(Path(sys.argv[1])); "
        + {
            "killed": "os.kill(os.getpid(), 9)",
            "exits": "pass",
            "terminated": "os.kill(os.getpid(), 15)",
        }[then]
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run(  # noqa: S603 - our own module with a fixed argv
        [sys.executable, "-c", code, str(pgdata)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _running(pgdata: Path) -> bool:
    return (pgdata / "postmaster.pid").exists()


def test_server_lifecycle_in_a_fresh_folder(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg"

    # The last process to leave stops the server, whether it ends or is terminated.
    first = _holder(pgdata, "exits")
    assert first.returncode == 0, first.stderr
    assert (pgdata / "PG_VERSION").exists()
    assert not _running(pgdata)
    terminated = _holder(pgdata, "terminated")
    assert terminated.returncode == 143, terminated.stderr
    assert not _running(pgdata)

    # A killed process leaves its PID behind; the next start forgets it, and the
    # server it leaves running is found and reused rather than started twice.
    killed = _holder(pgdata, "killed")
    assert killed.returncode == -9
    assert _running(pgdata)
    conn = embedded_db.start(pgdata)
    try:
        with psycopg.connect(
            host=conn.socket_dir, port=conn.port, user="postgres", dbname=embedded_db.DATABASE_NAME
        ) as db:
            assert db.execute("SELECT 1").fetchone() == (1,)
        handles = json.loads((pgdata / ".handle_pids.json").read_text())
        assert handles == [os.getpid()]
    finally:
        assert embedded_db.stop(pgdata) is True
    assert not _running(pgdata)
    assert embedded_db.stop(pgdata) is False
