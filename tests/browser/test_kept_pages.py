"""A reader in a real browser on pages kept in the shared cache (apps/core/pagecache.py):
the kept story page counts the read through its beacon, and its forms, which carry no
CSRF token, work from the site itself, with JavaScript and without, while a form posted
from another site is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from apps.organisations.models import Organisation
from apps.stories import reads
from apps.stories.models import Story
from tests.factories import StoryFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
# Headless Chromium says so in its User-Agent, and robots are not counted: a person's.
PERSON = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0"


@pytest.fixture
def story(org: Organisation) -> Story:
    service = Organisation.objects.get(path__startswith=org.path, depth=3)
    return StoryFactory(services=[service], title="Kind nurses on the ward")


def _kept(page: Page, url: str) -> str:
    answer = page.goto(url)
    assert answer is not None
    assert answer.status == 200
    return str(answer.headers.get("x-page-cache", ""))


def test_a_kept_story_page_counts_its_reader_and_takes_a_vote(
    browser: Browser, live_server: Any, story: Story
) -> None:
    url = live_server.url + story.get_absolute_url()
    cache.set(reads.DUE, 1, 3600)  # reads wait in the queue, to be counted below
    first = browser.new_context(user_agent=PERSON).new_page()
    with first.expect_response(lambda r: "/read/" in r.url) as beacon:
        assert _kept(first, url) == "miss"
    assert beacon.value.status == 200
    # Another browser (a browser's own second visit is a 304 from the kept page's ETag,
    # which shows the first answer's headers).
    page = browser.new_context(user_agent=PERSON).new_page()
    with page.expect_response(lambda r: "/read/" in r.url):
        assert _kept(page, url) == "hit"
    assert reads.reads_flush() == 1  # one person (one address), twice: one read
    story.refresh_from_db()
    assert story.read_count == 1
    # "I've experienced this" through htmx, from the kept page, with no token.
    page.get_by_role("button", name="I've experienced this").click()
    expect(page.locator("#me-too")).to_contain_text("1 person has said so")
    story.refresh_from_db()
    assert story.me_too_count == 1
    # The language switch on the same kept page.
    with page.expect_navigation():
        page.get_by_role("button", name="Cymraeg").click()
    assert page.url == url.replace(live_server.url, live_server.url + "/cy")


def test_without_javascript_the_kept_forms_still_work(
    browser: Browser, live_server: Any, story: Story
) -> None:
    context = browser.new_context(java_script_enabled=False, user_agent=PERSON)
    page = context.new_page()
    url = live_server.url + story.get_absolute_url()
    Client(HTTP_USER_AGENT="Mozilla/5.0").get(url)  # another reader had the page kept
    assert _kept(page, url) == "hit"
    with page.expect_navigation():
        page.get_by_role("button", name="I've experienced this").click()
    expect(page.get_by_text("is counted")).to_be_visible()
    story.refresh_from_db()
    assert story.me_too_count == 1
    context.close()


def test_a_form_posted_from_another_site_is_refused(
    browser: Browser, live_server: Any, story: Story
) -> None:
    """A page that is not the site's (a blank page's opaque origin stands for another
    site) posting to the vote is refused by the origin check, and nothing is counted."""
    action = live_server.url + f"/stories/{story.pk}/me-too/"
    page = browser.new_context(user_agent=PERSON).new_page()
    page.set_content(
        f'<form method="post" action="{action}"><button>Vote</button></form>',
    )
    with page.expect_navigation() as answer:
        page.get_by_role("button", name="Vote").click()
    assert answer.value is not None
    assert answer.value.status == 403
    story.refresh_from_db()
    assert story.me_too_count == 0
