"""A reader opens a trust's insight page on a phone and on a desktop, narrows it to a ward
and a topic through the search form, and follows a month of the trend to the stories
behind it. axe finds nothing serious on the way. (Without JavaScript the same steps are
the form's GET and plain links, covered by tests/insights/test_insight_page.py.)"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Browser, Page, expect

from apps.stories.models import StoryTag, Tag
from tests.factories import OrganisationFactory, StoryFactory

from .accessibility import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}
WANTED = "Cold tea on Ward 4"


@pytest.fixture
def world() -> dict[str, Any]:
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Trust", ods_code="ZZA")
    site = OrganisationFactory(parent=trust, name="Ashdown General Hospital", kind="site")
    ward = OrganisationFactory(parent=site, name="Ward 4", kind="service")
    clinic = OrganisationFactory(parent=site, name="Fracture Clinic", kind="service")
    # The topics come with a migration; a flushed database (another transactional test
    # before this one) may lack them.
    food, _ = Tag.objects.get_or_create(
        slug="food-and-drink", defaults={"label": "food and drink", "group": "aspect"}
    )
    manner, _ = Tag.objects.get_or_create(
        slug="staff-manner-and-attitude",
        defaults={"label": "staff manner and attitude", "group": "aspect"},
    )
    now = timezone.now()
    for month in range(12):
        for i in range(6):
            when = now - dt.timedelta(days=30 * month + i)
            story = StoryFactory(
                title=WANTED if month == 0 and i == 0 else f"Story {month}-{i}",
                services=[ward if i % 2 else clinic] if i else [ward],
                published_at=when,
            )
            StoryTag.objects.create(
                story=story, tag=food if i % 3 == 0 else manner, polarity="improve"
            )
    trust.refresh_from_db()
    return {"trust": trust, "ward": ward}


def open_filters(page: Page) -> None:
    """On a phone the filters are folded away under "Filter stories"."""
    if not page.get_by_label("About", exact=True).is_visible():
        page.get_by_text("Filter stories").click()


def narrow_and_follow(page: Page, base: str, world: dict[str, Any]) -> None:
    trust, ward = world["trust"], world["ward"]
    page.goto(f"{base}/organisations/{trust.slug}/insight/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Insight: {trust.name}")
    expect(
        page.get_by_role("group", name=re.compile("^Stories published each month"))
    ).to_be_visible()
    assert_accessible(page)
    open_filters(page)
    page.get_by_label("Service", exact=True).select_option(
        label=f"{ward.name} (Ashdown General Hospital)"
    )
    page.get_by_label("About", exact=True).select_option(label="Food and drink")
    expect(page).to_have_url(re.compile(r"tag=food-and-drink"))
    expect(page).to_have_url(re.compile(rf"service={ward.slug}"))
    expect(page.locator("#insight-results")).to_contain_text("Food and drink")
    assert_accessible(page)
    month = date_format(timezone.localdate(), "F Y")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(rf"^{month}: ")).first.click()
    expect(page).to_have_url(re.compile(r"/stories/\?"))
    for part in ("tag=food-and-drink", f"service={ward.slug}", "date_from="):
        assert part in page.url, page.url
    expect(page.locator("#results")).to_contain_text(WANTED)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_insight_narrow_and_follow_a_month_with_javascript(
    browser: Browser, live_server: Any, world: dict[str, Any], viewport: dict[str, int]
) -> None:
    page = browser.new_context(viewport=viewport).new_page()
    narrow_and_follow(page, live_server.url, world)
    page.context.close()
