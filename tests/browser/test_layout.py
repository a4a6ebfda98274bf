"""Pages fit a phone and forms are easy to use: nothing scrolls sideways at 390 px, the story
search folds its filters away on a phone (results first) and shows them on a desktop, with
and without JavaScript, dates are typed as day, month and year, and checkboxes and radios
are large targets beside their labels."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from apps.accounts.models import User
from apps.organisations.models import Organisation, OrganisationKind
from apps.stories.models import StoryStatus
from tests.factories import OrganisationFactory, StoryFactory

from .accessibility import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LONG_WORDS = "Pneumonoultramicroscopicsilicovolcanoconiosis-and-otolaryngology-follow-up"


@pytest.fixture
def world(org: Organisation) -> dict[str, Any]:
    site = Organisation.objects.get(path__startswith=org.path, depth=2)
    ward = OrganisationFactory(
        parent=site,
        name="Ward 7 Respiratory and Acute Medicine Assessment Unit",
        kind=OrganisationKind.SERVICE,
        ods_code="RNF07",
    )
    now = timezone.now()
    told = {}
    for days, title in ((400, "Last year's visit"), (20, "A kind night nurse"), (2, "Quick")):
        told[title] = StoryFactory(
            title=title,
            body=f"The nurse on the night shift was kind. {LONG_WORDS} " + "We waited. " * 40,
            services=[ward],
            published_at=now - dt.timedelta(days=days),
        )
    for _ in range(3):
        StoryFactory(
            title=f"Waiting {LONG_WORDS}",
            services=[ward],
            status=StoryStatus.AWAITING_MODERATION,
            published_at=None,
            criticality=None,
        )
    return {"org": org, "ward": ward, "story": told["A kind night nurse"]}


def signed_in(browser: Browser, live_server: Any, user: User, **options: Any) -> BrowserContext:
    client = Client()
    client.force_login(user)
    context = browser.new_context(**options)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


WIDEST = """() => [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(-3)
    .map((e) => `${e.tagName}.${e.className} ${(e.textContent || "").trim().slice(0, 40)}`)"""


def assert_fits(page: Page, *, javascript: bool = True) -> None:
    """The page is no wider than the window. With JavaScript off page.evaluate never returns,
    so the width is read from a full-page screenshot (the PNG header), which is the
    document's scroll size."""
    window = (page.viewport_size or PHONE)["width"]
    if javascript:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= window, f"{page.url} scrolls sideways: {width} px, {page.evaluate(WIDEST)}"
    png = page.screenshot(full_page=True)
    width = int.from_bytes(png[16:20], "big")
    assert width <= window, f"{page.url} scrolls sideways: {width} px in {window}"


@pytest.mark.parametrize("javascript", [True, False])
def test_no_page_scrolls_sideways_on_a_phone(
    browser: Browser,
    live_server: Any,
    world: dict[str, Any],
    moderator: User,
    responder: User,
    javascript: bool,
) -> None:
    base, org, ward = live_server.url, world["org"], world["ward"]
    page = browser.new_context(viewport=PHONE, java_script_enabled=javascript).new_page()
    for path in (
        "/",
        "/stories/",
        "/stories/?q=nurse&date_from=2025-01-01",
        world["story"].get_absolute_url(),
        "/organisations/",
        org.get_absolute_url(),
        f"/organisations/{org.slug}/changes/",
        f"/tell/?service={ward.pk}",
    ):
        page.goto(base + path)
        assert_fits(page, javascript=javascript)
    # The tell form with its errors, then told in full, and its thank-you page.
    page.get_by_role("button", name="Send my story").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_fits(page, javascript=javascript)
    tell(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your story")
    assert_fits(page, javascript=javascript)

    for user, paths in ((responder, ["/staff/"]), (moderator, ["/moderation/"])):
        staff = signed_in(
            browser, live_server, user, viewport=PHONE, java_script_enabled=javascript
        ).new_page()
        for path in paths:
            staff.goto(base + path)
            expect(staff.get_by_role("heading", level=1)).to_be_visible()
            assert_fits(staff, javascript=javascript)
    queue = signed_in(browser, live_server, moderator, viewport=PHONE).new_page()
    queue.goto(base + "/moderation/")
    expect(queue.get_by_role("link", name=re.compile(r"^4 stories$"))).to_be_visible()
    queue.get_by_role("link", name=f"Waiting {LONG_WORDS}").first.click()
    expect(queue.get_by_role("heading", level=1)).to_contain_text("Moderate")
    assert_fits(queue)


def tell(page: Page) -> None:
    today = timezone.localdate()
    page.get_by_label("Your story", exact=True).fill(
        "The night staff sat with my dad when he was frightened and explained everything."
    )
    page.get_by_label("Month", exact=True).select_option(str(today.month))
    page.get_by_label("Year", exact=True).select_option(str(today.year))
    page.get_by_label("a relative").check()
    page.get_by_label("The name to show with your story").fill("Grateful daughter")
    page.get_by_label("Your email address").fill("daughter@home.example")
    page.get_by_label(re.compile("I agree to the terms")).check()
    page.get_by_label(re.compile("I agree that a moderator may edit")).check()
    page.get_by_role("button", name="Send my story").click()


@pytest.mark.parametrize("javascript", [True, False])
def test_search_filters_fold_on_a_phone_and_show_on_a_desktop(
    browser: Browser, live_server: Any, world: dict[str, Any], javascript: bool
) -> None:
    url = live_server.url + "/stories/?q=nurse&responded=no"
    phone = browser.new_context(viewport=PHONE, java_script_enabled=javascript).new_page()
    phone.goto(url)
    fold = phone.get_by_text("Filter stories", exact=True)
    expect(fold).to_be_visible()
    expect(phone.get_by_text("In use: No response yet")).to_be_visible()
    expect(phone.get_by_label("Organisation")).to_be_hidden()
    # The first result comes within the first screen.
    first = phone.locator("#results .result-title").first
    expect(first).to_be_visible()
    box = first.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= PHONE["height"]
    fold.click()
    expect(phone.get_by_label("Organisation")).to_be_visible()
    expect(phone.get_by_role("group", name="Published from")).to_be_visible()
    assert_fits(phone, javascript=javascript)

    desktop = browser.new_context(viewport=DESKTOP, java_script_enabled=javascript).new_page()
    desktop.goto(url)
    expect(desktop.get_by_label("Organisation")).to_be_visible()
    expect(desktop.get_by_label("Told by")).to_be_visible()
    expect(desktop.get_by_text("Filter stories", exact=True)).to_be_hidden()
    if javascript:  # axe runs in the page
        assert_accessible(desktop)


@pytest.mark.parametrize("javascript", [True, False])
def test_a_date_typed_as_day_month_year_filters_the_results(
    browser: Browser, live_server: Any, world: dict[str, Any], javascript: bool
) -> None:
    page = browser.new_context(viewport=DESKTOP, java_script_enabled=javascript).new_page()
    page.goto(live_server.url + "/stories/")
    results = page.locator("#results .result-title")
    expect(results).to_have_count(3)
    start = timezone.localdate() - dt.timedelta(days=30)
    since = page.get_by_role("group", name="Published from")
    expect(since).to_contain_text("For example, 27 3 2026")
    since.get_by_label("Day").fill(str(start.day))
    since.get_by_label("Month").fill(str(start.month))
    since.get_by_label("Year").focus()  # half a date typed: no search, no error yet
    page.wait_for_timeout(800)
    expect(since).not_to_contain_text("must include")
    expect(results).to_have_count(3)
    since.get_by_label("Year").fill(str(start.year))
    page.get_by_role("button", name="Apply filters").click()
    expect(results).to_have_text(["Quick", "A kind night nurse"])
    assert f"date_from_day={start.day}" in page.url  # the address holds the whole search
    # A date that does not exist is an error beside the date, in words.
    since.get_by_label("Day").fill("31")
    since.get_by_label("Month").fill("2")
    page.get_by_role("button", name="Apply filters").click()
    expect(since).to_contain_text("Published from must be a real date")
    expect(since.get_by_label("Day")).to_have_value("31")
    if javascript:
        assert_accessible(page)


def test_radios_and_checkboxes_are_large_targets_beside_their_labels(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    for viewport in (PHONE, DESKTOP):
        page = browser.new_context(viewport=viewport).new_page()
        page.goto(f"{live_server.url}/tell/?service={world['ward'].pk}")
        page.locator("summary", has_text="What was good?").click()
        controls = page.locator("main input[type=checkbox], main input[type=radio]")
        assert controls.count() > 10
        for i in range(controls.count()):
            control = controls.nth(i)
            if not control.is_visible():
                continue
            box = control.bounding_box()
            assert box is not None
            assert box["width"] >= 40, control.get_attribute("id")
            assert box["height"] >= 40, control.get_attribute("id")
        # The label beside the box: clicking its words ticks it, and wrapped lines stay
        # clear of the box.
        relative = page.get_by_label("a relative")
        page.get_by_text("a relative", exact=True).click()
        expect(relative).to_be_checked()
        terms = page.get_by_label(re.compile("I agree to the terms"))
        label = page.locator("label", has_text="I agree to the terms")
        box, words = terms.bounding_box(), label.bounding_box()
        assert box is not None
        assert words is not None
        assert words["x"] >= box["x"] + box["width"]
        terms.focus()  # by keyboard: Space ticks the focused box
        page.keyboard.press("Space")
        expect(terms).to_be_checked()
        assert_fits(page)
        assert_accessible(page)
