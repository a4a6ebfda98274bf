"""A kiosk on a tablet, used by touch as the people at a service would: a story told by
taps, the reset after a minute without a touch, a story kept while the network is down
and sent exactly once when it is back, and a switched-off kiosk that refuses."""

from __future__ import annotations

import os
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from apps.organisations.models import Organisation, OrganisationKind
from apps.responders.models import RoleName
from apps.stories.models import Story, StoryService
from apps.stories.taxonomy import Channel
from apps.waysin.models import Kiosk, StoryOrigin
from tests.browser.accessibility import assert_accessible
from tests.factories import OrganisationFactory, RoleFactory, UserFactory, with_second_factor
from tests.insights.test_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
TABLET = {"width": 820, "height": 1180}
SHOTS = os.environ.get("CAREVOICE_SHOTS", "")
FIRST = "The physio came every morning and made sure I could walk to the window by day three."
SECRET = "Private words the next person must never see on this tablet"
OFFLINE = "Told while the network was down: the night nurse found me a blanket and a drink."


@pytest.fixture
def hospital(db: None) -> dict[str, Any]:
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Trust", fft_asked="before")
    site = OrganisationFactory(
        parent=trust, name="Ashdown General Hospital", kind=OrganisationKind.SITE
    )
    wards = [
        OrganisationFactory(parent=site, name=name, kind=OrganisationKind.SERVICE)
        for name in ("Ward 12 Orthopaedics", "Day Surgery Unit")
    ]
    manager = UserFactory(email="sasha@ashdown-vale.example", display_name="Sasha Patel")
    RoleFactory(user=manager, role=RoleName.SUPER_USER, organisation=trust)
    with_second_factor(manager)
    return {"trust": trust, "site": site, "wards": wards, "manager": manager}


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"kiosk-{name}.png"), full_page=True)


def set_up_kiosk(browser: Browser, base: str, hospital: dict[str, Any]) -> str:
    """The super-user makes the kiosk in the staff area and copies its link."""
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, base, "sasha@ashdown-vale.example")
    page.goto(base + "/staff/ways-in/")
    page.get_by_label("Where the kiosk stands").fill("Main entrance")
    page.get_by_label("For which service or organisation").first.select_option(
        label="\u2003Ashdown General Hospital"
    )
    page.get_by_role("button", name="Set up the kiosk").click()
    link = page.get_by_label("The kiosk's link").input_value()
    context.close()
    assert link.startswith(settings.SITE_URL + "/kiosk/")
    return base + urlsplit(link).path


def wait_for(condition: Any, what: str, seconds: float = 10) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"waited {seconds}s for {what}")


def tile(page: Page, answer: str) -> Any:
    """The picture tile of exactly this answer ("Good", not "Very good")."""
    return page.locator("label.tile", has=page.get_by_role("radio", name=answer, exact=True))


def tap_through(page: Page, body: str, *, send: bool = True) -> None:
    """Tell a story by taps: only the words are typed."""
    page.locator("label.tile", has_text="Day Surgery Unit").tap()
    page.get_by_role("button", name="Next").tap()
    tile(page, "Good").tap()
    page.get_by_role("button", name="Next").tap()
    page.locator("label.tile", has_text="A carer").tap()
    page.get_by_role("button", name="Next").tap()
    page.get_by_label("What happened?").fill(body)
    page.get_by_role("button", name="Next").tap()
    page.locator("label.tile", has_text="Reassured").tap()
    page.get_by_role("button", name="Next").tap()
    page.locator("label.tile", has_text="I agree").tap()
    if send:
        page.get_by_role("button", name="Send my story").tap()


