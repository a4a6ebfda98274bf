"""Staff-only data never leaves through the API without a key of the right subtree, and a
key of one trust sees nothing more than anyone about another trust's stories."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tests.factories import api_key_for

from .conftest import SENTINELS, STAFF_FIELDS, World, get

pytestmark = pytest.mark.django_db


def _keys(value: Any) -> Iterator[str]:
    """Every key of every object anywhere in a JSON document."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def _paths(world: World) -> list[tuple[str, dict[str, str]]]:
    """Every endpoint, lists with and without filters, details of every story."""
    paths: list[tuple[str, dict[str, str]]] = [
        ("/api/v1/stories", {}),
        ("/api/v1/stories", {"limit": "100"}),
        ("/api/v1/stories", {"q": "night staff"}),
        ("/api/v1/stories", {"organisation": "RAD"}),
        ("/api/v1/stories", {"organisation": "RBK", "responded": "no"}),
        ("/api/v1/stories", {"progress": "change_planned"}),
        ("/api/v1/organisations", {"closed": "true", "limit": "100"}),
        ("/api/v1/organisations/RAD", {}),
        ("/api/v1/organisations/RBK", {}),
        ("/api/v1/changes", {}),
        ("/api/v1/changes", {"organisation": "RAD"}),
        ("/api/v1/openapi.json", {}),
    ]
    for story in (world.north_story, world.south_story, world.shared_story, world.hidden_story):
        paths.append((f"/api/v1/stories/{story.pk}", {}))
        paths.append((f"/api/v1/stories/{story.pk}/responses", {}))
    return paths


def test_nothing_private_without_a_key(api: Client, world: World) -> None:
    for path, params in _paths(world):
        response = get(api, path, **params)
        assert response.status_code in (200, 404), (path, response.status_code)
        text = response.content.decode()
        for sentinel in SENTINELS:
            assert sentinel not in text, f"{sentinel} in {path} {params}"
        if path.endswith("openapi.json"):
            continue
        leaked = set(_keys(response.json())) & set(STAFF_FIELDS)
        assert not leaked, f"{leaked} in {path} {params}"


def test_a_signed_in_member_of_staff_gets_nothing_more(
    client_as: Any, world: World, platform_admin: Any
) -> None:
    """The API reads no session: a browser signed in to the staff area is anonymous here."""
    staff = client_as("platform_admin")
    anonymous = Client()
    for path, params in _paths(world):
        assert get(staff, path, **params).content == get(anonymous, path, **params).content


def _story(client: Client, story_id: int, key: str | None) -> dict[str, Any]:
    return dict(get(client, f"/api/v1/stories/{story_id}", key).json())


def test_a_key_adds_staff_fields_for_its_subtree_only(api: Client, world: World) -> None:
    north = _story(api, world.north_story.pk, world.north_key)
    assert north["criticality"] == 4
    assert north["moderator_note"] == "NOTE-FOR-STAFF-1"
    # A story is in the subtree when any of its services is.
    shared = _story(api, world.shared_story.pk, world.north_key)
    assert shared["criticality"] == 2
    assert _story(api, world.shared_story.pk, world.south_key)["moderator_note"] == (
        "NOTE-FOR-STAFF-3"
    )
    south = _story(api, world.south_story.pk, world.north_key)
    assert "criticality" not in south
    assert "moderator_note" not in south


def test_a_key_of_one_trust_sees_nothing_more_about_another(api: Client, world: World) -> None:
    """For every story outside its subtree, every endpoint answers a north key exactly as it
    answers anyone (the Friends and Family Test answers included: a key sees only its own)."""
    outside = [world.south_story.pk] + [
        s["id"]
        for s in get(api, "/api/v1/stories", organisation="RBK").json()["results"]
        if s["id"] != world.shared_story.pk
    ]
    for story_id in set(outside):
        mine = _story(api, story_id, world.north_key)
        assert mine == _story(api, story_id, None)
    keyed = get(api, "/api/v1/stories", world.north_key, organisation="RBK", limit="100").json()
    anonymous = get(api, "/api/v1/stories", organisation="RBK", limit="100").json()
    for mine, theirs in zip(keyed["results"], anonymous["results"], strict=True):
        if mine["id"] != world.shared_story.pk:
            assert mine == theirs
    every = get(api, "/api/v1/stories", world.north_key, limit="100").content.decode()
    for n in (2, 6, 8):  # notes of Brookvale's stories
        assert f'NOTE-FOR-STAFF-{n}"' not in every
    for n in (1, 3, 5, 7):  # and Ashdown's are there
        assert f'NOTE-FOR-STAFF-{n}"' in every
    for path, params in _paths(world):
        text = get(api, path, world.north_key, **params).content.decode()
        for sentinel in SENTINELS[1:]:
            assert sentinel not in text, f"{sentinel} in {path} {params} with a key"


def test_a_key_for_a_service_covers_that_service_alone(api: Client, world: World) -> None:
    _, key = api_key_for(world.north_outpatients)
    assert "criticality" in _story(api, world.north_story.pk, key)
    # The shared story is about Ashdown Maternity (a sibling) and Brookvale.
    assert "criticality" not in _story(api, world.shared_story.pk, key)


def test_keyed_answers_are_never_cached_by_others(api: Client, world: World) -> None:
    keyed = get(api, f"/api/v1/stories/{world.north_story.pk}", world.north_key)
    assert keyed["Cache-Control"] == "no-store"
    assert "Authorization" in keyed["Vary"]
    anonymous = get(api, f"/api/v1/stories/{world.north_story.pk}")
    assert anonymous["Cache-Control"] == "public, max-age=60"
    assert "Authorization" in anonymous["Vary"]
    assert "Cookie" not in anonymous.get("Vary", "")
    assert not anonymous.cookies


def test_the_schema_documents_staff_fields_as_optional(api: Client) -> None:
    document = json.loads(get(api, "/api/v1/openapi.json").content)
    story = document["components"]["schemas"]["Story"]
    for name in STAFF_FIELDS:
        assert name in story["properties"]
        assert name not in story["required"]
        assert "Staff only" in story["properties"][name]["description"]
