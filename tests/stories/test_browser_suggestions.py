"""Suggested topics in a real browser, as a moderator would use them: a story naming a
doctor waits with topics suggested by the model learned from earlier moderated stories;
the moderator replaces the name with a role in one action, accepts two suggestions,
changes one, leaves the rest, sets the criticality and publishes; the public page shows
the tags confirmed, no name and nothing of the suggestions. axe-core finds nothing
serious on the moderation page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from apps.organisations.models import OrganisationKind
from apps.responders.models import RoleName
from apps.stories.models import Story, StoryRevision, StoryStatus, StoryTag
from apps.stories.suggestions import themes_train
from tests.browser.accessibility import assert_accessible
from tests.factories import OrganisationFactory, RoleFactory, UserFactory, with_second_factor
from tests.insights.test_browser import sign_in
from tests.stories.themes_data import TOLD, TOLD_TWO, enough, moderated_stories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
DESKTOP = {"width": 1280, "height": 900}
MODERATOR = "moderator@carevoice.example"


def told(ward: Any, body: str) -> Story:
    story = Story.objects.create(
        title="Last winter",
        body=body,
        pseudonym="Grateful daughter",
        author_role="relative",
        experienced_on=timezone.localdate().replace(day=1),
        status=StoryStatus.AWAITING_MODERATION,
    )
    story.services.add(ward)
    StoryRevision.objects.create(story=story, number=0, title=story.title, body=story.body)
    return story


@pytest.fixture
def ward() -> Any:
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Foundation Trust", ods_code="ZZS")
    site = OrganisationFactory(parent=trust, name="Ashdown General", kind=OrganisationKind.SITE)
    moderator = UserFactory(email=MODERATOR, display_name="Tom Okafor")
    RoleFactory(user=moderator, role=RoleName.MODERATOR, organisation=None)
    with_second_factor(moderator)
    moderated_stories(enough())
    themes_train(trained_by="a test", folds=0)
    return OrganisationFactory(
        parent=site, name="Ward 7 (Respiratory)", kind=OrganisationKind.SERVICE, ods_code="ZZS07"
    )


def moderate(
    browser: Browser,
    base: str,
    story: Story,
    answers: dict[str, str],
    *,
    replace: tuple[str, str] | None = None,
) -> None:
    """Open the story from the queue, replace a name with a role if asked, answer each
    suggested topic named (by its label), set the criticality and publish; topics not
    named are left at "Don't use"."""
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, base, MODERATOR)
    page.goto(base + "/moderation/")
    page.get_by_role("link", name=story.title).click()

    if replace:
        name, role = replace
        item = page.locator("ul.marks li").filter(has_text=f"“{name}”")
        expect(item).to_contain_text("why: after the title")
        expect(item.get_by_label("Replace with")).to_have_value(role)
        item.get_by_role("button", name=f"Replace “{name}”").click()  # one action
        expect(page.get_by_role("status")).to_contain_text(f"Replaced “{name}” with “{role}”")
        expect(page.get_by_label(re.compile(r"^Text"))).not_to_contain_text(name)

    panel = page.get_by_role("region", name="Suggested")
    expect(panel).to_contain_text("Learned from")
    expect(panel).to_contain_text("Suggested criticality:")
    topics = {label: panel.get_by_role("group", name=label) for label in answers}
    for topic in topics.values():
        expect(topic.get_by_label("Don't use")).to_be_checked()  # nothing chosen for them
    assert_accessible(page)
    for label, answer in answers.items():
        topics[label].get_by_label(answer, exact=False).first.check()
    page.get_by_label("3 · moderately critical", exact=False).check()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(f"Published: {story.title}.")).to_be_visible()


def public_tags(browser: Browser, base: str, story: Story) -> tuple[str, str]:
    """The public page's "What was good" and "What could be improved", after checking it
    says nothing of the suggestions."""
    reader = browser.new_context(viewport=DESKTOP).new_page()
    reader.goto(base + story.get_absolute_url())
    for word in ("Suggested", "Accept as", "score", "Don't use", "Patel"):
        expect(reader.locator("body")).not_to_contain_text(word)
    good = reader.locator(".tag-group", has_text="What was good")
    improve = reader.locator(".tag-group", has_text="What could be improved")
    return (
        good.inner_text() if good.count() else "",
        improve.inner_text() if improve.count() else "",
    )


def test_a_moderator_replaces_a_name_accepts_two_suggestions_changes_one_then_publishes(
    browser: Browser, live_server: Any, ward: Any
) -> None:
    story = told(ward, f"{TOLD} Dr Patel saw us at last.")
    moderate(
        browser,
        live_server.url,
        story,
        replace=("Dr Patel", "the doctor"),
        answers={
            "Staff manner and attitude": "Accept as good (as suggested)",
            "Timeliness of care": "Accept as could be improved (as suggested)",
            "Food and drink": "Accept as good",  # the moderator reads it otherwise
        },
    )
    tags = dict(StoryTag.objects.filter(story=story).values_list("tag__slug", "polarity"))
    assert tags == {
        "staff-manner-and-attitude": "good",
        "timeliness-of-care": "improve",
        "food-and-drink": "good",
    }
    story.refresh_from_db()
    assert "Patel" not in story.body
    assert "the doctor saw us at last." in story.body.lower()
    good, improve = public_tags(browser, live_server.url, story)
    assert "Staff manner and attitude" in good
    assert "Food and drink" in good
    assert "Timeliness of care" in improve


def test_a_moderator_accepts_one_suggestion_changes_one_then_publishes(
    browser: Browser, live_server: Any, ward: Any
) -> None:
    story = told(ward, TOLD_TWO)
    moderate(
        browser,
        live_server.url,
        story,
        {
            "Staff manner and attitude": "Accept as good (as suggested)",
            "Timeliness of care": "Accept as good",  # changed: suggested as to improve
        },
    )
    tags = dict(StoryTag.objects.filter(story=story).values_list("tag__slug", "polarity"))
    assert tags == {"staff-manner-and-attitude": "good", "timeliness-of-care": "good"}
    good, improve = public_tags(browser, live_server.url, story)
    assert "Staff manner and attitude" in good
    assert "Timeliness of care" in good
    assert improve == ""
