from __future__ import annotations

import logging

import pytest
from django.test import Client, override_settings


def test_healthz_answers_without_touching_the_database(client: Client) -> None:
    # No database fixture: a query here would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_checks_the_database(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.django_db
def test_readyz_is_unavailable_when_the_broker_is_unreachable(client: Client) -> None:
    # Port 9 on loopback: nothing listens there, so the connection is refused.
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:9/0"):
        from config.celery import app

        saved = app.conf.broker_url
        app.conf.broker_url = "redis://127.0.0.1:9/0"
        try:
            response = client.get("/readyz")
        finally:
            app.conf.broker_url = saved
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "failed"}


def test_health_endpoints_refuse_writes(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_background_work_without_a_broker_logs_no_broker_warning() -> None:
    """With no CELERY_BROKER_URL, tasks run in the process and nothing mentions a broker."""
    from config.celery import app

    heard: list[str] = []

    class Listener(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            heard.append(record.getMessage())

    kombu_log = logging.getLogger("kombu")
    listener = Listener(level=logging.WARNING)
    kombu_log.addHandler(listener)
    try:
        app.loader.import_default_modules()
        app.tasks["core.sweep_outbox"].delay()
    finally:
        kombu_log.removeHandler(listener)
    assert heard == []


@pytest.mark.django_db
def test_the_site_has_an_icon(client: Client) -> None:
    page = client.get("/").content.decode()
    assert 'rel="icon"' in page
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(response.streaming_content)
