"""A super-user invites a responder, who sets up a second factor and answers their part of
the trust; a story referred to them from elsewhere comes and goes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from apps.organisations.models import OrganisationKind
from apps.responders.models import RoleName
from tests.factories import (
    TEST_PASSWORD,
    OrganisationFactory,
    RoleFactory,
    StoryFactory,
    UserFactory,
    totp_code,
    with_second_factor,
)

from .accessibility import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def trust() -> dict[str, Any]:
    trust = OrganisationFactory(name="Ashdown Vale Hospitals NHS Foundation Trust", ods_code="ZZA")
    site = OrganisationFactory(parent=trust, name="Ashdown General Hospital", kind="site")
    emergency = OrganisationFactory(
        parent=site, name="Emergency and Acute Medicine", kind=OrganisationKind.DIRECTORATE
    )
    surgery = OrganisationFactory(parent=site, name="Surgery", kind=OrganisationKind.DIRECTORATE)
    ed = OrganisationFactory(parent=emergency, name="Emergency Department", kind="service")
    amu = OrganisationFactory(parent=emergency, name="Acute Medical Unit", kind="service")
    day = OrganisationFactory(parent=surgery, name="Day Surgery Unit", kind="service")
    elsewhere = OrganisationFactory(name="Kestrel Bay NHS Trust", ods_code="ZZC")
    StoryFactory(title="Seen quickly on a busy night", services=[ed])
    StoryFactory(title="Moved wards at midnight", services=[amu])
    StoryFactory(title="Long wait without food or drink", services=[day])
    StoryFactory(title="Another trust's story", services=[elsewhere])
    helen = UserFactory(email="helen@ashdown-vale.example", display_name="Helen Marsh")
    helen.job_title = "Head of Patient Experience"
    helen.save()
    RoleFactory(user=helen, role=RoleName.SUPER_USER, organisation=trust)
    with_second_factor(helen)
    return {"trust": trust}


def sign_in_with_code(page: Page, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Enter the code from your authenticator app"
    )
    assert_accessible(page)
    page.get_by_label("Code").fill(totp_code())
    page.get_by_role("button", name="Sign in").click()
    expect(nav(page, "Sign out")).to_be_visible()


def nav(page: Page, name: str) -> Any:
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


def inbox_titles(page: Page) -> list[str]:
    return sorted(page.locator("#inbox-results .result-title").all_inner_texts())


def test_invite_accept_set_up_totp_and_answer_a_subtree(
    browser: Browser, live_server: Any, trust: dict[str, Any]
) -> None:
    base = live_server.url
    helen = browser.new_context().new_page()
    sign_in_with_code(helen, base, "helen@ashdown-vale.example")

    # Helen invites a new responder for the Emergency directorate.
    nav(helen, "Staff area").click()
    assert_accessible(helen)
    helen.get_by_role("link", name="Invitations").first.click()
    assert_accessible(helen)
    helen.get_by_label("First name").fill("Daniel")
    helen.get_by_label("Last name").fill("Reyes")
    helen.get_by_label("Email address").fill("daniel@ashdown-vale.example")
    helen.get_by_label("Job title").fill("Emergency Department Matron")
    helen.get_by_role("radio", name=re.compile("Responder")).check()
    where = helen.get_by_label("Where")
    directorate = where.locator("option", has_text="Emergency and Acute Medicine")
    where.select_option(directorate.get_attribute("value"))
    helen.get_by_role("button", name="Send the invitation").click()
    expect(helen.get_by_text("Invitation sent to daniel@ashdown-vale.example.")).to_be_visible()
    (invitation,) = [m for m in mail.outbox if m.to == ["daniel@ashdown-vale.example"]]
    link = re.search(r"https?://\S+/staff/invitations/\S+/", invitation.body)
    assert link is not None

    # Daniel opens the link, sees who invited him to what and where, and makes his account.
    daniel = browser.new_context().new_page()
    daniel.goto(base + link.group(0).split("/staff/", 1)[1].join(["/staff/", ""]))
    expect(daniel.locator(".panel")).to_contain_text("Helen Marsh")
    expect(daniel.locator(".panel")).to_contain_text("responder")
    expect(daniel.locator(".panel")).to_contain_text("Emergency and Acute Medicine")
    assert_accessible(daniel)
    daniel.get_by_label("Your name as shown on your responses").fill("Daniel Reyes")
    daniel.get_by_label("Choose a password").fill("a-long-and-unusual-passphrase")
    daniel.get_by_label("The same password again").fill("a-long-and-unusual-passphrase")
    daniel.get_by_role("button", name="Make my account and accept").click()

    # Staff pages need a second factor first: he sets up his authenticator app.
    expect(daniel.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    assert_accessible(daniel)
    secret = daniel.locator("#authenticator-secret").inner_text().replace(" ", "")
    code = format_hotp_value(hotp_value(secret, int(__import__("time").time()) // 30))
    daniel.get_by_label("Code from the app").fill(code)
    daniel.get_by_role("button", name="Turn on the second factor").click()
    expect(daniel.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    assert_accessible(daniel)
    daniel.get_by_role("link", name="Go to the staff area").click()

    # His inbox holds exactly the stories of his directorate.
    expect(daniel.get_by_role("heading", level=1)).to_have_text("Staff area")
    assert_accessible(daniel)
    assert inbox_titles(daniel) == ["Moved wards at midnight", "Seen quickly on a busy night"]
    nav(daniel, "Security").click()
    expect(daniel.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(daniel)
    nav(daniel, "Staff area").click()

    # Helen refers a Surgery story to him.
    nav(helen, "Staff area").click()
    helen.get_by_role("link", name="Long wait without food or drink").click()
    assert_accessible(helen)
    helen.get_by_label("A member of staff").fill("daniel@ashdown-vale.example")
    helen.get_by_label("A note for them").fill("This patient came through the ED first.")
    helen.get_by_role("button", name="Refer the story").click()
    expect(helen.get_by_role("status")).to_contain_text("Referred to Daniel Reyes")

    daniel.reload()
    assert inbox_titles(daniel) == [
        "Long wait without food or drink",
        "Moved wards at midnight",
        "Seen quickly on a busy night",
    ]
    daniel.get_by_label("Referred to me").check()  # htmx narrows the list
    expect(daniel.locator("#inbox-results .result-title")).to_have_count(1)
    assert "referred=on" in daniel.url
    daniel.get_by_role("link", name="Long wait without food or drink").click()
    expect(daniel.get_by_text("You may respond to this story.")).to_be_visible()

    # Helen revokes the referral; the story leaves his inbox.
    helen.get_by_role("button", name=re.compile("^Revoke")).click()
    expect(helen.get_by_role("status")).to_contain_text("may no longer answer this story")
    daniel.goto(base + "/staff/")
    assert inbox_titles(daniel) == ["Moved wards at midnight", "Seen quickly on a busy night"]


def test_the_super_user_pages_pass_axe_and_fit_a_phone(
    browser: Browser, live_server: Any, trust: dict[str, Any]
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    helen = context.new_page()
    sign_in_with_code(helen, live_server.url, "helen@ashdown-vale.example")
    nav(helen, "Staff area").click()
    helen.get_by_role("link", name="Teams").first.click()
    helen.get_by_label("Team name").fill("Ward 7 nurses")
    helen.get_by_role("button", name="Make the team").click()
    expect(helen.get_by_role("heading", level=1)).to_have_text("Ward 7 nurses")
    assert_accessible(helen)
    for tab in ("Members", "Invitations", "Teams", "Audit log"):
        helen.get_by_role("navigation", name=re.compile("^Managing")).get_by_role(
            "link", name=tab
        ).click()
        expect(helen.get_by_role("link", name=tab, exact=True).first).to_have_attribute(
            "aria-current", "page"
        )
        assert_accessible(helen)
        width = helen.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{tab} scrolls sideways on a phone: {width}px"
    helen.get_by_role("navigation", name=re.compile("^Managing")).get_by_role(
        "link", name="Invitations"
    ).click()
    helen.get_by_role("link", name="Invite many people from a CSV file").click()
    helen.get_by_role("button", name="Check the file").click()  # no file chosen
    expect(helen.get_by_role("alert")).to_contain_text("Choose a CSV file.")
    assert_accessible(helen)
