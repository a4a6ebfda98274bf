"""The shared cache of public pages (apps/core/pagecache.py): who is served from it, what
ends a kept page (exactly the pages that show a change), HTTP caching, and the forms on
kept pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.core import pagecache
from apps.organisations.models import Organisation
from apps.responses.services.responding import response_create, response_publish
from apps.stories.models import Story, StoryStatus, Tag
from apps.stories.reports import story_hide
from apps.stories.services import story_set_tags
from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"


def reader() -> Client:
    return Client(HTTP_USER_AGENT=BROWSER)


def service_of(org: Organisation) -> Organisation:
    return Organisation.objects.get(path__startswith=org.path, depth=3)


def site_of(org: Organisation) -> Organisation:
    return Organisation.objects.get(path__startswith=org.path, depth=2)


def state(url: str, client: Client | None = None) -> str:
    """Whether the page came from the cache: "hit", "miss", or "" (not a kept page)."""
    answer = (client or reader()).get(url)
    assert answer.status_code == 200, url
    return str(answer.get(pagecache.STATUS_HEADER, ""))


@pytest.fixture
def pages(org: Organisation, other_org: Organisation) -> dict[str, str]:
    """A story in each trust, and every kind of kept page, each asked for once."""
    mine = StoryFactory(
        services=[service_of(org)],
        title="Kind nurses on the ward",
        body="The nurses on the ward were kind to my mother.",
    )
    theirs = StoryFactory(
        services=[service_of(other_org)],
        title="Long wait in the clinic",
        body="We waited four hours in the clinic before anyone came.",
    )
    urls = {
        "story": mine.get_absolute_url(),
        "other story": theirs.get_absolute_url(),
        "trust": org.get_absolute_url(),
        "site": site_of(org).get_absolute_url(),
        "service": service_of(org).get_absolute_url(),
        "other trust": other_org.get_absolute_url(),
        "list": reverse("stories:list"),
        "search": reverse("stories:list") + "?q=nurses",
        "home": reverse("home"),
    }
    for url in urls.values():
        assert state(url) == "miss"
        assert state(url) == "hit"
    return urls


def ended(pages: dict[str, str]) -> set[str]:
    """The pages that are no longer kept (asking for each keeps it again)."""
    return {name for name, url in pages.items() if state(url) == "miss"}


def test_a_kept_page_costs_no_query(pages: dict[str, str]) -> None:
    for url in pages.values():
        with CaptureQueriesContext(connection) as done:
            assert state(url) == "hit"
        assert done.captured_queries == [], url


def test_a_kept_page_is_the_page_and_carries_no_one_s_token(pages: dict[str, str]) -> None:
    fresh = reader().get(pages["story"])
    kept = reader().get(pages["story"])
    assert kept.content == fresh.content
    assert "Kind nurses on the ward" in kept.content.decode()
    for answer in (fresh, kept):
        assert not answer.cookies
        assert "csrfmiddlewaretoken" not in answer.content.decode()
        assert "X-CSRFToken" not in answer.content.decode()


def test_a_response_ends_its_story_the_lists_and_the_pages_above_it_only(
    pages: dict[str, str], org: Organisation, responder: User, moderator: User
) -> None:
    story = Story.objects.get(title="Kind nurses on the ward")
    response = response_create(author=responder, story=story, organisation=org, body="Thanks!")
    assert response.status == "awaiting_moderation"  # a new responder's first is checked
    assert ended(pages) == {"story"}  # nothing public changed but the story's own page
    response_publish(moderator=moderator, response=response)
    assert ended(pages) == {"story", "trust", "site", "service", "list", "search", "home"}
    assert "Thanks!" in reader().get(pages["story"]).content.decode()


def test_new_tags_end_the_story_the_lists_and_its_organisations(
    pages: dict[str, str], org: Organisation
) -> None:
    story = Story.objects.get(title="Kind nurses on the ward")
    tag = Tag.objects.filter(group="aspect").first()
    assert tag is not None
    story_set_tags(story=story, good=[tag], improve=[], feelings=[])
    assert ended(pages) == {"story", "trust", "site", "service", "list", "search", "home"}
    assert tag.label.lower() in reader().get(pages["story"]).content.decode().lower()


def test_a_story_hidden_ends_its_page_which_then_gives_the_reason(
    pages: dict[str, str], moderator: User
) -> None:
    story = Story.objects.get(title="Kind nurses on the ward")
    story_hide(story_id=story.pk, moderator=moderator, reason="identifies_someone")
    assert {"story", "trust", "list", "home"} <= ended(pages)
    assert "other story" not in ended(pages)
    html = reader().get(pages["story"]).content.decode()
    assert "Kind nurses on the ward" not in html
    assert "Kind nurses on the ward" not in reader().get(pages["list"]).content.decode()


def test_i_have_experienced_this_ends_only_its_story(pages: dict[str, str]) -> None:
    story = Story.objects.get(title="Kind nurses on the ward")
    answer = reader().post(reverse("stories:me_too", kwargs={"pk": story.pk}))
    assert answer.status_code == 302
    assert ended(pages) == {"story"}
    assert "1 person has said so" in reader().get(pages["story"]).content.decode()


def test_a_renamed_organisation_ends_every_page(pages: dict[str, str], org: Organisation) -> None:
    service = service_of(org)
    service.name = "Northfield Eye Clinic"
    service.save()
    assert ended(pages) == set(pages)
    assert "Northfield Eye Clinic" in reader().get(pages["story"]).content.decode()


def test_signed_in_people_are_never_served_from_the_cache(
    pages: dict[str, str], moderator: User, responder: User
) -> None:
    for person in (moderator, responder):
        client = Client()
        client.force_login(person)
        for url in pages.values():
            answer = client.get(url)
            assert pagecache.STATUS_HEADER not in answer
            assert answer["Cache-Control"] == "private, no-store"
    # What a moderator was shown (an edit link on responses, the staff menu) was never
    # kept: readers still get the page made for everyone.
    assert ended(pages) == set()


def test_a_session_or_a_waiting_message_gets_a_page_of_its_own(pages: dict[str, str]) -> None:
    story = Story.objects.get(title="Kind nurses on the ward")
    thanked = reader()
    answer = thanked.post(reverse("stories:me_too", kwargs={"pk": story.pk}), follow=True)
    assert "is counted" in answer.content.decode()
    assert pagecache.STATUS_HEADER not in answer
    with_session = reader()
    with_session.cookies["sessionid"] = "anything"
    assert state(pages["trust"], with_session) == ""


def test_welsh_and_english_pages_are_kept_apart(pages: dict[str, str]) -> None:
    welsh = "/cy" + pages["story"]
    assert state(welsh) == "miss"
    html = reader().get(welsh).content.decode()
    assert 'lang="cy"' in html
    assert state(pages["story"]) == "hit"


def test_search_results_are_kept_per_address(pages: dict[str, str]) -> None:
    other = reverse("stories:list") + "?q=clinic"
    assert state(other) == "miss"
    assert "Long wait in the clinic" in reader().get(other).content.decode()
    assert "Long wait in the clinic" not in reader().get(pages["search"]).content.decode()


def test_kept_pages_tell_shared_caches_and_answer_304(
    pages: dict[str, str], org: Organisation
) -> None:
    answer = reader().get(pages["trust"])
    control = answer["Cache-Control"]
    assert "public" in control
    assert "s-maxage=60" in control
    assert "max-age=0" in control
    etag = answer["ETag"]
    again = reader().get(pages["trust"], headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again.content == b""
    # A change gives the page a new tag, so the old one no longer matches.
    service = service_of(org)
    service.name = "Northfield Eye Clinic"
    service.save()
    assert reader().get(pages["trust"], headers={"If-None-Match": etag}).status_code == 200


def test_feeds_send_s_maxage_and_answer_304(org: Organisation) -> None:
    StoryFactory(services=[service_of(org)])
    url = reverse("feeds:organisation", kwargs={"slug": org.slug})
    answer = reader().get(url)
    assert answer.status_code == 200
    assert "s-maxage" in answer["Cache-Control"]
    again = reader().get(url, headers={"If-None-Match": answer["ETag"]})
    assert again.status_code == 304


def test_the_page_cache_can_be_turned_off(pages: dict[str, str], settings: Any) -> None:
    settings.PAGE_CACHE_SECONDS = 0
    assert state(pages["story"]) == ""


# --- the forms on kept pages ---------------------------------------------------------
def strict_reader() -> Client:
    """A browser as it is: Django's CSRF check is not waived."""
    return Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER)


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://testserver"},
        {"Referer": "http://testserver/stories/"},
    ],
)
def test_forms_on_kept_pages_work_from_the_site_without_a_token(
    pages: dict[str, str], headers: dict[str, str]
) -> None:
    story = Story.objects.get(title="Kind nurses on the ward")
    html = strict_reader().get(pages["story"]).content.decode()
    action = re.search(r'<form method="post" action="([^"]+)" id="me-too"', html)
    assert action is not None
    answer = strict_reader().post(action.group(1), headers=headers)
    assert answer.status_code == 302
    story.refresh_from_db()
    assert story.me_too_count == 1
    switch = strict_reader().post(
        reverse("set_language"), {"language": "cy", "next": pages["story"]}, headers=headers
    )
    assert switch.status_code == 302
    assert switch["Location"] == "/cy" + pages["story"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://elsewhere.example"},
        {"Origin": "null"},
        {"Referer": "https://elsewhere.example/page"},
        {},
    ],
)
def test_forms_on_kept_pages_refuse_other_sites(
    pages: dict[str, str], headers: dict[str, str]
) -> None:
    story = Story.objects.get(title="Kind nurses on the ward")
    answer = strict_reader().post(
        reverse("stories:me_too", kwargs={"pk": story.pk}), headers=headers
    )
    assert answer.status_code == 403
    story.refresh_from_db()
    assert story.me_too_count == 0
    switch = strict_reader().post(
        reverse("set_language"), {"language": "cy", "next": "/"}, headers=headers
    )
    assert switch.status_code == 403
    assert "django_language" not in switch.cookies


