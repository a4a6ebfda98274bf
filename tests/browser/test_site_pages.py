"""The home page and the site's own pages, as a patient on a phone and a platform admin on a
desktop find them."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils.text import slugify
from playwright.sync_api import Browser, Page, expect

from apps.organisations.models import OrganisationKind
from apps.responders.models import RoleName
from apps.stories.models import StoryTag, Tag
from tests.factories import (
    OrganisationFactory,
    RoleFactory,
    StoryFactory,
    UserFactory,
    with_second_factor,
)

from .accessibility import assert_accessible
from .test_staff_journey import sign_in_with_code

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PAGES = (
    "Terms of use",
    "Privacy notice",
    "How we moderate stories",
    "Accessibility statement",
    "Contact us",
)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Screenshots for people to look at, when asked for (SHOTS_DIR=/tmp/shots-pages).
SHOTS = os.environ.get("SHOTS_DIR", "")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def site() -> None:
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Foundation Trust", ods_code="ZZA")
    hospital = OrganisationFactory(
        parent=trust, name="Ashdown General Hospital", kind=OrganisationKind.SITE
    )
    ward = OrganisationFactory(
        parent=hospital, name="Ward 12 (Orthopaedics)", kind=OrganisationKind.SERVICE
    )
    story = StoryFactory(
        title="Kind nurses after my hip operation",
        body="The nurses on Ward 12 explained every step and checked on my pain through the "
        "night. The food was cold twice, but the care was excellent.",
        services=[ward],
    )
    # The tags are seeded by a migration; made here if a test before this one flushed them.
    for label, group, polarity in (
        ("pain management", "aspect", "good"),
        ("food and drink", "aspect", "improve"),
        ("reassured", "feeling", "positive"),
        ("cared for", "feeling", "positive"),
    ):
        slug = slugify(label) if group == "aspect" else f"felt-{slugify(label)}"
        tag, _ = Tag.objects.get_or_create(
            slug=slug,
            defaults={
                "label": label,
                "group": group,
                "polarity": polarity if group == "feeling" else "",
            },
        )
        StoryTag.objects.create(story=story, tag=tag, polarity=polarity)
    admin = UserFactory(email="pat@carevoice.example", display_name="Pat Admin")
    RoleFactory(user=admin, role=RoleName.PLATFORM_ADMIN, organisation=None)
    with_second_factor(admin)


def footer(page: Page) -> Any:
    return page.get_by_role("navigation", name="About this site")


def test_a_patient_on_a_phone_finds_the_home_page_and_every_footer_page(
    browser: Browser, live_server: Any, site: None
) -> None:
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell the story of your care")
    recent = page.get_by_role("region", name="Recent stories")
    expect(recent.get_by_role("link", name="Kind nurses after my hip operation")).to_be_visible()
    expect(recent).to_contain_text("Not answered yet")
    expect(page.get_by_role("region", name="Find a service")).to_contain_text(
        "lists 3 places where care is given or organised"
    )
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    shot(page, "home-390")

    for name in PAGES:
        footer(page).get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert_accessible(page)
    shot(page, "contact-390")
    footer(page).get_by_role("link", name="Privacy notice").click()
    expect(page.get_by_role("heading", level=2, name="Our lawful basis")).to_be_visible()
    shot(page, "privacy-390")

    # The story reads as people would say it: what was good, what could be better, how it felt.
    page.goto(live_server.url + "/")
    recent.get_by_role("link", name="Kind nurses after my hip operation").click()
    expect(page.get_by_role("heading", level=3, name="What was good")).to_be_visible()
    expect(page.get_by_role("heading", level=3, name="How it felt")).to_be_visible()
    expect(page.get_by_role("list", name="Progress")).to_contain_text("Published")
    expect(page.get_by_role("main")).not_to_contain_text("Read by 0")
    assert_accessible(page)
    shot(page, "story-390")

    # From the home page's main action, the tell form links to the terms.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Tell your story").first.click()
    page.get_by_role("main").get_by_role("link", name="the terms of use").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Terms of use")
    page.context.close()


def test_the_footer_is_reached_by_keyboard(page: Page, live_server: Any, site: None) -> None:
    page.goto(live_server.url + "/about/terms/")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Contact us":
            break
    else:
        pytest.fail("Tab never reached the footer's Contact us link")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/about/contact/$"))


def test_a_platform_admin_edits_the_contact_page(
    browser: Browser, live_server: Any, site: None
) -> None:
    base = live_server.url
    admin = browser.new_context(viewport=DESKTOP).new_page()
    sign_in_with_code(admin, base, "pat@carevoice.example")
    admin.goto(base + "/staff/")
    admin.get_by_role("link", name="Public pages").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Public pages")
    assert_accessible(admin)
    shot(admin, "staff-pages-1280")
    admin.get_by_role("link", name="Edit Contact us").click()
    text = admin.get_by_label("Text of the page")
    expect(text).to_have_value(re.compile("Write to the people who run CareVoice"))
    assert_accessible(admin)

    text.fill("")
    admin.get_by_role("button", name="Save and publish").click()
    expect(admin.get_by_role("alert")).to_contain_text("Write the page's text.")
    assert_accessible(admin)
    shot(admin, "edit-error-1280")

    text.fill(
        "## Write to us\n\nCall the Ashdown Vale patient experience team on **01234 567890**."
    )
    admin.get_by_role("button", name="Save and publish").click()
    expect(admin.get_by_role("status")).to_contain_text("Saved")
    expect(admin.get_by_role("row", name=re.compile("Contact us"))).to_contain_text(
        "Your own, last saved"
    )

    reader = browser.new_context(viewport=DESKTOP).new_page()
    reader.goto(base + "/")
    shot(reader, "home-1280")
    footer(reader).get_by_role("link", name="Contact us").click()
    expect(reader.get_by_role("heading", level=2, name="Write to us")).to_be_visible()
    expect(reader.get_by_role("main")).to_contain_text("01234 567890")
    expect(reader.get_by_role("main")).to_contain_text("Last updated")
    assert_accessible(reader)
    shot(reader, "contact-edited-1280")
    reader.context.close()
    admin.context.close()
