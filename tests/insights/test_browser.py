"""A reader of the public page, and a ward's member of staff, look at the statistics in a
real browser: axe-core finds nothing serious, it works without JavaScript and on a phone."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from apps.organisations.models import OrganisationKind
from apps.responders.models import RoleName
from apps.responses.models import Response, ResponseStatus
from tests.browser.accessibility import assert_accessible
from tests.factories import (
    TEST_PASSWORD,
    OrganisationFactory,
    RoleFactory,
    StoryFactory,
    UserFactory,
    totp_code,
    with_second_factor,
)

# Live-server tests need real commits; serialized rollback puts back the seeded rows.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"width": 360, "height": 740}
SHOTS = os.environ.get("CAREVOICE_SHOTS", "")  # a folder: save screenshots there


@pytest.fixture
def trust(settings: Any) -> dict[str, Any]:
    settings.FIGURES_PARTS_PAGE_SIZE = 3
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Foundation Trust", ods_code="ZZA")
    site = OrganisationFactory(
        parent=trust, name="Ashdown General Hospital", kind=OrganisationKind.SITE
    )
    wards = [
        OrganisationFactory(parent=site, name=name, kind=OrganisationKind.SERVICE)
        for name in ("Ward 12 (Orthopaedics)", "Day Surgery Unit", "Maternity Unit")
    ]
    now = timezone.now()
    for i, ward in enumerate(wards * 2):
        told = StoryFactory(services=[ward], published_at=now - dt.timedelta(days=i * 20 + 1))
        if i % 2 == 0:
            Response.objects.create(
                story=told,
                organisation=ward,
                author_name="Sam Patel",
                body="Thank you for telling us.",
                body_html="<p>Thank you for telling us.</p>",
                status=ResponseStatus.PUBLISHED,
                published_at=told.published_at + dt.timedelta(hours=5 + i),  # type: ignore[operator]
            )
    nurse = UserFactory(email="nia@ashdown-vale.example", display_name="Nia Evans")
    RoleFactory(user=nurse, role=RoleName.READER, organisation=wards[0])
    with_second_factor(nurse)
    return {"trust": trust, "ward": wards[0]}


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(totp_code())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()


def fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways on a phone: {width}px"


def test_public_figures_read_well_without_javascript_on_a_phone(
    browser: Browser, live_server: Any, trust: dict[str, Any]
) -> None:
    url = live_server.url + trust["trust"].get_absolute_url()
    # axe-core runs as a script, so it checks the page in a browser with JavaScript on.
    for javascript in (False, True):
        page = browser.new_context(java_script_enabled=javascript, viewport=PHONE).new_page()
        page.goto(url)
        section = page.get_by_role(
            "region", name="How Ashdown Vale Hospitals NHS Foundation Trust listens"
        )
        expect(section).to_be_visible()
        expect(section.locator("dt").first).to_have_text("Stories published")
        expect(section).to_contain_text("6 in the last 12 months")
        expect(section).to_contain_text("50% in the last 12 months (3 of 6)")
        # Headlines in plain words lead; a lone trust gets no rank, and is told why.
        expect(section.get_by_role("list", name="In short").get_by_role("listitem")).to_have_text(
            [
                "3 of 6 stories answered by staff in the last 12 months",
                re.compile(r"is the typical wait for a first response"),
                "0 changes made in the last 12 months",
            ]
        )
        expect(section).to_contain_text("No rank: fewer than 10 stories were published here")
        expect(section).to_contain_text(f"Figures as of {timezone.localdate():%-d %B %Y}")
        expect(page.get_by_role("table")).to_have_count(0)  # the breakdown is for staff
        fits(page)
    assert_accessible(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/figures-360.png", full_page=True)
        wide = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        wide.goto(url)
        wide.screenshot(path=f"{SHOTS}/figures-1280.png", full_page=True)


def test_a_wards_reader_finds_their_row_and_pages_without_javascript(
    browser: Browser, live_server: Any, trust: dict[str, Any]
) -> None:
    page = browser.new_context(viewport=PHONE).new_page()
    sign_in(page, live_server.url, "nia@ashdown-vale.example")
    page.goto(live_server.url + trust["trust"].get_absolute_url())
    table = page.get_by_role("table", name="Figures for each part of Ashdown Vale")
    expect(table).to_be_visible()
    ward = table.get_by_role("row", name="Ward 12 (Orthopaedics)")
    expect(ward).to_contain_text("Your part")
    expect(table.get_by_role("row", name="Ashdown General Hospital")).not_to_contain_text(
        "Your part"
    )
    expect(
        table.get_by_role("columnheader", name="Typical time to a first response")
    ).to_be_visible()
    assert_accessible(page)
    fits(page)  # the table scrolls inside its own region, not the page
    region = page.get_by_role("region", name="Figures for each part of Ashdown Vale")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")

    plain = browser.new_context(java_script_enabled=False).new_page()
    plain.context.add_cookies(page.context.cookies())
    plain.goto(live_server.url + trust["trust"].get_absolute_url() + "?stories=1")
    plain.get_by_role("navigation", name="Pages of the figures for each part").get_by_role(
        "link", name="Next"
    ).click()
    expect(plain).to_have_url(re.compile(r"figures=2#figures-parts$"))
    assert "stories=1" in plain.url
    expect(plain.get_by_role("table")).to_contain_text("Maternity Unit")
    page.goto(plain.url)
    assert_accessible(page)
