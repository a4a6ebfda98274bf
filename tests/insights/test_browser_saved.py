"""A trust's member of staff narrows the staff insight page to a ward and a topic, saves
it without JavaScript on a phone, sends it as a monthly report, and the report's email
holds its figures; axe-core finds nothing serious on the saved-view pages."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from apps.core.models import OutboxEmail
from apps.insights.models import ReportSchedule
from apps.insights.reports import reports_send
from apps.organisations.models import OrganisationKind
from apps.responders.models import RoleName
from apps.stories.models import StoryTag, Tag
from apps.stories.taxonomy import TagGroup
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
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("CAREVOICE_SHOTS", "")
FOOD = "food-and-drink"


@pytest.fixture
def trust() -> dict[str, Any]:
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Foundation Trust", ods_code="ZZA")
    site = OrganisationFactory(parent=trust, name="Ashdown General", kind=OrganisationKind.SITE)
    ward = OrganisationFactory(parent=site, name="Ward 12", kind=OrganisationKind.SERVICE)
    zone = ZoneInfo(settings.TIME_ZONE)
    first = timezone.localdate().replace(day=1)
    told_at = dt.datetime.combine(first, dt.time(0, 30), tzinfo=zone)
    # The topics are seeded by a migration; another live-server test may have flushed them.
    food, _made = Tag.objects.get_or_create(
        slug=FOOD, defaults={"label": "food and drink", "group": TagGroup.values[0]}
    )
    for _ in range(6):
        story = StoryFactory(services=[ward], published_at=told_at, criticality=5)
        StoryTag.objects.create(story=story, tag=food, polarity="improve")
    manager = UserFactory(email="ada@ashdown-vale.example", display_name="Ada Jones")
    RoleFactory(user=manager, role=RoleName.READER, organisation=trust)
    with_second_factor(manager)
    return {"trust": trust, "ward": ward}


def fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways on a phone: {width}px"


def test_a_staff_member_saves_a_view_and_gets_it_as_a_monthly_report(
    browser: Browser, live_server: Any, trust: dict[str, Any]
) -> None:
    signing = browser.new_context(viewport=PHONE).new_page()
    sign_in(signing, live_server.url, "ada@ashdown-vale.example")
    page = browser.new_context(java_script_enabled=False, viewport=PHONE).new_page()
    page.context.add_cookies(signing.context.cookies())
    slug, ward = trust["trust"].slug, trust["ward"].slug
    page.goto(f"{live_server.url}/staff/organisations/{slug}/insight/?service={ward}&tag={FOOD}")
    save = page.get_by_role("region", name="Save this view")
    if SHOTS:
        save.screenshot(path=f"{SHOTS}/save-form-390.png")
    save.get_by_label("Name this view").fill("Ward 12 food")
    save.get_by_role("button", name="Save this view").click()

    expect(page).to_have_url(re.compile(r"/staff/saved-views/$"))
    expect(page.get_by_text("Saved “Ward 12 food”.")).to_be_visible()
    row = page.get_by_role("listitem").filter(has_text="Ward 12 food")
    expect(row).to_contain_text("Insight for staff: Ashdown Vale")
    fits(page)
    row.get_by_role("link", name="Send as a report").click()
    page.get_by_label("Monthly, on the 1st").check()
    page.get_by_label("Last month").check()
    page.get_by_label("Just me").check()
    page.get_by_role("button", name="Send this report").click()
    expect(page.get_by_text(re.compile("is scheduled; the first goes on"))).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Ward 12 food")).to_contain_text(
        "Monthly, on the 1st"
    )
    fits(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/saved-list-390.png", full_page=True)
    signing.goto(page.url)
    assert_accessible(signing)
    signing.get_by_role("link", name=re.compile("Change the report")).click()
    assert_accessible(signing)
    if SHOTS:
        signing.screenshot(path=f"{SHOTS}/saved-views-390.png", full_page=True)

    schedule = ReportSchedule.objects.get()
    assert reports_send(schedule.next_run_at) == 1
    # Sent at once (tasks run eagerly here): the outbox keeps no body once sent.
    assert OutboxEmail.objects.get(kind="insights.report").status == OutboxEmail.Status.SENT
    (message,) = [m for m in mail.outbox if m.subject.startswith("Report: Ward 12 food")]
    assert message.to == ["ada@ashdown-vale.example"]
    assert "Stories published: 6" in message.body
    assert "Something could be improved: 6" in message.body
    assert "Critical (criticality 4 or 5): 6 (100%)" in message.body
    assert f"service={ward}" in message.body
