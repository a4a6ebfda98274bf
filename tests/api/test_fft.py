"""The Friends and Family Test answers in the API: on each story's services for any key,
never without one."""

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


def test_a_key_holder_sees_each_services_answer(api: Client, answered: World) -> None:
    # The south trust's key: the answers are for any key, not only the story's trust's.
    data = get(api, f"/api/v1/stories/{answered.shared_story.pk}", answered.south_key).json()
    services = _services(data)
    assert services[answered.north_maternity.pk]["fft"] == "very_poor"
    assert services[answered.south_outpatients.pk]["fft"] is None
    listed = get(api, "/api/v1/stories", answered.north_key, limit="100").json()["results"]
    by_id = {story["id"]: story for story in listed}
    assert _services(by_id[answered.north_story.pk])[answered.north_outpatients.pk]["fft"] == (
        "dont_know"
    )
    assert all("fft" in s for story in listed for s in story["services"])


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
