"""What each endpoint returns: the public page's fields, paging, filters, errors."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from .conftest import World, get

pytestmark = pytest.mark.django_db

UTC_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_stories_list_shows_published_stories_newest_first(api: Client, world: World) -> None:
    response = get(api, "/api/v1/stories")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    ids = [story["id"] for story in body["results"]]
    assert world.hidden_story.pk not in ids
    assert ids[:3] == [world.north_story.pk, world.south_story.pk, world.shared_story.pk]
    assert body["count"] == 7
    assert body["next"] is None
    assert body["previous"] is None
    assert body["capped"] is False
    first = body["results"][0]
    assert first["title"] == world.north_story.title
    assert first["progress"] == "change_planned"
    assert [s["slug"] for s in first["services"]] == [world.north_outpatients.slug]
    assert {t["slug"] for t in first["tags"]} == {"staff-manner-and-attitude", "felt-grateful"}
    assert UTC_MOMENT.match(first["published_at"])
    assert first["url"].endswith(f"/stories/{world.north_story.pk}/")
    assert "headline" not in first


def test_story_detail_and_unpublished_story(api: Client, world: World) -> None:
    body = get(api, f"/api/v1/stories/{world.north_story.pk}").json()
    assert body["id"] == world.north_story.pk
    assert body["experienced_on"].endswith("-01")
    missing = get(api, f"/api/v1/stories/{world.hidden_story.pk}")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert get(api, "/api/v1/stories/99999999999999999999999").status_code == 404


def test_story_responses_are_the_published_ones_with_their_changes(
    api: Client, world: World
) -> None:
    body = get(api, f"/api/v1/stories/{world.north_story.pk}/responses").json()
    assert body["count"] == 1
    (response,) = body["results"]
    assert response["author_name"] == "Nia Evans"
    assert response["author_job_title"] == "Ward manager"
    assert response["organisation"]["slug"] == world.north_outpatients.slug
    assert response["body_html"] == "<p>We are glad the team helped.</p>"
    assert [c["summary"] for c in response["changes"]] == ["Longer visiting hours."]
    assert "is_generic" not in response
    assert get(api, f"/api/v1/stories/{world.hidden_story.pk}/responses").status_code == 404


def test_organisations_search_and_detail(api: Client, world: World) -> None:
    body = get(api, "/api/v1/organisations", q="ashdown").json()
    names = [org["name"] for org in body["results"]]
    assert names == [
        "Ashdown",
        "Ashdown General Hospital",
        "Ashdown Maternity",
        "Ashdown Outpatients",
    ]
    site = body["results"][1]
    assert site["parent"]["slug"] == world.north.slug
    assert body["results"][0]["parent"] is None
    assert get(api, "/api/v1/organisations", q="RAD").json()["count"] == 1
    assert get(api, "/api/v1/organisations", q="old wing").json()["count"] == 0
    assert get(api, "/api/v1/organisations", q="old wing", closed="true").json()["count"] == 1
    assert get(api, "/api/v1/organisations", kind="trust").json()["count"] == 2
    by_code = get(api, "/api/v1/organisations/rad").json()
    by_slug = get(api, f"/api/v1/organisations/{world.north.slug}").json()
    assert by_code == by_slug
    assert by_code["ods_code"] == "RAD"
    assert [c["name"] for c in by_code["children"]] == ["Ashdown General Hospital"]
    assert "listed_staff_names" not in by_code
    service = get(api, f"/api/v1/organisations/{world.north_outpatients.slug}").json()
    assert [a["name"] for a in service["ancestors"]] == ["Ashdown", "Ashdown General Hospital"]
    assert service["parent"]["name"] == "Ashdown General Hospital"
    assert get(api, "/api/v1/organisations/no-such-place").status_code == 404


def test_changes_register(api: Client, world: World) -> None:
    body = get(api, "/api/v1/changes").json()
    assert body["count"] == 3
    by_status = {c["status"]: c for c in body["results"]}
    planned, made, stopped = by_status["planned"], by_status["made"], by_status["not_going_ahead"]
    assert planned["due_on"] is not None
    assert made["due_on"] is None
    assert made["made_summary"] == "Hot meals now served until 10pm."
    assert stopped["reason"] == "The land is not ours."
    assert planned["made_summary"] is None
    # Only the published stories a change answers.
    assert [s["id"] for s in planned["stories"]] == [world.north_story.pk]
    north = get(api, "/api/v1/changes", organisation="RAD").json()
    assert {c["status"] for c in north["results"]} == {"planned", "not_going_ahead"}
    only_made = get(api, "/api/v1/changes", status="made").json()
    assert [c["status"] for c in only_made["results"]] == ["made"]
    service = get(api, "/api/v1/changes", organisation=world.north_maternity.slug).json()
    assert [c["status"] for c in service["results"]] == ["not_going_ahead"]
