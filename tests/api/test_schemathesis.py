"""The contract, checked by Schemathesis: for requests it generates from the OpenAPI
document (valid ones and broken ones), the API never fails with a server error and
every response matches the document: status codes, headers, content type and body.

It runs against the WSGI application, in the test database holding a small world, once
without a key and once with a working key; deterministic (derandomised) and bounded.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import CheckFunction
from schemathesis.specs.openapi import checks

from config.wsgi import application

from .conftest import World

pytestmark = pytest.mark.django_db

# A request the document allows may still be refused, and the API says why with a
# documented 400: a slug that names no organisation, a search of only common words.
# So "valid requests succeed" is not a property of this API; every other check runs.
EXCLUDED: list[CheckFunction] = [checks.positive_data_acceptance]
EXAMPLES = settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


# Loaded from the application itself when the module is collected (the document needs
# no database); the tests below run in the test database with the world in it.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def unlimited(settings: Any) -> None:
    # Hundreds of requests from one address: the rate limit has its own test.
    settings.API_RATE_ANONYMOUS = "1000000/min"
    settings.API_RATE_PER_KEY = "1000000/min"


@pytest.fixture(autouse=True)
def one_connection() -> Iterator[None]:
    """Keep the test's database connection (and so its transaction and world) open across
    requests, as Django's own test client does: a WSGI request closes it at its end."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@EXAMPLES
def test_api_without_a_key(case: Any, world: World) -> None:
    case.call_and_validate(excluded_checks=EXCLUDED)


@schema.parametrize()
@EXAMPLES
def test_api_with_a_key(case: Any, world: World) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Key {world.north_key}"}, excluded_checks=EXCLUDED
    )


@pytest.mark.parametrize("keyed", [False, True], ids=["without a key", "with a key"])
def test_known_things_match_the_document(world: World, keyed: bool) -> None:
    """Generated ids rarely name a story: these cases read the world's own stories and
    organisations, so every detail answer (staff fields included) is checked too."""
    headers = {"Authorization": f"Key {world.north_key}"} if keyed else None
    cases = []
    for story in (world.north_story, world.south_story, world.shared_story):
        for path in ("/api/v1/stories/{id}", "/api/v1/stories/{id}/responses"):
            cases.append(schema[path]["GET"].Case(path_parameters={"id": story.pk}))
    for key in ("RAD", world.north_outpatients.slug, "rbk"):
        cases.append(
            schema["/api/v1/organisations/{key}"]["GET"].Case(path_parameters={"key": key})
        )
    cases.append(schema["/api/v1/stories"]["GET"].Case(query={"q": "night staff", "limit": 100}))
    cases.append(schema["/api/v1/changes"]["GET"].Case(query={"organisation": "RAD"}))
    for case in cases:
        response = case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)
        assert response.status_code == 200, case.formatted_path
