"""A member of staff finds the poster from the service's public page on a phone: axe
finds nothing serious, the page works without JavaScript, and the code's address opens
the tell form with the service ticked."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from apps.organisations.models import OrganisationKind
from apps.waysin import posters
from tests.browser.accessibility import assert_accessible
from tests.factories import OrganisationFactory

# Live-server tests need real commits; serialized rollback puts back the seeded rows.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PHONE = {"width": 390, "height": 844}


def test_the_poster_page_is_found_read_and_followed_on_a_phone(
    browser: Browser, live_server: Any, settings: Any
) -> None:
    settings.SITE_URL = live_server.url
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Foundation Trust")
    ward = OrganisationFactory(parent=trust, name="Maternity Unit", kind=OrganisationKind.SERVICE)
    # axe-core runs as a script, so it checks the page in a browser with JavaScript on.
    for javascript in (False, True):
        context = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
        page = context.new_page()
        page.goto(live_server.url + ward.get_absolute_url())
        page.get_by_role("link", name="Get the poster and cards").click()
        page.wait_for_load_state("load")

        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Poster and cards for Maternity Unit"
        )
        artwork = page.get_by_role("img", name="Tell us about your care at Maternity Unit")
        expect(artwork).to_have_count(2)
        for name in ("Download the poster (PDF, A4)", "Download one card, 85 × 55 mm (SVG)"):
            expect(page.get_by_role("link", name=name)).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{page.url} scrolls sideways on a phone: {width}px"
        if javascript:
            assert_accessible(page)

        page.get_by_role("link", name=posters.short_address(posters.code_for(ward))).click()
        expect(page.get_by_role("checkbox", name="Maternity Unit")).to_be_checked()
        context.close()
