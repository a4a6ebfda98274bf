"""Keys on the API: a key that does not work is a 401 JSON error, never anonymous access or
a redirect; rate limits per address and per key; paging and its errors."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from apps.api import keys
from apps.api.models import ApiKey
from tests.querybudget import count_queries

from .conftest import World, get

pytestmark = pytest.mark.django_db


def _refused(response: Any, message: str = "") -> None:
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == 'Key realm="api"'
    body = response.json()
    assert body["code"] == "invalid_key"
    assert message in body["message"]


@pytest.mark.parametrize(
    "header",
    [
        "Key not-a-key",
        "Key ",
        "",
        "Bearer cvk_00000000_" + "A" * 43,
        "Basic dXNlcjpwYXNz",
        # Well formed, but no such key.
        "Key cvk_00000000_" + "A" * 43,
    ],
)
def test_a_key_that_does_not_work_is_a_401(api: Client, world: World, header: str) -> None:
    for path in ("/api/v1/stories", f"/api/v1/stories/{world.north_story.pk}", "/api/v1/changes"):
        _refused(api.get(path, headers={"Authorization": header}))


def test_a_revoked_key_is_a_401(api: Client, world: World) -> None:
    ApiKey.objects.filter(organisation=world.north).update(revoked_at=timezone.now())
    _refused(get(api, "/api/v1/stories", world.north_key), "revoked")


def test_a_working_key_is_known_by_its_hash_only(world: World) -> None:
    row = ApiKey.objects.get(organisation=world.north)
    assert row.key_hash == keys.digest(world.north_key)
    assert world.north_key.startswith(row.prefix)
    for value in ApiKey.objects.values_list(flat=False).get(pk=row.pk):
        assert world.north_key not in str(value)


def test_last_used_is_written_at_most_once_a_minute(api: Client, world: World) -> None:
    row = ApiKey.objects.get(organisation=world.north)
    assert row.last_used_at is None
    first = count_queries(lambda: get(api, "/api/v1/organisations/RAD", world.north_key))
    row.refresh_from_db()
    assert row.last_used_at is not None
    again = count_queries(lambda: get(api, "/api/v1/organisations/RAD", world.north_key))
    assert again == first - 1  # no write the second time
    later = timezone.now() + dt.timedelta(minutes=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        get(api, "/api/v1/organisations/RAD", world.north_key)
    row.refresh_from_db()
    assert row.last_used_at == later


def test_no_session_and_no_csrf_on_the_api(client_as: Any, world: World) -> None:
    staff = client_as("platform_admin")
    response = staff.post("/api/v1/stories")
    assert response.status_code == 405  # not a CSRF 403: nothing here reads a cookie
    assert response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "GET, HEAD"
    answer = staff.get("/api/v1/stories")
    assert "Set-Cookie" not in answer.headers
    assert not answer.cookies


def test_anonymous_callers_are_limited_per_address(
    api: Client, world: World, settings: Any
) -> None:
    settings.API_RATE_ANONYMOUS = "3/min"
    for _ in range(3):
        assert get(api, "/api/v1/changes").status_code == 200
    limited = get(api, "/api/v1/changes")
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited["Cache-Control"] == "no-store"
    # Another address has its own count; a key has its own, higher, limit.
    assert api.get("/api/v1/changes", REMOTE_ADDR="10.0.0.9").status_code == 200
    assert get(api, "/api/v1/changes", world.north_key).status_code == 200


def test_key_holders_are_limited_per_key(api: Client, world: World, settings: Any) -> None:
    settings.API_RATE_PER_KEY = "2/min"
    settings.API_RATE_ANONYMOUS = "100/min"
    for address in ("10.0.0.1", "10.0.0.2"):
        response = api.get(
            "/api/v1/changes",
            REMOTE_ADDR=address,
            headers={"Authorization": f"Key {world.north_key}"},
        )
        assert response.status_code == 200
    # The same key from a third address is over its limit; another key is not.
    over = get(api, "/api/v1/changes", world.north_key)
    assert over.status_code == 429
    assert over.json()["code"] == "rate_limited"
    assert get(api, "/api/v1/changes", world.south_key).status_code == 200


def test_paging_with_limit_and_offset(api: Client, world: World, settings: Any) -> None:
    every = [s["id"] for s in get(api, "/api/v1/stories").json()["results"]]
    page = get(api, "/api/v1/stories", limit="2", offset="2").json()
    assert [s["id"] for s in page["results"]] == every[2:4]
    assert page["count"] == len(every)
    assert page["next"].endswith("/api/v1/stories?limit=2&offset=4")
    assert page["previous"].endswith("/api/v1/stories?limit=2")
    last = get(api, "/api/v1/stories", limit="2", offset=str(len(every) - 1)).json()
    assert last["next"] is None
    furthest = str(settings.STORY_SEARCH_LIMIT - 1)  # a story query reaches this far
    assert get(api, "/api/v1/stories", offset=furthest).json()["results"] == []
    too_far = get(api, "/api/v1/stories", offset=str(settings.STORY_SEARCH_LIMIT)).json()
    assert list(too_far["fields"]) == ["offset"]
    assert len(get(api, "/api/v1/organisations", limit="100").json()["results"]) == 7


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "101"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": ""}, "limit"),
        ({"offset": "-5"}, "offset"),
        ({"offset": "1.5"}, "offset"),
    ],
)
def test_paging_errors(api: Client, world: World, params: dict[str, str], field: str) -> None:
    response = get(api, "/api/v1/stories", **params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_parameter"
    assert list(body["fields"]) == [field]


def test_other_lists_page_further(api: Client, world: World) -> None:
    assert get(api, "/api/v1/changes", offset="10000").status_code == 200
    assert get(api, "/api/v1/changes", offset="10001").status_code == 400


def test_a_search_reaches_its_first_matches_and_says_there_are_more(
    api: Client, world: World, settings: Any
) -> None:
    settings.STORY_SEARCH_LIMIT = 3
    first = get(api, "/api/v1/stories", limit="2").json()
    assert first["count"] == 3
    assert first["capped"] is True
    rest = get(api, "/api/v1/stories", limit="2", offset="2").json()
    assert len(rest["results"]) == 1
    assert rest["next"] is None
    assert get(api, "/api/v1/stories", tag="food-and-drink").json()["capped"] is False


def test_unknown_addresses_are_json_404s(api: Client, world: World) -> None:
    for path in ("/api/v1/nothing", "/api/v1/stories/", "/api/v1/stories/-1", "/api/v1/x/y/z"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    assert "without a slash" in api.get("/api/v1/stories/").json()["message"]
    root = api.get("/api/v1/").json()
    assert root["openapi"].endswith("/api/v1/openapi.json")


def test_an_idle_staff_session_never_redirects_the_api(client_as: Any, world: World) -> None:
    staff = client_as("platform_admin")
    session = staff.session
    session["last_seen"] = 0  # idle for decades: a staff page would sign them out
    session.save()
    response = staff.get("/api/v1/stories")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_behind_a_proxy_the_address_it_saw_counts(api: Client, world: World, settings: Any) -> None:
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    settings.API_RATE_ANONYMOUS = "2/min"
    for claimed in ("1.1.1.1", "2.2.2.2"):
        assert (
            api.get("/api/v1/changes", HTTP_X_FORWARDED_FOR=f"{claimed}, 203.0.113.7").status_code
            == 200
        )
    # A client inventing a new first address each time is still the same caller.
    third = api.get("/api/v1/changes", HTTP_X_FORWARDED_FOR="3.3.3.3, 203.0.113.7")
    assert third.status_code == 429
    assert api.get("/api/v1/changes", HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200


def test_head_and_accept(api: Client, world: World) -> None:
    assert api.head("/api/v1/stories").status_code == 200
    assert api.get("/api/v1/stories", headers={"Accept": "text/html,*/*;q=0.8"}).status_code == 200
    refused = api.get("/api/v1/stories", headers={"Accept": "text/csv"})
    assert refused.status_code == 406
    assert refused.json()["code"] == "not_acceptable"