def test_forms_that_act_for_a_person_keep_django_s_token(org: Organisation) -> None:
    """Telling a story is not on a kept page, and still needs the token."""
    answer = strict_reader().post(
        reverse("stories:tell"), {"title": "x"}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert answer.status_code == 403


def test_a_kept_value_is_worked_out_once_per_version_of_what_it_counts() -> None:
    worked: list[int] = []

    def count() -> int:
        worked.append(1)
        return len(worked)

    def kept() -> int:
        return pagecache.kept("n", [pagecache.organisation("north")], count)

    assert (kept(), kept()) == (1, 1)
    pagecache.touch(pagecache.organisation("south"))  # something else changed
    assert kept() == 1
    pagecache.touch(pagecache.organisation("north"))
    assert (kept(), kept()) == (2, 2)
    pagecache.touch(pagecache.SITE)  # a node renamed or moved: everything counts again
    assert kept() == 3
    other = pagecache.kept("another", [pagecache.organisation("north")], lambda: 99)
    assert other == 99  # each name is kept apart
    assert kept() == 3


def test_kept_values_can_be_turned_off_and_survive_the_cache_going_down(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    worked: list[int] = []

    def count() -> int:
        worked.append(1)
        return len(worked)

    settings.KEPT_VALUE_SECONDS = 0
    assert [pagecache.kept("n", ["org:a"], count) for _ in range(2)] == [1, 2]
    settings.KEPT_VALUE_SECONDS = 60

    def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(pagecache.cache, "get_many", down)  # the edge: the cache server
    assert [pagecache.kept("n", ["org:a"], count) for _ in range(2)] == [3, 4]


def test_an_organisation_s_story_count_is_kept_until_a_story_beneath_it_changes(
    org: Organisation, other_org: Organisation, settings: Any
) -> None:
    """Signed in or not (the page cache off here), the count is read once; publishing a
    story beneath the trust counts again, one elsewhere does not."""
    settings.PAGE_CACHE_SECONDS = 0
    url = org.get_absolute_url()
    StoryFactory(services=[service_of(org)])

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert reader().get(url).status_code == 200
        return sum("COUNT(DISTINCT" in q["sql"] for q in queries.captured_queries)

    assert count_queries() == 1
    assert count_queries() == 0

    def publish(organisation: Organisation) -> None:
        """Told, then published (as a moderator's decision saves it)."""
        story = StoryFactory(
            services=[service_of(organisation)],
            status=StoryStatus.AWAITING_MODERATION,
            published_at=None,
        )
        story.status, story.published_at = StoryStatus.PUBLISHED, timezone.now()
        story.save()

    publish(other_org)
    assert count_queries() == 0
    publish(org)
    assert count_queries() == 1
    assert "2 stories" in reader().get(url).content.decode()
