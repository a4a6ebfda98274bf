"""A super-user gives their hospital a Welsh name and description in a real browser, and
a reader sees them on the Welsh page: axe-core finds nothing serious on either."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from apps.organisations.models import Organisation, OrganisationKind
from apps.responders.models import RoleName
from tests.browser.accessibility import assert_accessible
from tests.factories import OrganisationFactory, RoleFactory, UserFactory, with_second_factor
from tests.insights.test_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def hospital(db: None) -> Organisation:
    trust = OrganisationFactory(name="Glenmarrow Health Board", kind=OrganisationKind.BOARD)
    site = OrganisationFactory(
        parent=trust, name="Glenmarrow Royal Infirmary", kind=OrganisationKind.SITE
    )
    manager = UserFactory(email="sasha@glenmarrow.example", display_name="Sasha Price")
    RoleFactory(user=manager, role=RoleName.SUPER_USER, organisation=trust)
    with_second_factor(manager)
    return site


def test_a_super_user_gives_a_welsh_name_and_the_welsh_page_shows_it(
    page: Page, live_server: Any, hospital: Organisation
) -> None:
    base = live_server.url
    sign_in(page, base, "sasha@glenmarrow.example")
    page.goto(f"{base}/staff/organisations/{hospital.slug}/members/")
    page.get_by_role("link", name="Description and Welsh name").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Glenmarrow Royal Infirmary")
    assert_accessible(page)

    # Too long first (past the box's own limit, as a browser that ignores it would send):
    # the problem is named in the summary and beside the field.
    page.eval_on_selector("#id_name_cy", "box => box.removeAttribute('maxlength')")
    page.get_by_label("Welsh name").fill("Ysbyty " * 40)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator(".errorlist")).to_have_count(1)
    assert_accessible(page)

    page.get_by_label("Description", exact=True).fill("The board's main hospital.")
    page.get_by_label("Welsh name").fill("Ysbyty Brenhinol Glenmarrow")
    expect(page.get_by_label("Welsh name")).to_have_attribute("lang", "cy")
    page.get_by_label("Welsh description").fill("Prif ysbyty'r bwrdd.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The description and Welsh name are saved.")).to_be_visible()

    page.get_by_role("link", name="See the public page in Welsh").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ysbyty Brenhinol Glenmarrow")
    expect(page.get_by_text("Prif ysbyty'r bwrdd.")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{base}/organisations/{hospital.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Glenmarrow Royal Infirmary")
    expect(page.get_by_text("The board's main hospital.")).to_be_visible()
