"""Deployment settings: refuse to start unsafe, and pass Django's deploy checks."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = secrets.token_urlsafe(64)


def run_production(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))
    }
    base.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": GOOD_KEY,
            "DATABASE_URL": "postgres://carevoice@db.internal:5432/carevoice",
            "DJANGO_ALLOWED_HOSTS": "care.example",
            "CACHE_URL": "redis://cache.internal:6379/1",
        }
    )
    base.update(env)
    return subprocess.run(  # noqa: S603 - our own manage.py with a fixed argv
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deploy_checks() -> None:
    result = run_production("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG must be off in production"),
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_SECRET_KEY": "change-me"}, "DJANGO_SECRET_KEY must be set"),
        ({"DJANGO_SECRET_KEY": "a" * 60}, "DJANGO_SECRET_KEY must be set"),
        ({"DATABASE_URL": ""}, "DATABASE_URL must name the PostgreSQL database"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG must be true or false"),
    ],
)
def test_production_refuses_to_start_unsafe(env: dict[str, str], message: str) -> None:
    result = run_production("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client: Client) -> None:
    response = client.get("/organisations/")
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_documented_production_recipe_passes_the_deploy_checks() -> None:
    """docs/configuration.md's recipe names every variable production needs."""
    doc = (ROOT / "docs" / "configuration.md").read_text()
    recipe = doc.split("## Production", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    named = {
        word.split("=", 1)[0]
        for line in recipe.splitlines()
        if line.startswith("export ")
        for word in line.removeprefix("export ").split()
    }
    placeholders = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": GOOD_KEY,
        "DATABASE_URL": "postgres://carevoice@db.internal:5432/carevoice",
        "DJANGO_ALLOWED_HOSTS": "care.example",
        "SITE_URL": "https://care.example",
        "CACHE_URL": "redis://cache.internal:6379/1",
    }
    assert named <= placeholders.keys(), (
        f"give the test a placeholder for {named - placeholders.keys()}"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "CACHE_URL", "SITE_URL"))
    }
    env.update({name: placeholders[name] for name in named})
    result = subprocess.run(  # noqa: S603 - our own manage.py with a fixed argv
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/organisations/", "/api/v1/", "/no-such-page/", "/healthz"])
def test_every_response_denies_powerful_browser_features(client: Client, url: str) -> None:
    policy = client.get(url)["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort"):
        assert f"{feature}=()" in policy
    # Passkeys and copying a private link stay allowed.
    assert "publickey-credentials" not in policy
    assert "clipboard" not in policy
