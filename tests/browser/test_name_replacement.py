"""A moderator replaces a doctor's name with a role in one action, keyboard only and
without JavaScript, keeping an edit not yet saved, and publishes: the public page has
no name."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from apps.organisations.models import OrganisationKind
from apps.responders.models import RoleName
from apps.stories.models import StoryRevision, StoryStatus
from tests.factories import (
    OrganisationFactory,
    RoleFactory,
    StoryFactory,
    UserFactory,
    with_second_factor,
)
from tests.insights.test_browser import sign_in

from .accessibility import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
BODY = "Dr Patel listened to my mum and explained the scan. Dr Patel rang us the next day too."
SHOTS = os.environ.get("CAREVOICE_SHOTS", "")


@pytest.fixture
def world() -> dict[str, Any]:
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Foundation Trust", ods_code="ZZA")
    site = OrganisationFactory(
        parent=trust, name="Ashdown General Hospital", kind=OrganisationKind.SITE
    )
    ward = OrganisationFactory(
        parent=site, name="Ward 7 (Respiratory)", kind=OrganisationKind.SERVICE
    )
    story = StoryFactory(
        services=[ward],
        title="Listened to us",
        body=BODY,
        pseudonym="Grateful son",
        status=StoryStatus.AWAITING_MODERATION,
        published_at=None,
        criticality=None,
    )
    StoryRevision.objects.create(story=story, number=0, title=story.title, body=story.body)
    moderator = UserFactory(email="moderator@carevoice.example", display_name="Mo Moderator")
    RoleFactory(user=moderator, role=RoleName.MODERATOR, organisation=None)
    with_second_factor(moderator)
    return {"story": story}


def test_a_moderator_replaces_a_name_with_a_role_in_one_action(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    page = browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 900}
    ).new_page()
    sign_in(page, live_server.url, "moderator@carevoice.example")
    page.goto(f"{live_server.url}/moderation/stories/{world['story'].pk}/")
    item = page.locator("ul.marks li").filter(has_text="“Dr Patel” (2 times)")
    expect(item).to_contain_text("why: after the title “Dr”")
    expect(page.locator("mark.pii-person_name").first).to_have_attribute(
        "title", re.compile("after the title “Dr”")
    )
    # An edit not saved yet, which the replacement must keep.
    page.get_by_label("Note for moderators and staff (never public)").fill("Named a doctor")
    # Keyboard only: from the role chosen for the mark to its button.
    role = item.get_by_label("Replace with")
    expect(role).to_have_value("the doctor")
    role.focus()
    page.keyboard.press("Tab")  # "or another role"
    page.keyboard.press("Tab")
    expect(item.get_by_role("button", name="Replace “Dr Patel”")).to_be_focused()
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "names-before.png"), full_page=True)
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Replaced “Dr Patel” with “the doctor” (2)")
    text = page.get_by_label(re.compile(r"^Text"))
    expect(text).to_have_value(
        "The doctor listened to my mum and explained the scan. The doctor rang us the next day too."
    )
    expect(page.get_by_label("Note for moderators and staff (never public)")).to_have_value(
        "Named a doctor"
    )
    expect(page.locator("ul.marks")).to_have_count(0)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "names-after.png"), full_page=True)

    page.get_by_label(re.compile(r"^0 · not critical")).check()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderation")
    page.goto(live_server.url + world["story"].get_absolute_url())
    expect(page.locator(".story-body")).to_contain_text("The doctor listened to my mum")
    expect(page.locator("body")).not_to_contain_text("Patel")


def test_the_marks_and_their_controls_pass_axe(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server.url, "moderator@carevoice.example")
    page.goto(f"{live_server.url}/moderation/stories/{world['story'].pk}/")
    expect(page.get_by_role("button", name="Replace “Dr Patel”")).to_be_visible()
    assert_accessible(page)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "names-wide.png"), full_page=True)
