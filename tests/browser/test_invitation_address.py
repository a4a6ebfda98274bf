"""An invitation link opened by someone signed in with another address offers nothing to
accept, says why, and is accessible on a phone and a desktop."""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from apps.organisations.models import Organisation
from apps.responders.models import Role
from tests.factories import invite

from .accessibility import assert_accessible
from .test_staff_journey import sign_in_with_code

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SHOTS = os.environ.get("CAREVOICE_SHOTS", "")


@pytest.mark.parametrize("width", [390, 1280])
def test_an_invitation_for_another_address_is_explained_not_offered(
    browser: Browser, live_server: Any, org: Organisation, other_org_responder: Any, width: int
) -> None:
    token = invite(org, role="super_user", email="nia.evans@trust.example")
    page = browser.new_page(viewport={"width": width, "height": 900})
    sign_in_with_code(page, live_server.url, other_org_responder.email)
    page.goto(f"{live_server.url}/staff/invitations/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your invitation")
    expect(page.get_by_text("This invitation was sent to nia.evans@trust.example")).to_be_visible()
    expect(page.get_by_role("button", name="Accept the invitation")).to_have_count(0)
    assert_accessible(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/invitation-other-address-{width}.png", full_page=True)
    assert not Role.objects.filter(user=other_org_responder, organisation=org).exists()
    page.close()
