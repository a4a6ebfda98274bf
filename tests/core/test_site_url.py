"""Emailed links follow the address `runserver` serves when SITE_URL is unset."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import served_site_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["manage.py", "runserver"], "http://127.0.0.1:8000"),
        (["manage.py", "runserver", "8041"], "http://127.0.0.1:8041"),
        (["manage.py", "runserver", "127.0.0.1:8041"], "http://127.0.0.1:8041"),
        (["manage.py", "runserver", "localhost:9000", "--noreload"], "http://localhost:9000"),
        (
            ["manage.py", "runserver", "--settings", "config.settings.local", "8041"],
            "http://127.0.0.1:8041",
        ),
        (["manage.py", "runserver", "0.0.0.0:8041"], "http://127.0.0.1:8041"),
        (["manage.py", "runserver", "[::1]:8042"], "http://[::1]:8042"),
        (["manage.py", "migrate"], None),
        (["pytest"], None),
    ],
)
def test_served_site_url_follows_runserver(argv: list[str], expected: str | None) -> None:
    assert served_site_url(argv) == expected


def _site_url_in_local_settings(argv: list[str], environ: dict[str, str]) -> str:
    code = (
        "import sys; sys.argv = " + repr(argv) + "\n"
        "from config.settings import local\n"
        "print(local.SITE_URL)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"} | environ
    # The settings module starts (or joins) the embedded database unless DATABASE_URL is set;
    # a placeholder keeps this check from touching any server.
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_local_settings_link_to_the_served_port() -> None:
    assert _site_url_in_local_settings(["manage.py", "runserver", "127.0.0.1:8041"], {}) == (
        "http://127.0.0.1:8041"
    )


def test_an_explicit_site_url_wins() -> None:
    argv = ["manage.py", "runserver", "127.0.0.1:8041"]
    assert _site_url_in_local_settings(argv, {"SITE_URL": "https://care.example/"}) == (
        "https://care.example"
    )
