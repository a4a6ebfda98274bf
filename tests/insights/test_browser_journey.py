"""The whole of insight in one sitting, as a trust's patient-experience lead would use it:
narrow the trust's staff insight page to a ward and a topic, follow a month of the trend to
the stories behind it, save the view as a monthly report and receive its email with the
figures, then download the board report's PDF and find the headline figures in its text
(pdftotext). axe-core finds nothing serious on the insight pages on the way."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Browser, Page, expect

from apps.insights.models import ReportSchedule
from apps.insights.reports import reports_send
from apps.organisations.models import OrganisationKind
from apps.responders.models import RoleName
from apps.responses.models import Response
from apps.stories.models import StoryTag, Tag
from tests.browser.accessibility import assert_accessible
from tests.factories import (
    OrganisationFactory,
    RoleFactory,
    StoryFactory,
    UserFactory,
    with_second_factor,
)

from .test_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
DESKTOP = {"width": 1280, "height": 900}
WANTED = "Cold tea on Ward 4"
LEAD = "lee@ashdown-vale.example"


def last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@pytest.fixture
def world() -> dict[str, Any]:
    """A year of stories about a ward and a clinic; last month, six about the ward's food,
    five of them answered three hours later; this month six more about its food."""
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Foundation Trust", ods_code="ZZJ")
    site = OrganisationFactory(parent=trust, name="Ashdown General", kind=OrganisationKind.SITE)
    ward = OrganisationFactory(parent=site, name="Ward 4", kind=OrganisationKind.SERVICE)
    clinic = OrganisationFactory(parent=site, name="Fracture Clinic", kind=OrganisationKind.SERVICE)
    # The topics come with a migration; a flushed database may lack them.
    food, _ = Tag.objects.get_or_create(
        slug="food-and-drink", defaults={"label": "food and drink", "group": "aspect"}
    )
    manner, _ = Tag.objects.get_or_create(
        slug="staff-manner-and-attitude",
        defaults={"label": "staff manner and attitude", "group": "aspect"},
    )
    month = last_month()
    for i in range(6):
        when = dt.datetime.combine(month.replace(day=5), dt.time(10 + i), tzinfo=dt.UTC)
        story = StoryFactory(
            title=WANTED if i == 0 else f"Supper on Ward 4 ({i})",
            services=[ward],
            published_at=when,
        )
        StoryTag.objects.create(story=story, tag=food, polarity="improve")
        if i:
            Response.objects.create(
                story=story,
                organisation=ward,
                author_name="Sam Patel",
                body="Thank you.",
                body_html="<p>Thank you; hot drinks now come round at eight.</p>",
                published_at=when + dt.timedelta(hours=3),
            )
    # This month, six more about the ward's food: the monthly report, sent on the 1st of
    # next month about "last month", counts these.
    local = timezone.get_current_timezone()
    first = dt.datetime.combine(timezone.localdate().replace(day=1), dt.time(0, 30), tzinfo=local)
    this_month = min(first, timezone.now() - dt.timedelta(minutes=1))
    for i in range(6):
        story = StoryFactory(
            title=f"Breakfast on Ward 4 ({i})", services=[ward], published_at=this_month
        )
        StoryTag.objects.create(story=story, tag=food, polarity="improve")
    for back in range(2, 12):
        when = dt.datetime.combine(
            (month - dt.timedelta(days=28 * back)).replace(day=10), dt.time(9), tzinfo=dt.UTC
        )
        for i in range(3):
            story = StoryFactory(services=[clinic], published_at=when, title=f"Clinic {back}-{i}")
            StoryTag.objects.create(story=story, tag=manner, polarity="good")
    lead = UserFactory(email=LEAD, display_name="Lee Morgan")
    RoleFactory(user=lead, role=RoleName.READER, organisation=trust)
    with_second_factor(lead)
    return {"trust": trust, "site": site, "ward": ward}


def narrow_to_the_ward_and_topic(page: Page, world: dict[str, Any]) -> None:
    ward, site = world["ward"], world["site"]
    page.get_by_label("Service", exact=True).select_option(label=f"{ward.name} ({site.name})")
    page.get_by_label("About", exact=True).select_option(label="Food and drink")
    expect(page).to_have_url(re.compile(r"tag=food-and-drink"))
    expect(page).to_have_url(re.compile(rf"service={ward.slug}"))
    expect(page.locator("#insight-results")).to_contain_text("Food and drink")


def test_a_lead_narrows_follows_saves_a_report_and_downloads_the_board_pdf(
    browser: Browser, live_server: Any, world: dict[str, Any], tmp_path: Path
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: cannot read the PDF back")
    page = browser.new_context(viewport=DESKTOP, accept_downloads=True).new_page()
    sign_in(page, live_server.url, LEAD)
    staff_insight = reverse("insights:staff", kwargs={"slug": world["trust"].slug})
    page.goto(live_server.url + staff_insight)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Insight")
    assert_accessible(page)

    # Narrow to the ward and the topic, then follow last month's point of the trend.
    narrow_to_the_ward_and_topic(page, world)
    assert_accessible(page)
    narrowed = page.url
    month = date_format(last_month(), "F Y")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(rf"^{month}: ")).first.click()
    for part in ("tag=food-and-drink", f"service={world['ward'].slug}", "date_from="):
        assert part in page.url, page.url
    expect(page.locator("#results")).to_contain_text(WANTED)

    # Save the narrowed view and send it as a monthly report on last month.
    page.goto(narrowed)
    save = page.get_by_role("region", name="Save this view")
    save.get_by_label("Name this view").fill("Ward 4 food")
    save.get_by_role("button", name="Save this view").click()
    expect(page).to_have_url(re.compile(r"/staff/saved-views/$"))
    page.get_by_role("listitem").filter(has_text="Ward 4 food").get_by_role(
        "link", name="Send as a report"
    ).click()
    page.get_by_label("Monthly, on the 1st").check()
    page.get_by_label("Last month").check()
    page.get_by_label("Just me").check()
    page.get_by_role("button", name="Send this report").click()
    expect(page.get_by_text(re.compile("is scheduled; the first goes on"))).to_be_visible()

    # When it is due (the 1st of next month), the report arrives with the figures of the
    # view for the month before, this one.
    schedule = ReportSchedule.objects.get()
    assert reports_send(schedule.next_run_at) == 1
    (message,) = [m for m in mail.outbox if m.subject.startswith("Report: Ward 4 food")]
    assert message.to == [LEAD]
    assert "Stories published: 6" in message.body
    assert "Something could be improved: 6" in message.body
    assert "tag=food-and-drink" in message.body

    # The board report of the trust for last month, as a PDF.
    page.goto(live_server.url + staff_insight)
    page.get_by_role("link", name="The board report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Board report")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    read = subprocess.run(  # noqa: S603 - a fixed program on our own file
        ["pdftotext", "-layout", str(saved), "-"],  # noqa: S607
        capture_output=True,
        check=True,
    )
    text = " ".join(read.stdout.decode().split())
    for figure in ("Stories published 6", "Response rate", "83%", "3 hours", month):
        assert figure in text, f"{figure!r} is not in the PDF: {text[:400]}"
    page.context.close()
