"""The shared cache on a real Redis server (apps/core/cache.py): kept pages and values
work through it, and each connection pool keeps one client for the process."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client

from apps.core import pagecache
from apps.core.cache import RedisCache
from apps.organisations.models import Organisation
from tests.factories import StoryFactory
from tests.integration.conftest import PrivateRedis

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(broker: PrivateRedis, settings: Any) -> Any:
    settings.CACHES = {
        "default": {"BACKEND": "apps.core.cache.RedisCache", "LOCATION": broker.url_for(3)}
    }
    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    yield cache
    cache.clear()


def test_a_kept_page_is_served_from_redis_by_one_client_per_pool(
    redis_cache: Any, org: Organisation
) -> None:
    service = Organisation.objects.filter(path__startswith=org.path, depth=3).first()
    story = StoryFactory(services=[service])
    reader = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0")
    first = reader.get(story.get_absolute_url())
    second = reader.get(story.get_absolute_url())
    assert (first[pagecache.STATUS_HEADER], second[pagecache.STATUS_HEADER]) == ("miss", "hit")
    assert second.content == first.content
    client = redis_cache._cache.get_client(write=True)
    assert redis_cache._cache.get_client(write=True) is client
    assert redis_cache._cache.get_client() is client  # one server: reads use the same pool
    assert client.ping()


def test_a_kept_value_ends_with_a_change_through_redis(redis_cache: Any) -> None:
    worked: list[int] = []

    def count() -> int:
        worked.append(1)
        return len(worked)

    assert [pagecache.kept("n", ["org:a"], count) for _ in range(2)] == [1, 1]
    pagecache.touch("org:a")
    assert pagecache.kept("n", ["org:a"], count) == 2
