"""A responder answers a story in public; its author replies through their private link;
a moderator approves the reply; everyone then reads the three in order."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Browser, expect

from apps.organisations.models import Organisation, OrganisationKind
from apps.responders.models import RoleName
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

RESPONSE = "I'm sorry the wait felt so long. From next month we check the list at 10am."
REPLY = "Thank you for answering. Knowing that would have helped me a lot."


@pytest.fixture
def world() -> dict[str, Any]:
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Foundation Trust", ods_code="ZZA")
    site = OrganisationFactory(parent=trust, name="Ashdown General Hospital", kind="site")
    surgery = OrganisationFactory(parent=site, name="Surgery", kind=OrganisationKind.DIRECTORATE)
    day = OrganisationFactory(parent=surgery, name="Day Surgery Unit", kind="service")
    # This trust publishes responses at once; the moderation policy has its own tests.
    Organisation.objects.filter(pk=trust.pk).update(responses_held_for_new_responders=0)
    story = StoryFactory(
        title="Long wait without food or drink",
        body="I waited from seven in the morning until four without water.",
        pseudonym="Hungry patient",
        author_email="hungry.patient@home.example",
        services=[day],
    )
    grace = UserFactory(
        email="grace@ashdown-vale.example", display_name="Grace Lin", job_title="Lead Nurse"
    )
    RoleFactory(user=grace, role=RoleName.RESPONDER, organisation=surgery)
    moderator = UserFactory(email="tom@carevoice.example", display_name="Tom Okafor")
    RoleFactory(user=moderator, role=RoleName.MODERATOR, organisation=None)
    with_second_factor(grace)
    with_second_factor(moderator)
    return {"story": story}


def test_respond_reply_approve_and_read_in_order(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    base = live_server.url
    story = world["story"]

    # The responder previews, then posts, on the staff page of the story.
    grace = browser.new_context().new_page()
    sign_in_with_code(grace, base, "grace@ashdown-vale.example")
    grace.goto(f"{base}/staff/stories/{story.pk}/")
    grace.get_by_label("Your response").fill(RESPONSE)
    grace.get_by_role("button", name="Preview").click()
    expect(grace.get_by_role("heading", name="Preview: nothing is posted yet")).to_be_visible()
    assert_accessible(grace)
    grace.get_by_role("button", name="Post response").click()
    expect(grace.get_by_text("Your response is published.")).to_be_visible()
    expect(grace.get_by_role("heading", name=re.compile("Grace Lin, Lead Nurse"))).to_be_visible()

    # The author is emailed, with a private link to reply.
    told = [m for m in mail.outbox if m.to == ["hungry.patient@home.example"]]
    assert len(told) == 1
    assert RESPONSE in told[0].body
    assert "grace@ashdown-vale.example" not in told[0].body
    link = re.search(r"https?://\S+/my-story/\S+/", told[0].body)
    assert link is not None
    author = browser.new_context().new_page()
    author.goto(base + "/my-story/" + link.group(0).split("/my-story/", 1)[1])
    expect(author.get_by_text(RESPONSE)).to_be_visible()
    author.get_by_label("Your reply").fill(REPLY)
    author.get_by_role("button", name="Send my reply").click()
    expect(
        author.get_by_text("Your reply will appear once a moderator has read it.")
    ).to_be_visible()
    expect(author.get_by_text("Waiting for a moderator; only you can see it")).to_be_visible()
    assert_accessible(author)

    # Not public until the moderator approves it.
    reader = browser.new_context().new_page()
    reader.goto(base + story.get_absolute_url())
    expect(reader.get_by_text(RESPONSE)).to_be_visible()
    expect(reader.get_by_text(REPLY)).to_have_count(0)

    tom = browser.new_context().new_page()
    sign_in_with_code(tom, base, "tom@carevoice.example")
    tom.goto(base + "/moderation/conversation/")
    assert_accessible(tom)
    decision = tom.get_by_role("group", name="Decision on the reply from Hungry patient")
    decision.get_by_label("Publish", exact=True).check()
    tom.locator("article", has=decision).get_by_role("button", name="Save decision").click()
    expect(tom.get_by_text("The reply is published.")).to_be_visible()

    # Everyone reads the story, the response and the reply, in that order.
    reader.reload()
    expect(reader.get_by_text(REPLY)).to_be_visible()
    text = reader.locator("main").inner_text()
    assert text.index("without water") < text.index(RESPONSE) < text.index(REPLY)
    assert_accessible(reader)
    # Grace chooses her own alerts instead of the default digest.
    grace.goto(base + "/staff/alerts/")
    expect(grace.get_by_text("a daily digest", exact=True)).to_be_visible()
    grace.get_by_label("Stories about").select_option(label="– – Surgery")
    grace.get_by_label("How often").select_option(label="At once, one email per story")
    grace.get_by_role("button", name="Add the alert").click()
    expect(grace.get_by_text("Alert added.")).to_be_visible()
    expect(grace.get_by_role("cell", name="Surgery and everything in it")).to_be_visible()
    assert_accessible(grace)
    # Grace, who responded, hears of the reply.
    assert any(m.to == ["grace@ashdown-vale.example"] and REPLY in m.body for m in mail.outbox)


def test_preview_and_post_work_without_javascript(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    """Preview and Post share one form: each button posts to its own address (formaction),
    so the browser alone sends each where it belongs."""
    base = live_server.url
    story = world["story"]
    signed_in = browser.new_context()
    sign_in_with_code(signed_in.new_page(), base, "grace@ashdown-vale.example")
    grace = browser.new_context(
        storage_state=signed_in.storage_state(), java_script_enabled=False
    ).new_page()
    grace.goto(f"{base}/staff/stories/{story.pk}/")
    grace.get_by_label("Your response").fill(RESPONSE)
    grace.get_by_role("button", name="Preview").click()
    expect(grace.get_by_role("heading", name="Preview: nothing is posted yet")).to_be_visible()
    expect(grace.get_by_label("Your response")).to_have_value(RESPONSE)
    assert grace.url == f"{base}/staff/stories/{story.pk}/respond/preview/"
    grace.get_by_role("button", name="Post response").click()
    expect(grace.get_by_text("Your response is published.")).to_be_visible()
    assert grace.url == f"{base}/staff/stories/{story.pk}/"
    expect(grace.get_by_role("heading", name=re.compile("Grace Lin, Lead Nurse"))).to_be_visible()
