"""The OpenAPI document is valid OpenAPI 3, generated without warnings, and says what the
contract says."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_the_document_is_valid_openapi_3() -> None:
    GENERATOR_STATS.reset()
    document = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS, "drf-spectacular warned while generating the document"
    validate_schema(document)  # raises on anything the OpenAPI 3.0 JSON schema refuses


def test_the_served_document(api: Client) -> None:
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    document = json.loads(response.content)
    validate_schema(document)
    assert set(document["paths"]) == {
        "/api/v1/stories",
        "/api/v1/stories/{id}",
        "/api/v1/stories/{id}/responses",
        "/api/v1/organisations",
        "/api/v1/organisations/{key}",
        "/api/v1/changes",
    }
    stories = document["paths"]["/api/v1/stories"]["get"]
    names = {p["name"] for p in stories["parameters"]}
    assert names == {
        "q",
        "organisation",
        "service",
        "tag",
        "author_role",
        "date_from",
        "date_to",
        "responded",
        "progress",
        "order",
        "limit",
        "offset",
    }
    limit = next(p for p in stories["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 100
    for operation in (p["get"] for p in document["paths"].values()):
        assert {"401", "429"} <= set(operation["responses"])
        assert operation["security"] == [{"ApiKey": []}, {}]


def test_the_document_refuses_the_empty_parameters_the_api_refuses(api: Client) -> None:
    """An empty filter is a 400 (leave it out to not filter): every query parameter's
    schema excludes the empty string, by a length, a date format or a list of values."""
    document = json.loads(api.get("/api/v1/openapi.json").content)
    for path, item in document["paths"].items():
        for parameter in item["get"]["parameters"]:
            if parameter["in"] != "query":
                continue
            schema = parameter["schema"]
            excludes_empty = (
                schema.get("minLength", 0) >= 1
                or schema.get("format") == "date"
                or ("enum" in schema and "" not in schema["enum"])
                or schema.get("type") == "integer"
            )
            assert excludes_empty, f"{path} ?{parameter['name']}= is allowed by {schema}"
            if schema.get("minLength"):
                response = api.get(path, {parameter["name"]: ""})
                assert response.status_code == 400, f"{path} ?{parameter['name']}="
