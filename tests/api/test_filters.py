"""Each filter reaches the selector the site uses, with the same meaning; a bad value is a
400 naming the parameter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from apps.changes.selectors import RegisterFilters, register
from apps.organisations.selectors import organisation_search
from apps.stories.search import StorySearchForm, story_search

from .conftest import World, get

pytestmark = pytest.mark.django_db


def _ids(body: dict) -> list[int]:
    return [item["id"] for item in body["results"]]


def _site(params: dict[str, str]) -> list[int]:
    """What the site's search gives for the same parameters."""
    form = StorySearchForm(params)
    assert form.is_valid(), form.errors
    return [story.pk for story in story_search(form.filters())[:100]]


def _story_filters(world: World) -> list[dict[str, str]]:
    yesterday = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    return [
        {"q": "night staff"},
        {"q": '"story number 3"'},
        {"q": "kind", "order": "newest"},
        {"organisation": "RAD"},
        {"organisation": world.south.slug},
        {"service": world.north_maternity.slug},
        {"tag": "food-and-drink"},
        {"author_role": "patient"},
        {"date_from": yesterday},
        {"date_to": yesterday},
        {"date_from": yesterday, "date_to": yesterday},
        {"responded": "yes"},
        {"responded": "no"},
        {"progress": "change_made"},
        {"progress": "not_read"},
        {"order": "newest", "organisation": "RBK", "responded": "no"},
    ]


def test_every_story_filter_means_what_it_means_on_the_site(api: Client, world: World) -> None:
    everything = _ids(get(api, "/api/v1/stories", limit="100").json())
    for params in _story_filters(world):
        found = _ids(get(api, "/api/v1/stories", limit="100", **params).json())
        assert found == _site(params), params
        assert found, f"{params} finds nothing: the world should give each filter work"
        if params.get("order") != "newest" or len(params) > 1:
            assert found != everything or "q" in params, f"{params} narrows nothing"


def test_a_search_highlights_the_words_found(api: Client, world: World) -> None:
    body = get(api, "/api/v1/stories", q="night staff").json()
    assert all("<mark>" in story["headline"] for story in body["results"])
    assert "headline" not in get(api, "/api/v1/stories").json()["results"][0]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"organisation": "no-such-trust"}, "organisation"),
        ({"service": "nowhere"}, "service"),
        ({"tag": "no-such-tag"}, "tag"),
        ({"author_role": "alien"}, "author_role"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_from": "2026-02-02", "date_to": "2026-01-01"}, "date_to"),
        ({"date_to": "9999-12-31"}, "date_to"),
        ({"date_from": "0001-01-01"}, "date_from"),
        ({"responded": "maybe"}, "responded"),
        ({"progress": "done"}, "progress"),
        ({"order": "oldest"}, "order"),
        ({"q": "the and"}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": ""}, "q"),
    ],
)
def test_story_filter_errors(api: Client, world: World, params: dict, field: str) -> None:
    response = get(api, "/api/v1/stories", **params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_parameter"
    assert list(body["fields"]) == [field]
    assert body["fields"][field][0]


def test_organisation_filters_are_the_directory_search(api: Client, world: World) -> None:
    cases = [
        ({"q": "ashdown"}, {"query": "ashdown"}),
        ({"q": "RBK"}, {"query": "RBK"}),
        ({"q": "NF1"}, {"query": "NF1"}),
        ({"kind": "site"}, {"kind": "site"}),
        ({"q": "wing", "closed": "true"}, {"query": "wing", "include_closed": True}),
        ({"q": "wing", "closed": "false"}, {"query": "wing"}),
    ]
    for params, selector in cases:
        found = _ids(get(api, "/api/v1/organisations", limit="100", **params).json())
        assert found == [org.pk for org in organisation_search(**selector)], params
    bad = get(api, "/api/v1/organisations", closed="yes").json()
    assert bad["code"] == "invalid_parameter"
    assert list(bad["fields"]) == ["closed"]
    assert list(get(api, "/api/v1/organisations", kind="castle").json()["fields"]) == ["kind"]


def test_change_filters_are_the_register(api: Client, world: World) -> None:
    today = timezone.localdate()
    cases = [
        ({"organisation": "RAD"}, world.north, RegisterFilters()),
        ({"organisation": "RAD", "status": "planned"}, world.north, RegisterFilters("planned")),
        (
            {"organisation": world.south_outpatients.slug, "date_from": today.isoformat()},
            world.south_outpatients,
            RegisterFilters(date_from=today),
        ),
    ]
    for params, organisation, filters in cases:
        found = _ids(get(api, "/api/v1/changes", **params).json())
        assert found == [c.pk for c in register(organisation, filters, today)], params
    later = (today + dt.timedelta(days=1)).isoformat()
    assert get(api, "/api/v1/changes", date_from=later).json()["count"] == 0
    assert get(api, "/api/v1/changes", status="not_going_ahead").json()["count"] == 1
    # Overdue is for staff pages only.
    assert list(get(api, "/api/v1/changes", status="overdue").json()["fields"]) == ["status"]
    assert list(get(api, "/api/v1/changes", organisation="nope").json()["fields"]) == [
        "organisation"
    ]
