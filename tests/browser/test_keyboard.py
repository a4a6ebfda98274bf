"""Telling a story and responding to one with the keyboard alone: every control is
reached with Tab (or the arrow keys inside a group of radio buttons), used with the keys
a keyboard user has, and is in view and not hidden under anything when it has focus
(WCAG 2.2: 2.1.1 Keyboard, 2.4.7 Focus visible, 2.4.11 Focus not obscured)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.organisations.models import OrganisationKind
from apps.responders.models import RoleName
from apps.responses.models import Response
from apps.stories.models import Story
from tests.factories import (
    TEST_PASSWORD,
    OrganisationFactory,
    RoleFactory,
    StoryFactory,
    UserFactory,
    totp_code,
    with_second_factor,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
STORY = (
    "The night staff on the ward noticed I was in pain before I said a word, and "
    "they sat with me until the medicine worked."
)
# Whether the element with focus is on screen and is what a click at its centre reaches.
FOCUS_SEEN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return 'nothing has focus';
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return 'the focused element has no size';
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  if (y < 0 || y > innerHeight || x < 0 || x > innerWidth) return 'it is off screen';
  const hit = document.elementFromPoint(x, y);
  const label = el.labels && el.labels.length ? el.labels[0] : null;
  if (hit && (el.contains(hit) || hit.contains(el) || (label && label.contains(hit)))) return '';
  return 'covered by ' + (hit ? hit.outerHTML.slice(0, 80) : 'nothing');
}"""


def tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching `selector` has focus, checking at each stop
    that what has focus can be seen."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        problem = page.evaluate(FOCUS_SEEN)
        assert not problem, f"at {page.url}, tabbing towards {selector}: {problem}"
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} was not reached with Tab at {page.url}")


@pytest.fixture
def ward() -> Any:
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Foundation Trust")
    site = OrganisationFactory(parent=trust, name="Ashdown General", kind=OrganisationKind.SITE)
    return OrganisationFactory(parent=site, name="Ward 9", kind=OrganisationKind.SERVICE)


def test_a_story_is_told_with_the_keyboard_alone(page: Page, live_server: Any, ward: Any) -> None:
    page.goto(live_server.url + "/tell/")
    tab_to(page, "#find-q")
    page.keyboard.type("ward 9")
    # The list of services answers as one types; a person tabs on once it shows the ward.
    option = f"input[name=services][value='{ward.pk}']"
    expect(page.locator(option)).to_be_attached()
    page.wait_for_load_state("networkidle")
    tab_to(page, option)
    page.keyboard.press("Space")
    tab_to(page, "textarea[name=body]")
    page.keyboard.type(STORY)
    today = timezone.localdate()
    tab_to(page, "select[name=month]")
    page.keyboard.type(today.strftime("%B"))
    tab_to(page, "select[name=year]")
    page.keyboard.type(str(today.year))
    tab_to(page, "input[name=author_role]")
    # Inside a group of radio buttons the arrow keys move and choose.
    for _ in range(10):
        if page.evaluate("document.activeElement.value") == "patient":
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    tab_to(page, "input[name=pseudonym]")
    page.keyboard.type("Patient, Ward 9")
    tab_to(page, "input[name=email]")
    page.keyboard.type("patient@home.example")
    tab_to(page, "input[name=consent_terms]")
    page.keyboard.press("Space")
    tab_to(page, "input[name=consent_edits]")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]:not([formaction])")
    expect(page.locator(":focus")).to_have_text("Send my story")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your story")
    story = Story.objects.get()
    assert story.body == STORY
    assert list(story.services.all()) == [ward]


def test_a_story_is_answered_with_the_keyboard_alone(
    page: Page, live_server: Any, ward: Any
) -> None:
    story = StoryFactory(services=[ward], title="Sat with me until the pain eased")
    nurse = UserFactory(email="nurse@ashdown-vale.example", display_name="Sam Okafor")
    RoleFactory(user=nurse, role=RoleName.RESPONDER, organisation=ward)
    with_second_factor(nurse)
    page.goto(live_server.url + "/accounts/login/")
    tab_to(page, "input[name=login]")
    page.keyboard.type(nurse.email)
    tab_to(page, "input[name=password]")
    # Accessible authentication (WCAG 3.3.8): a password manager may fill or paste it.
    assert page.get_attribute("input[name=password]", "autocomplete") == "current-password"
    page.keyboard.type(TEST_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "input[name=code]")
    assert page.get_attribute("input[name=code]", "autocomplete") == "one-time-code"
    page.keyboard.type(totp_code())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()

    page.goto(f"{live_server.url}/staff/stories/{story.pk}/")
    tab_to(page, "textarea[name=body]")
    reply = "Thank you for telling us. I will share what you wrote with the night team."
    page.keyboard.type(reply)
    tab_to(page, "button[formaction$='/respond/']")
    page.keyboard.press("Enter")
    expect(page.get_by_text(reply)).to_be_visible()
    response = Response.objects.get(story=story)
    assert response.body == reply
    assert response.author == nurse
