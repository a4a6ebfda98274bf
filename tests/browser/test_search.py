"""A reader searches the stories for a phrase, narrows them by organisation and "has a
response", and shares the address: it brings back the same stories, with and without
JavaScript."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from apps.organisations.models import Organisation
from apps.responses.models import Response, ResponseStatus
from tests.factories import OrganisationFactory, StoryFactory, UserFactory

from .accessibility import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHRASE = '"night shift"'
ANSWERED = "Calm voices on the night shift"


@pytest.fixture
def world() -> dict[str, Any]:
    ashdown = OrganisationFactory(name="Ashdown Vale Hospitals NHS Trust", ods_code="ZZA")
    site = OrganisationFactory(parent=ashdown, name="Ashdown General Hospital", kind="site")
    ward = OrganisationFactory(parent=site, name="Ward 4", kind="service")
    clinic = OrganisationFactory(parent=site, name="Fracture Clinic", kind="service")
    brook = OrganisationFactory(name="Brookfield Hospitals NHS Trust", ods_code="ZZB")
    brook_site = OrganisationFactory(parent=brook, name="Brookfield Infirmary", kind="site")
    brook_ward = OrganisationFactory(parent=brook_site, name="Ward 9", kind="service")
    staff = UserFactory(display_name="Grace Lin")
    now = timezone.now()

    def story(title: str, body: str, service: Organisation, days: int, answered: bool) -> None:
        told = StoryFactory(
            title=title, body=body, services=[service], published_at=now - dt.timedelta(days)
        )
        if answered:
            Response.objects.create(
                story=told,
                organisation=service,
                author=staff,
                author_name=staff.display_name,
                body="Thank you for telling us.",
                body_html="<p>Thank you for telling us.</p>",
                status=ResponseStatus.PUBLISHED,
                published_at=now,
            )

    story(ANSWERED, "The nurses on the night shift spoke quietly and kept me calm.", ward, 1, True)
    story("Nobody came", "On the night shift nobody answered the bell for an hour.", ward, 2, False)
    story(
        "Elsewhere", "At Brookfield the night shift team were kind to my dad.", brook_ward, 3, True
    )
    story("Shift of plans", "My night was long and my shift at work was missed.", clinic, 4, True)
    return {"ashdown": ashdown, "brook": brook}


def titles(page: Page) -> list[str]:
    return page.locator("#results .result-title").all_inner_texts()


def expect_titles(page: Page, wanted: list[str]) -> None:
    expect(page.locator("#results .result-title")).to_have_text(wanted)


def test_search_narrow_and_share_with_and_without_javascript(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    base = live_server.url
    ashdown = world["ashdown"]

    # With JavaScript: each change updates the results and the address.
    page = browser.new_context().new_page()
    page.goto(base + "/stories/")
    page.get_by_label("Words to search for").fill(PHRASE)
    expect(page).to_have_url(re.compile(r"[?&]q=%22night(\+|%20)shift%22"))
    expect_titles(page, [ANSWERED, "Nobody came", "Elsewhere"])
    expect(page.locator("#results")).to_contain_text(
        '3 stories match "night shift", most relevant first'
    )
    expect(page.locator("#results mark").first).to_have_text(re.compile("night", re.IGNORECASE))
    page.get_by_label("Organisation").select_option(label=ashdown.name)
    expect(page).to_have_url(re.compile(rf"[?&]organisation={ashdown.slug}(&|$)"))
    expect_titles(page, [ANSWERED, "Nobody came"])
    # The services follow the organisation chosen.
    expect(page.get_by_label("Service")).to_contain_text("Fracture Clinic")
    page.get_by_label("Response").select_option(label="Has a response")
    expect(page).to_have_url(re.compile(r"[?&]responded=yes(&|$)"))
    expect_titles(page, [ANSWERED])
    assert_accessible(page)
    shared = page.url

    # The address alone brings back the same stories and the same form.
    other = browser.new_context().new_page()
    other.goto(shared)
    expect_titles(other, [ANSWERED])
    expect(other.get_by_label("Words to search for")).to_have_value(PHRASE)
    expect(other.get_by_label("Organisation")).to_have_value(ashdown.slug)
    expect(other.get_by_label("Response")).to_have_value("yes")
    other.context.close()

    # Back goes to the search before "has a response".
    page.go_back()
    expect(page).not_to_have_url(re.compile("responded=yes"))
    expect_titles(page, [ANSWERED, "Nobody came"])
    page.context.close()

    # Without JavaScript the Search button does the same, and the address is the same state.
    plain = browser.new_context(java_script_enabled=False).new_page()
    plain.goto(base + "/stories/")
    plain.get_by_label("Words to search for").fill(PHRASE)
    plain.get_by_label("Organisation").select_option(label=ashdown.name)
    plain.get_by_label("Response").select_option(label="Has a response")
    with plain.expect_navigation():
        plain.get_by_role("button", name="Search").click()
    for part in ("q=%22night+shift%22", f"organisation={ashdown.slug}", "responded=yes"):
        assert part in plain.url, plain.url
    expect_titles(plain, [ANSWERED])
    again = plain.context.new_page()
    again.goto(plain.url)
    expect_titles(again, [ANSWERED])
    again.goto(shared)
    expect_titles(again, [ANSWERED])
    # A mistake is shown beside its field, without JavaScript too.
    for legend, day in (("Published from", "2"), ("Published to", "1")):
        date = again.get_by_role("group", name=legend)
        date.get_by_label("Day").fill(day)
        date.get_by_label("Month").fill("3")
        date.get_by_label("Year").fill("2025")
    with again.expect_navigation():
        again.get_by_role("button", name="Apply filters").click()
    expect(again.locator("#id_date_to_error")).to_contain_text("after the “from” date")
    expect(again.locator("#results")).to_contain_text("Correct the search above")
    plain.context.close()


def test_an_organisation_page_searches_its_own_stories(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    ashdown = world["ashdown"]
    page = browser.new_context().new_page()
    page.goto(live_server.url + ashdown.get_absolute_url())
    stories = page.locator("#stories")
    expect(stories.locator(".result-title")).to_have_count(3)
    stories.get_by_label("Words to search for").fill(PHRASE)
    expect(page).to_have_url(re.compile(r"[?&]q=%22night(\+|%20)shift%22"))
    expect(stories.locator(".result-title")).to_have_text([ANSWERED, "Nobody came"])
    stories.get_by_label("Response").select_option(label="No response yet")
    expect(stories.locator(".result-title")).to_have_text(["Nobody came"])
    assert_accessible(page)
    again = browser.new_context().new_page()
    again.goto(page.url)
    expect(again.locator("#stories .result-title")).to_have_text(["Nobody came"])


def test_searched_cards_on_a_phone_without_javascript_by_keyboard(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    """Each search marks its own words under the card's kept top (title, author, progress,
    services), on a phone without JavaScript, and the first result is reached and opened
    by keyboard."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/stories/?q=nurses")
    first = page.locator("#results .story-card").first
    expect(first.locator(".result-title")).to_have_text(ANSWERED)
    expect(first).to_contain_text("Ward 4, Ashdown General Hospital")
    expect(first.locator(".excerpt mark")).to_have_text(["nurses"])
    # The same card found by another word: its top kept, its own word marked.
    page.goto(live_server.url + "/stories/?q=calm")
    first = page.locator("#results .story-card").first
    expect(first.locator(".result-title")).to_have_text(ANSWERED)
    expect(first).to_contain_text("Ward 4, Ashdown General Hospital")
    expect(first.locator(".excerpt mark")).to_have_text(["calm"])
    if shots := os.environ.get("CAREVOICE_SHOTS"):
        page.screenshot(path=f"{shots}/search-cards-390-nojs.png", full_page=True)
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('result-title')"):
            break
    expect(page.locator("#results .result-title").first).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(ANSWERED)
    context.close()
