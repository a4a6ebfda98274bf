"""Organisations' Welsh names and descriptions in the API (docs/api.md)."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.organisations.models import Organisation

from .conftest import World, get

pytestmark = pytest.mark.django_db


@pytest.fixture
def welsh(world: World) -> World:
    Organisation.objects.filter(pk=world.north.pk).update(
        name_cy="Bwrdd Iechyd Ashdown",
        description="Hospitals and services in Ashdown.",
        description_cy="Ysbytai a gwasanaethau yn Ashdown.",
    )
    Organisation.objects.filter(pk=world.north_outpatients.pk).update(name_cy="Cleifion Allanol")
    return world


def test_an_organisation_gives_its_welsh_name_and_both_descriptions(
    api: Client, welsh: World
) -> None:
    north = get(api, f"/api/v1/organisations/{welsh.north.slug}").json()
    assert north["name"] == "Ashdown"
    assert north["name_cy"] == "Bwrdd Iechyd Ashdown"
    assert north["description"] == "Hospitals and services in Ashdown."
    assert north["description_cy"] == "Ysbytai a gwasanaethau yn Ashdown."
    assert north["display_name"] == "Ashdown"  # the API answers in English
    assert north["children"][0]["name_cy"] == ""
    south = get(api, f"/api/v1/organisations/{welsh.south.slug}").json()
    assert (south["name_cy"], south["description"], south["description_cy"]) == ("", "", "")


def test_wherever_an_organisation_is_named_its_welsh_name_is_beside(
    api: Client, welsh: World
) -> None:
    outpatients = get(api, f"/api/v1/organisations/{welsh.north_outpatients.slug}").json()
    assert [a["name_cy"] for a in outpatients["ancestors"]] == ["Bwrdd Iechyd Ashdown", ""]
    assert outpatients["display_name"] == (
        "Ashdown Outpatients, Ashdown General Hospital (Ashdown)"
    )
    story = get(api, f"/api/v1/stories/{welsh.north_story.pk}").json()
    assert {s["name_cy"] for s in story["services"]} >= {"Cleifion Allanol"}


def test_the_search_finds_a_welsh_name(api: Client, welsh: World) -> None:
    body = get(api, "/api/v1/organisations", q="cleifion allanol").json()
    assert [org["slug"] for org in body["results"]] == [welsh.north_outpatients.slug]
