"""The safeguarding journey in a real browser, as the people in it would live it: a
relative tells a story with words that suggest risk now and is sent where to get help at
once; the story tops the moderation queue with a cue in words; the moderator marks it
serious; the trust's safeguarding contact gets the email, opens the case and records what
was done; the moderator then publishes an edited version and the author is told. axe-core
finds nothing serious on the way."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, expect

from apps.organisations.models import OrganisationKind
from apps.responders.models import RoleName
from apps.stories.models import (
    SafeguardingCase,
    SafeguardingContact,
    Story,
    StoryRevision,
    StoryStatus,
)
from tests.browser.accessibility import assert_accessible
from tests.factories import (
    OrganisationFactory,
    RoleFactory,
    StoryFactory,
    UserFactory,
    with_second_factor,
)
from tests.insights.test_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
DESKTOP = {"width": 1280, "height": 900}
MODERATOR = "moderator@carevoice.example"
CONTACT = "safeguarding@ashdown-vale.example"
AUTHOR = "sister@home.example"
TOLD = (
    "My brother was sent home from Ward 7 on Friday with no plan. Since then he has said "
    "he wants to end his life and he has been self-harming. Nobody has called him back."
)
EDITED = (
    "My brother was sent home from Ward 7 with no plan, and was very low afterwards. "
    "Nobody called him back until I rang the ward."
)


@pytest.fixture
def world() -> dict[str, Any]:
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Foundation Trust", ods_code="ZZS")
    site = OrganisationFactory(parent=trust, name="Ashdown General", kind=OrganisationKind.SITE)
    ward = OrganisationFactory(
        parent=site, name="Ward 7 (Respiratory)", kind=OrganisationKind.SERVICE, ods_code="ZZS07"
    )
    # An older, calm story waits already: the risky one must still come first.
    calm = StoryFactory(
        title="Kind nurses at night",
        services=[ward],
        status=StoryStatus.AWAITING_MODERATION,
        published_at=None,
        criticality=None,
    )
    StoryRevision.objects.create(story=calm, number=0, title=calm.title, body=calm.body)
    Story.objects.filter(pk=calm.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    moderator = UserFactory(email=MODERATOR, display_name="Tom Okafor")
    RoleFactory(user=moderator, role=RoleName.MODERATOR, organisation=None)
    with_second_factor(moderator)
    # The trust's safeguarding lead: named by its super-users, with a reader's account.
    lead = UserFactory(email=CONTACT, display_name="Priya Shah")
    RoleFactory(user=lead, role=RoleName.READER, organisation=trust)
    with_second_factor(lead)
    SafeguardingContact.objects.create(organisation=trust, name="Priya Shah", email=CONTACT)
    return {"trust": trust, "ward": ward}


def tell(page: Any, base: str) -> None:
    page.goto(base + "/tell/")
    page.get_by_label("Name or ODS code of the hospital, ward, team or GP practice").fill("ward 7")
    page.get_by_role("button", name="Find").click()
    page.get_by_label(re.compile(r"^Ward 7 \(Respiratory\)")).check()
    page.get_by_label("Your story", exact=True).fill(TOLD)
    today = timezone.localdate()
    page.get_by_label("Month").select_option(str(today.month))
    page.get_by_label("Year").select_option(str(today.year))
    page.get_by_label("a relative").check()
    page.get_by_label("The name to show with your story").fill("Worried sister")
    page.get_by_label("Your email address").fill(AUTHOR)
    page.get_by_label(re.compile("I agree to the terms")).check()
    page.get_by_label(re.compile("I agree that a moderator may edit")).check()
    page.get_by_role("button", name="Send my story").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your story")


def sent_to(address: str, subject: str) -> list[Any]:
    return [m for m in mail.outbox if m.to == [address] and subject in m.subject]


def test_a_risky_story_is_helped_at_once_told_to_the_trust_and_published_after(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    base = live_server.url
    # A relative tells the story; the help text reaches her at once, before any moderator.
    author = browser.new_context(viewport=DESKTOP).new_page()
    tell(author, base)
    helped = sent_to(AUTHOR, "Where to get help now")
    assert len(helped) == 1
    for words in ("999", "NHS 111", "Samaritans", "116 123"):
        assert words in helped[0].body

    # The moderator finds it at the top of the queue, with the cue in words.
    moderator = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(moderator, base, MODERATOR)
    moderator.goto(base + "/moderation/")
    first_row = moderator.locator("table.queue-table tbody tr").first
    expect(first_row).to_contain_text("Possible risk now")
    expect(first_row).to_contain_text("Worried sister's story")
    assert_accessible(moderator)
    first_row.get_by_role("link", name="Worried sister's story").click()
    expect(moderator.get_by_role("status").filter(has_text="Possible risk now")).to_be_visible()

    # Publishing before choosing a level is refused beside the level's field.
    moderator.get_by_label(re.compile(r"^1 · minimally critical")).check()
    moderator.get_by_role("button", name="Publish").click()
    expect(moderator.locator(".error-summary")).to_contain_text("choose a safeguarding level")
    assert_accessible(moderator)

    # The moderator marks it serious, with a note for the contacts.
    moderator.get_by_label(re.compile(r"^Note for moderators")).fill(
        "Brother may be at risk tonight; author's email given."
    )
    moderator.get_by_label(re.compile(r"Serious: someone may be at risk now")).check()
    moderator.get_by_role("button", name="Set the safeguarding level").click()
    expect(
        moderator.get_by_role("status").filter(has_text="Serious safeguarding case")
    ).to_be_visible()
    case = SafeguardingCase.objects.get()
    assert Story.objects.get(pk=case.story_id).status == StoryStatus.AWAITING_MODERATION

    # The trust's contact is emailed the story and the note, and follows the link.
    alert = sent_to(CONTACT, "Safeguarding")
    assert len(alert) == 1
    assert "end his life" in alert[0].body
    assert "Brother may be at risk tonight" in alert[0].body
    link = re.search(r"http\S+/staff/safeguarding/cases/\d+/", alert[0].body)
    assert link
    contact = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(contact, base, CONTACT)
    contact.goto(base + "/staff/" + link.group(0).split("/staff/", 1)[1])
    expect(contact.get_by_role("heading", level=1)).to_contain_text("Safeguarding case")
    expect(contact.locator(".story-body")).to_contain_text("end his life")
    assert_accessible(contact)
    contact.get_by_label("Record what was done").fill(
        "Called him and his GP; crisis team visited today. He is safe and has a plan."
    )
    contact.get_by_role("button", name="Save the record").click()
    expect(contact.get_by_role("region", name="What was done")).to_contain_text(
        "crisis team visited today"
    )

    # The moderator publishes an edited version; the author is told.
    moderator.goto(base + f"/moderation/stories/{case.story_id}/")
    moderator.get_by_label(re.compile(r"^Text")).fill(EDITED)
    moderator.get_by_label("Title").fill("Sent home with no plan")
    moderator.get_by_label(re.compile(r"^3 · moderately critical")).check()
    moderator.get_by_role("button", name="Publish").click()
    expect(moderator.get_by_role("heading", level=1)).to_have_text("Moderation")
    story = Story.objects.get(pk=case.story_id)
    assert (story.status, story.body) == (StoryStatus.PUBLISHED, EDITED)
    case.refresh_from_db()
    assert case.decision == "published"
    assert sent_to(AUTHOR, "Your story has been published")

    author.goto(base + "/stories/")
    author.get_by_role("link", name="Sent home with no plan").click()
    expect(author.locator(".story-body")).to_contain_text("very low afterwards")
    expect(author.locator("body")).not_to_contain_text("end his life")
