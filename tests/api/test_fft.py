"""The Friends and Family Test answers in the API: on the services inside a key's subtree,
never without a key, and never on another trust's services."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from apps.stories.models import StoryService

from .conftest import World, get

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(world: World) -> World:
    story = world.shared_story
    StoryService.objects.filter(story=story, organisation=world.north_maternity).update(
        fft="very_poor"
    )
    StoryService.objects.filter(story=world.north_story).update(fft="dont_know")
    return world


def _services(data: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {service["id"]: service for service in data["services"]}


def test_a_key_holder_sees_the_answers_of_its_own_services(api: Client, answered: World) -> None:
    # The shared story names a north and a south service: each trust's key sees its own.
    data = get(api, f"/api/v1/stories/{answered.shared_story.pk}", answered.north_key).json()
    assert _services(data)[answered.north_maternity.pk]["fft"] == "very_poor"
    assert "fft" not in _services(data)[answered.south_outpatients.pk]
    data = get(api, f"/api/v1/stories/{answered.shared_story.pk}", answered.south_key).json()
    assert "fft" not in _services(data)[answered.north_maternity.pk]
    assert _services(data)[answered.south_outpatients.pk]["fft"] is None
    listed = get(api, "/api/v1/stories", answered.north_key, limit="100").json()["results"]
    by_id = {story["id"]: story for story in listed}
    assert _services(by_id[answered.north_story.pk])[answered.north_outpatients.pk]["fft"] == (
        "dont_know"
    )


def test_without_a_key_no_answer_is_shown(api: Client, answered: World) -> None:
    for path in (f"/api/v1/stories/{answered.shared_story.pk}", "/api/v1/stories"):
        text = get(api, path).content.decode()
        assert '"fft"' not in text
        assert "very_poor" not in text
        assert "dont_know" not in text


def test_the_document_describes_the_answer(api: Client, world: World) -> None:
    schema = get(api, "/api/v1/openapi.json").json()
    field = schema["components"]["schemas"]["StoryService"]["properties"]["fft"]
    assert "Key holders only" in field["description"]
    assert "fft" not in schema["components"]["schemas"]["StoryService"].get("required", [])
