"""Telling a story about two services without JavaScript, keeping the private address,
and withdrawing only after being asked. (axe runs only where JavaScript is on: it is
JavaScript itself.)"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from apps.organisations.models import OrganisationKind
from apps.stories.models import Story, StoryStatus
from tests.factories import OrganisationFactory, StoryFactory, author_link

from .accessibility import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
TRUST = "Ashdown Vale Hospitals NHS Foundation Trust"
STORY = (
    "I was sent from the emergency department to the respiratory ward at night. "
    "Both teams explained what was happening and nobody made me feel a nuisance."
)
# Set SCREENSHOTS to a folder to keep pictures of these pages to look at.
SHOTS = os.environ.get("SCREENSHOTS", "")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def world() -> dict[str, Any]:
    trust = OrganisationFactory(name=TRUST, ods_code="ZZA")
    site = OrganisationFactory(
        parent=trust, name="Ashdown General Hospital", kind=OrganisationKind.SITE
    )
    ed = OrganisationFactory(
        parent=site, name="Emergency Department", kind=OrganisationKind.SERVICE
    )
    ward = OrganisationFactory(
        parent=site, name="Ward 7 (Respiratory)", kind=OrganisationKind.SERVICE
    )
    return {"ed": ed, "ward": ward}


def shoot(page: Page, name: str) -> None:
    """Screenshots to look at (not compared): the page at a phone's and a desktop's width."""
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for label, size in (("390", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def no_sideways_scroll(page: Page) -> None:
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(DESKTOP)
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at 390px"


def find(page: Page, words: str) -> None:
    page.get_by_label("Name or ODS code of the hospital, ward, team or GP practice").fill(words)
    with page.expect_navigation():
        page.get_by_role("button", name="Find").click()


def test_a_story_about_two_services_told_without_javascript_keeps_everything(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(live_server.url + "/tell/")
    find(page, "emergency")
    ed = page.get_by_label(f"Emergency Department, Ashdown General Hospital ({TRUST})")
    ed.check()
    page.get_by_label("Your story", exact=True).fill(STORY)
    page.get_by_label("The name to show with your story").fill("Night-time patient")

    # Searching again sends the whole form: nothing typed or ticked is lost.
    find(page, "ward 7")
    expect(page.get_by_role("heading", name="There is a problem")).to_have_count(0)
    expect(ed).to_be_checked()
    expect(page.get_by_label("Your story", exact=True)).to_have_value(STORY)
    expect(page.get_by_label("The name to show with your story")).to_have_value(
        "Night-time patient"
    )
    ward = page.get_by_label(f"Ward 7 (Respiratory), Ashdown General Hospital ({TRUST})")
    expect(ward).not_to_be_checked()
    ward.check()
    shoot(page, "tell-after-find")
    no_sideways_scroll(page)

    today = timezone.localdate()
    page.get_by_label("Month").select_option(str(today.month))
    page.get_by_label("Year").select_option(str(today.year))
    page.get_by_label("the patient").check()
    page.get_by_label("Your email address").fill("patient@home.example")
    page.get_by_label(re.compile("I agree to the terms")).check()
    page.get_by_label(re.compile("I agree that a moderator may edit")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send my story").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your story")
    story = Story.objects.get()
    assert set(story.services.all()) == {world["ed"], world["ward"]}
    assert story.body == STORY
    # The whole private address is on the page, with why to keep it.
    address = page.locator("#private-address")
    expect(address).to_have_text(re.compile(rf"^{re.escape(settings.SITE_URL)}/my-story/\S+/$"))
    expect(page.get_by_text("this address is your only way back to your story")).to_be_visible()
    href = page.get_by_role("link", name="Follow your story").get_attribute("href")
    assert href
    assert address.inner_text().endswith(href)
    # Without JavaScript there is no copy button to press (the address is selectable).
    expect(page.get_by_role("button", name="Copy the address")).to_have_count(0)
    shoot(page, "told")
    no_sideways_scroll(page)
    page.context.close()


def test_the_tell_form_with_javascript_is_accessible_and_finds_in_place(
    page: Page, live_server: Any, world: dict[str, Any]
) -> None:
    page.goto(live_server.url + "/tell/")
    assert_accessible(page)
    page.get_by_label("Your story", exact=True).fill(STORY)
    page.get_by_label("Name or ODS code of the hospital, ward, team or GP practice").fill("ward 7")
    page.get_by_role("button", name="Find").click()
    ward = page.get_by_label(re.compile(r"^Ward 7 \(Respiratory\), Ashdown General Hospital"))
    ward.check()
    page.get_by_label("Name or ODS code of the hospital, ward, team or GP practice").fill(
        "emergency"
    )
    page.get_by_label(re.compile(r"^Emergency Department, Ashdown")).check()
    expect(ward).to_be_checked()
    expect(page.get_by_label("Your story", exact=True)).to_have_value(STORY)
    assert_accessible(page)
    shoot(page, "tell-js")
    today = timezone.localdate()
    page.get_by_label("Month").select_option(str(today.month))
    page.get_by_label("Year").select_option(str(today.year))
    page.get_by_label("the patient").check()
    page.get_by_label("The name to show with your story").fill("Night-time patient")
    page.get_by_label("Your email address").fill("patient@home.example")
    page.get_by_label(re.compile("I agree to the terms")).check()
    page.get_by_label(re.compile("I agree that a moderator may edit")).check()
    page.get_by_role("button", name="Send my story").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your story")
    assert len(Story.objects.get().services.all()) == 2
    # With JavaScript (and a secure context: localhost) the address can be copied.
    expect(page.get_by_role("button", name="Copy the address")).to_be_visible()
    assert_accessible(page)


def test_withdrawing_asks_first_and_cancelling_changes_nothing(
    page: Page, live_server: Any, world: dict[str, Any]
) -> None:
    story = StoryFactory(
        services=[world["ward"]],
        title="Kind at night",
        status=StoryStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    link = live_server.url + f"/my-story/{author_link(story)}/"
    page.goto(link)
    page.get_by_role("link", name="Withdraw my story").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw your story?")
    expect(page.get_by_text("You cannot undo this.")).to_be_visible()
    assert_accessible(page)
    shoot(page, "withdraw-confirm")
    no_sideways_scroll(page)

    page.get_by_role("link", name="No, keep my story").click()
    expect(page.get_by_role("status")).to_contain_text("Status: Published.")
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED

    page.get_by_role("link", name="Withdraw my story").click()
    page.get_by_role("button", name="Yes, withdraw my story").click()
    expect(page.get_by_text("Your story is withdrawn and no longer public.")).to_be_visible()
    expect(page.get_by_text("You withdrew it; it is no longer public.")).to_be_visible()
    expect(page.get_by_role("link", name="Withdraw my story")).to_have_count(0)
    story.refresh_from_db()
    assert story.status == StoryStatus.WITHDRAWN


def test_a_tick_made_while_a_search_is_answered_is_kept(
    page: Page, live_server: Any, world: dict[str, Any]
) -> None:
    page.goto(live_server.url + "/tell/")
    search = page.get_by_label("Name or ODS code of the hospital, ward, team or GP practice")
    search.fill("ward 7")
    page.get_by_role("button", name="Find").click()
    ward = page.get_by_label(re.compile(r"^Ward 7 \(Respiratory\), Ashdown"))
    expect(ward).not_to_be_checked()
    # The next search is held on its way back while the person ticks Ward 7.
    held: list[Any] = []
    page.route(re.compile(r".*/tell/\?.*q=emergency.*"), lambda route: held.append(route))
    search.fill("emergency")
    page.get_by_role("button", name="Find").click()
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the search was not sent"
    page.wait_for_timeout(600)  # typing sends one too, after 300 ms: let it go out
    ward.check()
    for route in held:
        with contextlib.suppress(PlaywrightError):  # htmx dropped the older one
            route.continue_()
    emergency = page.get_by_label(re.compile(r"^Emergency Department, Ashdown"))
    expect(emergency).to_be_visible()
    expect(emergency).not_to_be_checked()
    expect(ward).to_be_checked()
