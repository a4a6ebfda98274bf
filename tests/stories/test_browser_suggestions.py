"""Suggested topics in a real browser, as a moderator would use them: a story waits with
topics suggested by the model learned from earlier moderated stories; the moderator
accepts two, changes one, leaves the rest, sets the criticality and publishes; the public
page shows the tags confirmed and nothing of the suggestions. axe-core finds nothing
serious on the moderation page."""

from __future__ import annotations

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
from tests.stories.themes_data import TOLD, enough, moderated_stories

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
DESKTOP = {"width": 1280, "height": 900}
MODERATOR = "moderator@carevoice.example"


@pytest.fixture
def world() -> dict[str, Any]:
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Foundation Trust", ods_code="ZZS")
    site = OrganisationFactory(parent=trust, name="Ashdown General", kind=OrganisationKind.SITE)
    ward = OrganisationFactory(
        parent=site, name="Ward 7 (Respiratory)", kind=OrganisationKind.SERVICE, ods_code="ZZS07"
    )
    moderator = UserFactory(email=MODERATOR, display_name="Tom Okafor")
    RoleFactory(user=moderator, role=RoleName.MODERATOR, organisation=None)
    with_second_factor(moderator)
    moderated_stories(enough())
    themes_train(trained_by="a test", folds=3)
    story = Story.objects.create(
        title="Kind nurses, long wait, cold food",
        body=TOLD,
        pseudonym="Grateful daughter",
        author_role="relative",
        experienced_on=timezone.localdate().replace(day=1),
        status=StoryStatus.AWAITING_MODERATION,
    )
    story.services.add(ward)
    StoryRevision.objects.create(story=story, number=0, title=story.title, body=story.body)
    return {"story": story}


def test_a_moderator_accepts_changes_and_leaves_suggestions_then_publishes(
    browser: Browser, live_server: Any, world: dict[str, Any]
) -> None:
    story = world["story"]
    page = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(page, live_server.url, MODERATOR)
    page.goto(live_server.url + "/moderation/")
    page.get_by_role("link", name=story.title).click()

    # (Names: the step replacing a name in the text with a role goes here, once the
    # names in the privacy marks are merged.)

    panel = page.get_by_role("region", name="Suggested")
    expect(panel).to_contain_text("Learned from")
    expect(panel).to_contain_text("Suggested criticality:")
    staff = panel.get_by_role("group", name="Staff manner and attitude")
    waiting = panel.get_by_role("group", name="Timeliness of care")
    food = panel.get_by_role("group", name="Food and drink")
    expect(staff).to_contain_text("Suggested as good")
    expect(food).to_contain_text("Suggested as could be improved")
    # Nothing is chosen for the moderator.
    for topic in (staff, waiting, food):
        expect(topic.get_by_label("Don't use")).to_be_checked()
    assert_accessible(page)

    staff.get_by_label("Accept as good (as suggested)").check()
    waiting.get_by_label("Accept as could be improved (as suggested)").check()
    food.get_by_label("Accept as good").check()  # the moderator reads it otherwise
    page.get_by_label("3 · moderately critical", exact=False).check()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(f"Published: {story.title}.")).to_be_visible()

    tags = dict(StoryTag.objects.filter(story=story).values_list("tag__slug", "polarity"))
    assert tags == {
        "staff-manner-and-attitude": "good",
        "timeliness-of-care": "improve",
        "food-and-drink": "good",
    }
    reader = browser.new_context(viewport=DESKTOP).new_page()
    reader.goto(live_server.url + story.get_absolute_url())
    good = reader.locator(".tag-group", has_text="What was good")
    expect(good).to_contain_text("Staff manner and attitude")
    expect(good).to_contain_text("Food and drink")
    expect(reader.locator(".tag-group", has_text="What could be improved")).to_contain_text(
        "Timeliness of care"
    )
    for word in ("Suggested", "Accept as", "score", "Don't use"):
        expect(reader.locator("body")).not_to_contain_text(word)
