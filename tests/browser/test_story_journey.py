"""Tell a story without an account; a moderator removes a phone number and publishes it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from apps.organisations.models import OrganisationKind
from apps.responders.models import RoleName
from tests.factories import (
    TEST_PASSWORD,
    OrganisationFactory,
    RoleFactory,
    UserFactory,
    totp_code,
    with_second_factor,
)

from .accessibility import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PHONE = "07700 900123"


@pytest.fixture
def world() -> dict[str, Any]:
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Foundation Trust", ods_code="ZZA")
    site = OrganisationFactory(
        parent=trust, name="Ashdown General Hospital", kind=OrganisationKind.SITE
    )
    ward = OrganisationFactory(
        parent=site, name="Ward 7 (Respiratory)", kind=OrganisationKind.SERVICE, ods_code="ZZA07"
    )
    moderator = UserFactory(email="moderator@carevoice.example", display_name="Tom Okafor")
    RoleFactory(user=moderator, role=RoleName.MODERATOR, organisation=None)
    with_second_factor(moderator)
    return {"ward": ward, "moderator": moderator}


def test_tell_moderate_publish_and_follow(
    page: Page, browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    story_text = (
        "My father spent five nights on the respiratory ward. The nurses checked on him "
        f"every hour and one even rang me on {PHONE} to say he had eaten. Thank you all."
    )
    # A patient's relative tells the story, with no account.
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tell your story").click()
    assert_accessible(page)
    page.get_by_label("Name or ODS code of the hospital, ward, team or GP practice").fill("ward 7")
    page.get_by_role("button", name="Find").click()
    page.get_by_label(re.compile(r"^Ward 7 \(Respiratory\)")).check()
    page.get_by_label("Your story", exact=True).fill(story_text)
    expect(page.locator("#body-counter")).to_contain_text("characters left")
    today = timezone.localdate()
    page.get_by_label("Month").select_option(str(today.month))
    page.get_by_label("Year").select_option(str(today.year))
    page.get_by_label("a relative").check()
    page.get_by_label("The name to show with your story").fill("Grateful daughter")
    page.get_by_label("Your email address").fill("daughter@home.example")
    page.get_by_label(re.compile("I agree to the terms")).check()
    page.get_by_label(re.compile("I agree that a moderator may edit")).check()
    page.get_by_role("button", name="Send my story").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your story")
    assert_accessible(page)
    author_link = page.get_by_role("link", name="Follow your story").get_attribute("href")
    assert author_link
    assert author_link.startswith("/my-story/")
    assert mail.outbox
    assert mail.outbox[0].to == ["daughter@home.example"]

    # A moderator signs in, sees the phone number marked, removes it and publishes.
    moderator = browser.new_context().new_page()
    moderator.goto(live_server.url + "/accounts/login/")
    moderator.get_by_label("Email").fill("moderator@carevoice.example")
    moderator.get_by_label("Password").fill(TEST_PASSWORD)
    moderator.get_by_role("button", name="Sign in").click()
    moderator.get_by_label("Code").fill(totp_code())
    moderator.get_by_role("button", name="Sign in").click()
    expect(moderator.get_by_role("link", name="Sign out")).to_be_visible()
    moderator.goto(live_server.url + "/moderation/")
    assert_accessible(moderator)
    moderator.get_by_role("link", name="Grateful daughter's story").click()
    expect(moderator.get_by_text(f"Phone number: “{PHONE}”")).to_be_visible()
    expect(moderator.locator("mark.pii-phone")).to_contain_text(PHONE)
    assert_accessible(moderator)
    text = moderator.get_by_label(re.compile(r"^Text"))
    text.fill(story_text.replace(f" and one even rang me on {PHONE} to say he had eaten", ""))
    moderator.get_by_label("Title").fill("Checked on every hour")
    moderator.get_by_label(re.compile(r"^0 · not critical")).check()
    moderator.get_by_role("button", name="Publish").click()
    expect(moderator.get_by_role("heading", level=1)).to_have_text("Moderation")
    expect(moderator.get_by_text("Nothing is waiting.")).to_be_visible()

    # The public page shows the story without the phone number.
    page.goto(live_server.url + "/stories/")
    page.get_by_role("link", name="Checked on every hour").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Checked on every hour")
    expect(page.locator(".story-body")).to_contain_text("checked on him every hour")
    expect(page.locator("body")).not_to_contain_text(PHONE)
    assert_accessible(page)

    # The author's private link shows it published.
    page.goto(live_server.url + author_link)
    expect(page.get_by_role("status")).to_contain_text("Status: Published.")
    assert_accessible(page)
