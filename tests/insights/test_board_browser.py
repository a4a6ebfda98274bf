"""A trust's patient-experience lead prepares the board report in a real browser: opens it
from the staff insight, chooses a story, downloads the PDF and reads its figures back
(pdftotext); axe-core finds nothing serious and the page fits a phone."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, expect

from apps.organisations.models import OrganisationKind
from apps.responders.models import RoleName
from apps.responses.models import Response
from tests.browser.accessibility import assert_accessible
from tests.factories import (
    OrganisationFactory,
    RoleFactory,
    StoryFactory,
    UserFactory,
    with_second_factor,
)

from .test_browser import PHONE, SHOTS, fits, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def trust() -> dict[str, Any]:
    """Six stories last month about a ward, five answered after 3 hours."""
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Foundation Trust", ods_code="ZZB")
    site = OrganisationFactory(parent=trust, name="Ashdown General", kind=OrganisationKind.SITE)
    ward = OrganisationFactory(parent=site, name="Ward 12", kind=OrganisationKind.SERVICE)
    first = timezone.localdate().replace(day=1)
    last_month = (first - dt.timedelta(days=1)).replace(day=5)
    when = dt.datetime.combine(last_month, dt.time(10), tzinfo=dt.UTC)
    for i in range(6):
        story = StoryFactory(services=[ward], published_at=when, title=f"Night on Ward 12 ({i})")
        if i:
            Response.objects.create(
                story=story,
                organisation=ward,
                author_name="Sam Patel",
                body="Thank you.",
                body_html="<p>Thank you, we have added a night nurse.</p>",
                published_at=when + dt.timedelta(hours=3),
            )
    lead = UserFactory(email="lee@ashdown-vale.example", display_name="Lee Morgan")
    RoleFactory(user=lead, role=RoleName.READER, organisation=trust)
    with_second_factor(lead)
    return {"trust": trust}


def test_the_lead_prepares_the_board_report_and_downloads_its_pdf(
    browser: Browser, live_server: Any, trust: dict[str, Any], tmp_path: Path
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: cannot read the PDF back")
    page = browser.new_context(viewport=PHONE, accept_downloads=True).new_page()
    sign_in(page, live_server.url, "lee@ashdown-vale.example")
    page.goto(live_server.url + reverse("insights:staff", kwargs={"slug": trust["trust"].slug}))
    page.get_by_role("link", name="The board report").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Board report")
    headline = page.get_by_role("table", name="Headline figures against the trust’s targets")
    expect(headline.get_by_role("row", name="Response rate")).to_contain_text("83%")
    expect(headline.get_by_role("row", name="Response rate")).to_contain_text("✘ Target not met")
    expect(headline.get_by_role("row", name="Typical time to respond")).to_contain_text(
        "✔ Target met"
    )
    page.get_by_label("Night on Ward 12 (3)").check()
    page.get_by_role("button", name="Update the report").click()
    chosen = page.get_by_role("article", name="Night on Ward 12 (3)")
    expect(chosen).to_contain_text("we have added a night nurse")
    assert "story=" in page.url
    fits(page)
    assert_accessible(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/board-report-360.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith(f"board-report-{trust['trust'].slug}-")
    done = subprocess.run(  # noqa: S603 - a fixed program on our own file
        ["pdftotext", "-layout", str(saved), "-"],  # noqa: S607
        capture_output=True,
        check=True,
    )
    text = " ".join(done.stdout.decode().split())
    for figure in ("Stories published 6", "Response rate", "83%", "3 hours", "Target not met"):
        assert figure in text, figure
    assert "Night on Ward 12 (3)" in text
    if SHOTS:
        Path(SHOTS, "board-report.pdf").write_bytes(saved.read_bytes())
    os.remove(saved)
