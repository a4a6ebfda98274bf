"""A person finds an organisation in the directory and opens its page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from apps.organisations.models import OrganisationKind
from tests.factories import OrganisationFactory

from .accessibility import assert_accessible, axe_violations

# Live-server tests need real commits; serialized rollback puts back the rows that
# data migrations seeded (the tags) after the tables are flushed.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def demo_tree() -> None:
    trust = OrganisationFactory(
        name="Ashdown Vale Hospitals NHS Foundation Trust",
        ods_code="ZZA",
        postcode="AV1 1AA",
        town="Ashdown",
    )
    site = OrganisationFactory(
        parent=trust, name="Ashdown General Hospital", kind=OrganisationKind.SITE, ods_code="ZZA01"
    )
    surgery = OrganisationFactory(parent=site, name="Surgery", kind=OrganisationKind.DIRECTORATE)
    for name in ("Day Surgery Unit", "Ward 12 (Orthopaedics)", "Theatres and Recovery"):
        OrganisationFactory(parent=surgery, name=name, kind=OrganisationKind.SERVICE)
    OrganisationFactory(
        name="Millbrook Surgery", kind=OrganisationKind.GP_PRACTICE, ods_code="Z90001"
    )


def test_search_the_directory_and_open_an_organisation(
    page: Page, live_server: Any, demo_tree: None
) -> None:
    page.goto(live_server.url + "/")
    assert_accessible(page)
    page.get_by_role("link", name="Organisations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisations and services")
    assert_accessible(page)

    page.get_by_label("Name, ODS code or postcode").fill("ashdown gen")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=ashdown(\+|%20)gen"))
    results = page.locator("#results")
    expect(results.get_by_role("heading", level=2)).to_have_text("1 result")
    assert_accessible(page)

    results.get_by_role("link", name="Ashdown General Hospital").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ashdown General Hospital")
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    expect(
        breadcrumb.get_by_role("link", name="Ashdown Vale Hospitals NHS Foundation Trust")
    ).to_be_visible()
    services = page.get_by_role("region", name=re.compile("Services"))
    expect(services.get_by_role("link")).to_have_count(3)
    assert_accessible(page)


def test_results_update_as_you_type_with_javascript(
    page: Page, live_server: Any, demo_tree: None
) -> None:
    page.goto(live_server.url + "/organisations/")
    page.get_by_label("Name, ODS code or postcode").press_sequentially("millbrook", delay=20)
    # htmx swaps the results and records the search in the address bar.
    expect(page.locator("#results h2")).to_have_text("1 result")
    expect(page).to_have_url(re.compile(r"q=millbrook"))
    expect(page.locator("#results").get_by_role("link", name="Millbrook Surgery")).to_be_visible()


@pytest.mark.parametrize("browser_context_args", [{"java_script_enabled": False}], indirect=True)
def test_directory_works_without_javascript(
    page: Page, live_server: Any, demo_tree: None, browser_context_args: dict[str, Any]
) -> None:
    page.goto(live_server.url + "/organisations/")
    page.get_by_label("Name, ODS code or postcode").fill("ZZA01")
    page.get_by_label("Name, ODS code or postcode").press("Enter")
    expect(page.locator("#results h2")).to_have_text("1 result")


def test_keyboard_user_can_skip_to_the_content(
    page: Page, live_server: Any, demo_tree: None
) -> None:
    page.goto(live_server.url + "/organisations/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))


def test_the_pages_fit_a_phone(page: Page, live_server: Any, demo_tree: None) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/organisations/?q=ashdown")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone: {width}px wide"
    assert not [v for v in axe_violations(page) if v["impact"] in {"serious", "critical"}]