def test_a_story_told_by_taps_the_idle_reset_offline_and_a_switched_off_kiosk(
    browser: Browser, live_server: Any, hospital: dict[str, Any]
) -> None:
    link = set_up_kiosk(browser, live_server.url, hospital)
    tablet = browser.new_context(viewport=TABLET, has_touch=True, is_mobile=True)
    page = tablet.new_page()
    page.clock.install()
    page.goto(link)
    expect(page.get_by_role("heading", name="Which service is your story about?")).to_be_visible()
    assert_accessible(page)
    # A step at a time: only the first shows; Next refuses until a service is tapped.
    expect(page.get_by_role("heading", name="What happened?")).to_be_hidden()
    page.get_by_role("button", name="Next").tap()
    expect(page.get_by_text("Tap the service your story is about.")).to_be_visible()
    shot(page, "1-service")

    tap_through(page, FIRST)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert_accessible(page)
    shot(page, "2-thanks")
    wait_for(lambda: Story.objects.filter(channel=Channel.KIOSK).count() == 1, "the story")
    story = Story.objects.get()
    assert story.body == FIRST
    assert story.author_role == "carer"
    assert [st.tag.slug for st in story.story_tags.all()] == ["felt-reassured"]
    ward = hospital["wards"][1]
    assert StoryService.objects.get(story=story).organisation == ward
    assert StoryService.objects.get(story=story).fft == "good"
    assert StoryOrigin.objects.get(story=story).kiosk.name == "Main entrance"

    # The thank-you ends by itself and the next person starts clean.
    page.clock.fast_forward("00:16")
    expect(page.get_by_role("heading", name="Which service is your story about?")).to_be_visible()
    first_key = story.submission_key

    # Someone starts, then walks away: after a minute without a touch, nothing is left.
    page.locator("label.tile", has_text="Day Surgery Unit").tap()
    page.get_by_role("button", name="Next").tap()
    tile(page, "Poor").tap()
    page.get_by_role("button", name="Next").tap()
    page.locator("label.tile", has_text="A relative").tap()
    page.get_by_role("button", name="Next").tap()
    page.get_by_label("What happened?").fill(SECRET)
    page.clock.fast_forward("01:01")
    expect(page.get_by_text("Nothing was sent.")).to_be_visible()
    page.clock.fast_forward("00:16")
    expect(page.get_by_role("heading", name="Which service is your story about?")).to_be_visible()
    values = page.evaluate(
        "Array.from(document.querySelectorAll('#kiosk-form input, #kiosk-form textarea'))"
        ".filter(f => f.checked || (f.type !== 'radio' && f.type !== 'checkbox'"
        " && f.type !== 'hidden' && f.value)).map(f => f.name + '=' + f.value)"
    )
    assert values == [], values
    assert SECRET not in page.evaluate("document.body.innerText")
    assert page.evaluate("document.querySelector('[name=body]').value") == ""
    key = page.evaluate("document.querySelector('[name=submission_key]').value")
    assert key != str(first_key)
    assert Story.objects.count() == 1

    # The network drops: the story is kept on the tablet, and said so.
    tablet.set_offline(True)
    tap_through(page, OFFLINE)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("kept safe on this tablet")
    shot(page, "3-offline")
    time.sleep(1)
    assert Story.objects.count() == 1
    # Back online: exactly one story arrives, however often the tablet tries again.
    tablet.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for(lambda: Story.objects.filter(body=OFFLINE).exists(), "the kept story")
    expect(page.get_by_role("status")).to_have_text("")
    page.reload()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    time.sleep(1)
    assert Story.objects.filter(body=OFFLINE).count() == 1
    assert page.evaluate("localStorage.length") in (0, 1)
    assert page.evaluate("Object.values(localStorage).join('')").find(OFFLINE) == -1

    # Switched off: the next send is refused and the kiosk says so.
    Kiosk.objects.update(revoked_at=ward.created_at)
    page.clock.fast_forward("00:16")
    tap_through(page, FIRST + " Again.")
    expect(page.get_by_role("heading", name="This kiosk is switched off")).to_be_visible()
    assert Story.objects.count() == 2
    page.reload()
    expect(page.get_by_role("heading", name="This kiosk is switched off")).to_be_visible()
    shot(page, "4-switched-off")
    tablet.close()


def test_the_kiosk_without_javascript_is_one_page_and_a_thank_you(
    browser: Browser, live_server: Any, hospital: dict[str, Any]
) -> None:
    link = set_up_kiosk(browser, live_server.url, hospital)
    context = browser.new_context(viewport=TABLET, java_script_enabled=False)
    page = context.new_page()
    page.goto(link)
    # Every step shows at once.
    expect(page.get_by_role("heading", name="What happened?")).to_be_visible()
    page.get_by_role("button", name="Send my story").click()
    expect(page.get_by_text("Tap the service your story is about.").first).to_be_visible()
    page.locator("label.tile", has_text="Ward 12 Orthopaedics").click()
    page.locator("label.tile", has_text="The patient").click()
    page.get_by_label("What happened?").fill(FIRST)
    page.locator("label.tile", has_text="I agree").click()
    page.get_by_role("button", name="Send my story").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    # (axe runs on the same pages with JavaScript on, in the test above: with it off, axe
    # waits on this page's timed return to the start.)
    assert FIRST not in page.content()
    shot(page, "5-no-js-thanks")
    story = Story.objects.get()
    assert list(story.services.all()) == [Organisation.objects.get(name="Ward 12 Orthopaedics")]
    page.get_by_role("link", name="Start again").click()
    expect(page.get_by_label("What happened?")).to_have_value("")
    context.close()
