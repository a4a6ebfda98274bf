"""The Friends and Family Test question on a phone without JavaScript, and its insight
on a wide screen, in a real browser: axe-core finds nothing serious."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from apps.organisations.models import Organisation, OrganisationKind
from apps.stories.models import Story, StoryService
from apps.waysin.models import Campaign, StoryOrigin
from tests.browser.accessibility import assert_accessible
from tests.factories import OrganisationFactory, StoryFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("CAREVOICE_SHOTS", "")


@pytest.fixture
def trust() -> dict[str, Any]:
    trust = OrganisationFactory(
        name="Ashdown Vale Hospitals NHS Foundation Trust", ods_code="ZZA", fft_asked="before"
    )
    site = OrganisationFactory(
        parent=trust, name="Ashdown General Hospital", kind=OrganisationKind.SITE
    )
    ward = OrganisationFactory(parent=site, name="Ward 12 (Orthopaedics)", kind="service")
    clinic = OrganisationFactory(parent=site, name="Eye Clinic", kind="service")
    return {"trust": trust, "ward": ward, "clinic": clinic}


def test_the_question_on_a_phone_without_javascript(
    browser: Browser, live_server: Any, trust: dict[str, Any]
) -> None:
    ward = trust["ward"]
    page = browser.new_context(java_script_enabled=False, viewport=PHONE).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/tell/?service={ward.pk}")
    question = page.get_by_role("group", name="Overall, how was your experience")
    expect(question).to_contain_text("Ward 12 (Orthopaedics)")
    question.get_by_label("Good", exact=True).check()
    page.get_by_role("button", name="Send my story").click()
    # The form comes back with its errors, and the answer kept.
    expect(page.get_by_role("alert")).to_be_visible()
    expect(
        page.get_by_role("group", name="Overall, how was your experience").get_by_label(
            "Good", exact=True
        )
    ).to_be_checked()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/fft-tell-390.png", full_page=True)
    # axe-core and the width check run as scripts: the same page with JavaScript on.
    checked = browser.new_context(viewport=PHONE).new_page()
    checked.set_default_timeout(15_000)
    checked.goto(f"{live_server.url}/tell/?service={ward.pk}")
    expect(checked.get_by_role("group", name="Overall, how was your experience")).to_be_visible()
    width = checked.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the tell form scrolls sideways: {width}px"
    assert_accessible(checked)


def test_the_insight_sections_on_a_wide_screen(
    browser: Browser, live_server: Any, trust: dict[str, Any]
) -> None:
    ward, clinic = trust["ward"], trust["clinic"]
    now = timezone.now()
    answers = ["very_good", "good", "good", "neither", "poor", "very_poor", "dont_know"]
    campaign = Campaign.objects.create(node=trust["trust"], name="After clinic text", code="s1")
    for month in range(4):
        for index, answer in enumerate(answers * 2):
            service = ward if index % 3 else clinic
            channel = ("web", "kiosk", "campaign", "qr")[index % 4]
            story: Story = StoryFactory(
                services=[service],
                published_at=now - dt.timedelta(days=30 * month + 1),
                channel=channel,
            )
            StoryService.objects.filter(story=story).update(fft=answer)
            if channel == "campaign":
                StoryOrigin.objects.create(story=story, campaign=campaign)
    trust_node = Organisation.objects.get(pk=trust["trust"].pk)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/organisations/{trust_node.slug}/insight/")
    expect(page.get_by_role("heading", name="Friends and Family Test")).to_be_visible()
    expect(
        page.get_by_role("table", name="Friends and Family Test answers by month")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Stories by channel")).to_be_visible()
    assert_accessible(page)
    if SHOTS:
        page.locator("#fft").screenshot(path=f"{SHOTS}/fft-insight-1280.png")
        page.locator("#ways-in").screenshot(path=f"{SHOTS}/ways-in-insight-1280.png")


def test_ticking_services_found_by_search_asks_the_question_with_javascript(
    browser: Browser, live_server: Any, trust: dict[str, Any]
) -> None:
    """Services ticked from an htmx search bring their questions at once, and an answer
    already chosen stays when another service is ticked."""
    ward, clinic = trust["ward"], trust["clinic"]
    page = browser.new_context(viewport=PHONE).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/tell/")
    questions = page.get_by_role("group", name="Overall, how was your experience")
    expect(questions).to_have_count(0)
    page.get_by_label("Name or ODS code").fill("Ward 12")
    page.get_by_label("Ward 12 (Orthopaedics)").check()
    expect(questions).to_have_count(1)
    questions.first.get_by_label("Poor", exact=True).check()
    page.get_by_label("Name or ODS code").fill("Eye Clinic")
    page.get_by_label("Eye Clinic").check()
    expect(questions).to_have_count(2)
    about_ward = questions.filter(has_text="Ward 12 (Orthopaedics)")
    about_clinic = questions.filter(has_text="Eye Clinic")
    expect(about_ward.get_by_label("Poor", exact=True)).to_be_checked()
    about_clinic.get_by_label("Very good", exact=True).check()
    page.get_by_label("Ward 12 (Orthopaedics)").uncheck()
    expect(questions).to_have_count(1)
    expect(questions.first).to_contain_text("Eye Clinic")
    expect(questions.first.get_by_label("Very good", exact=True)).to_be_checked()
    page.get_by_label("Your story", exact=True).fill(
        "The clinic saw me on time and the nurse explained the drops clearly to me."
    )
    today = timezone.localdate()
    page.get_by_label("Month").select_option(str(today.month))
    page.get_by_label("Year").select_option(str(today.year))
    page.get_by_label("The patient").check()
    page.get_by_label("The name to show with your story").fill("Clinic patient")
    page.get_by_label("Your email address").fill("patient@home.example")
    page.get_by_label("I agree to the terms").check()
    page.get_by_label("I agree that a moderator may edit").check()
    page.get_by_role("button", name="Send my story").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    link = StoryService.objects.get()
    assert (link.organisation_id, link.fft) == (clinic.pk, "very_good")
    assert ward.pk != clinic.pk
