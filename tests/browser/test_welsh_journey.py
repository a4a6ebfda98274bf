"""A Welsh speaker's journey: switch to Welsh, tell a story, get the private link by
email in Welsh, and read the staff response on a Welsh page; the choice survives
navigation and a return visit, and every address is under /cy/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from apps.organisations.models import Organisation, OrganisationKind
from apps.responders.models import RoleName
from apps.responses.services import response_create
from apps.stories import moderation
from apps.stories.models import Story
from apps.stories.moderation import StoryEdits
from tests.factories import OrganisationFactory, RoleFactory, UserFactory, with_second_factor

from .accessibility import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
STORY = (
    "Roedd y nyrsys ar y ward yn garedig iawn. Fe wnaethon nhw esbonio popeth yn Gymraeg "
    "ac roedd fy mam yn teimlo'n ddiogel."
)
ANSWER = "Diolch am eich stori. Byddaf yn rhannu eich geiriau caredig gyda thîm y ward."


def welsh(english: str) -> str:
    """The catalogue's Welsh for an English string; it must differ from the English."""
    with translation.override("cy"):
        words = gettext(english)
    assert words != english, f"no Welsh for {english!r} in locale/cy"
    return words


@pytest.fixture
def ward() -> Any:
    health_board = OrganisationFactory(name="Bwrdd Iechyd Prifysgol Bae Ceredigion")
    site = OrganisationFactory(parent=health_board, name="Ysbyty Glan y Môr", kind="site")
    return OrganisationFactory(parent=site, name="Ward Dewi", kind=OrganisationKind.SERVICE)


def test_a_story_told_and_answered_in_welsh(
    page: Page, live_server: Any, ward: Any, moderator: Any
) -> None:
    base = live_server.url
    page.goto(base + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    with page.expect_navigation():
        page.get_by_role("button", name="Cymraeg").click()
    assert page.url == base + "/cy/"
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator('link[rel=alternate][hreflang="en-GB"]')).to_have_attribute(
        "href", base + "/"
    )

    # The choice survives navigation: every link of a Welsh page is a Welsh address.
    page.get_by_role("navigation", name=welsh("Main")).get_by_role(
        "link", name=welsh("Tell your story")
    ).click()
    assert page.url == base + "/cy/tell/"
    assert_accessible(page)
    page.fill("#find-q", "Dewi")
    option = f"input[name=services][value='{ward.pk}']"
    page.locator(option).check()
    page.fill("textarea[name=body]", STORY)
    today = timezone.localdate()
    page.select_option("select[name=month]", str(today.month))
    page.select_option("select[name=year]", str(today.year))
    page.check("input[name=author_role][value=relative]")
    page.fill("input[name=pseudonym]", "Merch ddiolchgar")
    page.fill("input[name=email]", "merch@cartref.example")
    page.check("input[name=consent_terms]")
    page.check("input[name=consent_edits]")
    with page.expect_navigation():
        page.get_by_role("button", name=welsh("Send my story")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(welsh("Thank you for your story"))
    assert page.url.startswith(base + "/cy/")

    # The private link comes by email, in Welsh, to a Welsh page.
    story = Story.objects.get()
    sent = [m for m in mail.outbox if "merch@cartref.example" in m.to]
    assert sent, "no email to the author"
    link_email = sent[-1]
    assert re.search(r"/cy/my-story/\S+/", link_email.body), link_email.body
    assert "/my-story/" not in link_email.body.replace("/cy/my-story/", "")
    private = re.search(r"https?://\S+/cy/my-story/\S+/", link_email.body)
    assert private
    assert welsh("Your private link, to follow your story, approve edits or withdraw it:") in (
        link_email.body
    )

    # A moderator publishes it and a nurse answers, on English staff pages.
    assert moderation.story_lock(story_id=story.pk, moderator=moderator).held
    moderation.story_publish(
        story_id=story.pk,
        moderator=moderator,
        edits=StoryEdits(title=story.title or "Ward Dewi", body=story.body, criticality=1),
    )
    story.refresh_from_db()
    # The board lets responses go straight out, so the author hears at once.
    Organisation.objects.filter(path=ward.root_path).update(responses_held_for_new_responders=0)
    nurse = with_second_factor(UserFactory(display_name="Catrin Jones"))
    RoleFactory(user=nurse, role=RoleName.RESPONDER, organisation=ward)
    before = len(mail.outbox)
    with translation.override("en-gb"):
        response_create(author=nurse, story=story, organisation=ward, body=ANSWER)
    to_author = [m for m in mail.outbox[before:] if "merch@cartref.example" in m.to]
    assert to_author, "the author was not told of the response"
    # Written in the language the author told the story in, whatever the nurse's page.
    assert "/cy/my-story/" in to_author[-1].body, to_author[-1].body
    hello = welsh("Hello %(name)s,") % {"name": "Merch ddiolchgar"}
    assert to_author[-1].body.startswith(hello), to_author[-1].body

    # The author reads the response on the Welsh story page.
    page.goto(base + "/cy/my-story/" + private.group(0).split("/cy/my-story/", 1)[1])
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_text(ANSWER)).to_be_visible()
    page.goto(f"{base}/cy/stories/{story.pk}/")
    expect(page.get_by_text(ANSWER)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Catrin Jones"))).to_be_visible()
    assert_accessible(page)

    # Remembered: an English address opened later goes to its Welsh twin.
    page.goto(base + "/stories/")
    assert page.url == base + "/cy/stories/"
    # And the switch back to English is remembered too.
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.url == base + "/stories/"
    page.goto(base + "/")
    assert page.url == base + "/"
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
