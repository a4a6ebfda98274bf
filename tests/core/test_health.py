from __future__ import annotations

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

        app.conf.broker_url = "redis://127.0.0.1:9/0"
        try:
            response = client.get("/readyz")
        finally:
            app.conf.broker_url = None
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "failed"}


def test_health_endpoints_refuse_writes(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
