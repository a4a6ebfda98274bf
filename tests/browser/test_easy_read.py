"""The easy-read way to tell a story on a phone, as a person would use it: from the home
page with JavaScript (axe on every page), from the tell form without JavaScript (with
mistakes, Back and Change), and at a kiosk. Every page is checked for what a patient
needs: big text, big buttons the width of the phone, no sideways scrolling.

Set EASY_SHOTS to a folder to keep a picture of every page to look at."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from apps.organisations.models import OrganisationKind
from apps.stories.models import Story
from apps.waysin.models import Kiosk, StoryOrigin
from apps.waysin.selectors import token_digest
from tests.factories import OrganisationFactory

from .accessibility import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
SHOTS = os.environ.get("EASY_SHOTS", "")
TRUST = "Ashdown Vale Hospitals NHS Trust"
WARD = f"Ward 7 (Respiratory), Ashdown General Hospital ({TRUST})"
STORY = "The nurses did not tell me when I could go home. I waited all day by the door."
KIOSK_TOKEN = "kiosk-token-for-the-easy-read-browser-test"


@pytest.fixture
def world() -> dict[str, Any]:
    trust = OrganisationFactory(name=TRUST, ods_code="ZZE")
    site = OrganisationFactory(
        parent=trust, name="Ashdown General Hospital", kind=OrganisationKind.SITE
    )
    ward = OrganisationFactory(
        parent=site, name="Ward 7 (Respiratory)", kind=OrganisationKind.SERVICE
    )
    OrganisationFactory(parent=site, name="Emergency Department", kind=OrganisationKind.SERVICE)
    return {"ward": ward}


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def easy_to_use(page: Page, name: str, *, axe: bool = True) -> None:
    """What a patient needs on every page: large text, buttons and answers at least 48 px
    tall, buttons the full width of a phone, nothing wider than the screen. And axe."""
    page.wait_for_load_state("load")  # measured with the page's styles, not before them
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} scrolls"
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.easy')).fontSize)")
    assert size >= 20, f"{name}: text is {size}px"
    for box in page.locator(".easy-button, .easy-choice, .easy-back").all():
        if not box.is_visible():
            continue
        bounds = box.bounding_box()
        assert bounds, name
        assert bounds["height"] >= 48, f"{name}: {box.inner_text()!r} is {bounds['height']}px tall"
        if width <= PHONE["width"] and "easy-button" in (box.get_attribute("class") or ""):
            room = box.evaluate("b => b.parentElement.clientWidth")
            assert bounds["width"] >= room - 1, f"{name}: {box.inner_text()!r} is narrow"
    if axe:
        assert_accessible(page)
    shot(page, name)


def question(page: Page, words: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(words)


def next_page(page: Page) -> None:
    page.get_by_role("button", name="Next").click()


def test_easy_read_with_javascript_from_the_home_page(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Easy read: tell your story with pictures").click()
    question(page, "Tell us about your care")
    easy_to_use(page, "js-01-start")
    page.get_by_role("button", name="Start").click()

    question(page, "Where did you have care?")
    expect(page.get_by_text("Question 1 of 8")).to_be_visible()
    easy_to_use(page, "js-02-where")
    page.get_by_label("Name of the place").fill("ward 7")
    page.get_by_role("button", name="Find").click()
    # The one place found is chosen, for the person to see and confirm.
    expect(page.get_by_label(WARD)).to_be_checked()
    easy_to_use(page, "js-03-where-found")
    next_page(page)

    question(page, "When did it happen?")
    easy_to_use(page, "js-04-when")
    page.get_by_label("Last month").check()
    next_page(page)
    question(page, "Who had the care?")
    easy_to_use(page, "js-05-who")
    page.get_by_label("Someone I look after").check()
    next_page(page)
    question(page, "Was the care good or bad?")
    easy_to_use(page, "js-06-tone")
    page.get_by_label("Bad", exact=True).check()
    next_page(page)

    question(page, "What happened?")
    expect(page.get_by_text("Tell us what went wrong.")).to_be_visible()
    next_page(page)
    expect(page.get_by_role("alert")).to_contain_text("Please write what happened.")
    easy_to_use(page, "js-07-what-error")
    page.get_by_role("textbox", name="What happened?").fill(STORY)
    next_page(page)

    question(page, "How did you feel?")
    easy_to_use(page, "js-08-feelings")
    page.get_by_label("Worried", exact=True).check()
    page.get_by_label("Ignored").check()
    next_page(page)
    question(page, "What is your email address?")
    easy_to_use(page, "js-09-email")
    page.get_by_label("Your email address").fill("carer@home.example")
    next_page(page)
    question(page, "Do you agree?")
    easy_to_use(page, "js-10-agree")
    page.get_by_label("I agree").check()
    next_page(page)

    question(page, "Check your answers")
    easy_to_use(page, "js-11-check")
    page.get_by_role("button", name="Change who had the care").click()
    question(page, "Who had the care?")
    expect(page.get_by_label("Someone I look after")).to_be_checked()
    page.get_by_label("Me", exact=True).check()
    next_page(page)
    question(page, "Check your answers")
    page.get_by_role("button", name="Send my story").click()

    question(page, "Thank you for your story")
    easy_to_use(page, "js-12-thanks")
    story = Story.objects.get()
    assert (story.channel, story.author_role, story.body) == ("web", "patient", STORY)
    assert list(story.services.all()) == [world["ward"]]
    assert sorted(t.tag.slug for t in story.story_tags.all()) == ["felt-anxious", "felt-ignored"]
    page.get_by_role("link", name="See your story").click()
    expect(page.get_by_text(STORY)).to_be_visible()
    context.close()


def test_easy_read_without_javascript_from_the_tell_form(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/tell/?service={world['ward'].slug}")
    page.get_by_role("link", name="Easy read: one short question a page, with pictures").click()
    question(page, "Tell us about your care")
    expect(page.get_by_text("You are telling us about:")).to_contain_text("Ward 7 (Respiratory)")
    # (axe is JavaScript itself: it runs on these pages in the test with JavaScript on.)
    easy_to_use(page, "nojs-01-start", axe=False)
    page.get_by_role("button", name="Start").click()

    question(page, "Where did you have care?")
    expect(page.get_by_label(WARD)).to_be_checked()
    next_page(page)
    question(page, "When did it happen?")
    page.get_by_label("This month").check()
    next_page(page)
    question(page, "Who had the care?")
    page.get_by_label("Someone in my family").check()
    next_page(page)
    question(page, "Was the care good or bad?")
    page.get_by_label("Some good, some bad").check()
    next_page(page)

    question(page, "What happened?")
    expect(page.get_by_text("Tell us what was good. And tell us what went wrong.")).to_be_visible()
    page.get_by_role("textbox", name="What happened?").fill("Too short.")
    next_page(page)
    expect(page.get_by_role("alert")).to_contain_text("Please write a bit more.")
    expect(page.get_by_role("textbox", name="What happened?")).to_have_value("Too short.")
    easy_to_use(page, "nojs-02-what-error", axe=False)
    page.get_by_role("textbox", name="What happened?").fill(STORY)
    next_page(page)

    question(page, "How did you feel?")
    next_page(page)  # none: that is an answer too
    question(page, "What is your email address?")
    page.get_by_label("Your email address").fill("family at home")
    next_page(page)
    expect(page.get_by_role("alert")).to_contain_text("This is not an email address.")
    easy_to_use(page, "nojs-03-email-error", axe=False)
    page.get_by_label("Your email address").fill("family@home.example")
    next_page(page)
    question(page, "Do you agree?")
    next_page(page)
    expect(page.get_by_role("alert")).to_contain_text("You need to agree")
    page.get_by_label("I agree").check()
    next_page(page)

    question(page, "Check your answers")
    easy_to_use(page, "nojs-04-check", axe=False)
    # Back keeps every answer; so does coming forward again.
    page.get_by_role("button", name="Back").click()
    question(page, "Do you agree?")
    expect(page.get_by_label("I agree")).to_be_checked()
    next_page(page)
    page.get_by_role("button", name="Change what happened").click()
    expect(page.get_by_role("textbox", name="What happened?")).to_have_value(STORY)
    page.get_by_role("textbox", name="What happened?").fill(STORY + " Then a porter helped me.")
    next_page(page)
    question(page, "Check your answers")
    expect(page.get_by_text("Then a porter helped me.")).to_be_visible()
    page.get_by_role("button", name="Send my story").click()

    question(page, "Thank you for your story")
    expect(page.locator("#private-address")).to_contain_text("/my-story/")
    easy_to_use(page, "nojs-05-thanks", axe=False)
    story = Story.objects.get()
    assert (story.channel, story.author_role, story.pseudonym) == ("web", "relative", "A relative")
    assert story.body == STORY + " Then a porter helped me."
    assert story.author_email == "family@home.example"
    context.close()


def test_easy_read_at_a_kiosk_returns_to_the_kiosk(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    kiosk = Kiosk.objects.create(
        node=world["ward"], name="Day room", token_hash=token_digest(KIOSK_TOKEN)
    )
    start = f"{live_server.url}/kiosk/{KIOSK_TOKEN}/"
    tablet = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = tablet.new_page()
    page.goto(start)
    shot(page, "kiosk-00-kiosk")
    page.get_by_role("link", name="Easy read").tap()
    question(page, "Tell us about your care")
    expect(page.get_by_text("We will ask you 5 short questions.")).to_be_visible()
    easy_to_use(page, "kiosk-01-start")
    page.get_by_role("button", name="Start").tap()
    question(page, "Who had the care?")
    page.get_by_label("A friend").tap()
    next_page(page)
    page.get_by_label("Good", exact=True).tap()
    next_page(page)
    expect(page.get_by_text("Tell us what was good.")).to_be_visible()
    page.get_by_role("textbox", name="What happened?").fill("My friend was made welcome here.")
    next_page(page)
    question(page, "How did you feel?")
    page.get_by_label("Thankful").tap()
    next_page(page)
    question(page, "Do you agree?")
    easy_to_use(page, "kiosk-02-agree")
    page.get_by_label("I agree").tap()
    next_page(page)
    question(page, "Check your answers")
    expect(page.get_by_text("Your email")).to_have_count(0)
    easy_to_use(page, "kiosk-03-check")
    page.get_by_role("button", name="Send my story").tap()
    question(page, "Thank you for your story")
    easy_to_use(page, "kiosk-04-thanks")
    story = Story.objects.get()
    assert (story.channel, story.author_role, story.author_email) == ("kiosk", "friend", "")
    assert StoryOrigin.objects.get(story=story).kiosk == kiosk
    page.get_by_role("link", name="Finish").tap()
    expect(page).to_have_url(re.compile(rf"/kiosk/{KIOSK_TOKEN}/$"))
    tablet.close()
