"""The repository holds source, never the state a running database leaves behind."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    return subprocess.run(  # noqa: S603 (fixed arguments)
        [git, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_no_database_state_is_tracked() -> None:
    tracked = _git("ls-files").stdout.splitlines()
    assert [path for path in tracked if path.startswith((".pgdata", ".pgrun"))] == []


@pytest.mark.parametrize(
    "path", [".pgdata/PG_VERSION", ".pgdata.run/python_PostgresServer/.lockfile"]
)
def test_database_state_is_ignored(path: str) -> None:
    assert _git("check-ignore", "--no-index", "-q", path).returncode == 0
