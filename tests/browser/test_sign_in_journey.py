"""Signing in, setting up the authenticator app (through a reload) and resetting a
password, as a member of staff would, on a phone and a desktop; axe on every page."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from apps.accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory, totp_code, with_second_factor

from .accessibility import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 800)}
# CAREVOICE_SHOTS=<folder> saves a screenshot of each page, to look at them.
SHOTS = os.environ.get("CAREVOICE_SHOTS", "")


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Browser) -> Any:
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.viewport_name = request.param  # type: ignore[attr-defined]
    yield page
    context.close()


def check(page: Page, heading: str, shot: str) -> None:
    """The page has this heading, passes axe, fits the screen; a screenshot to look at."""
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{heading} scrolls sideways: {width}px"
    if SHOTS:
        name = f"{shot}-{page.viewport_name}.png"  # type: ignore[attr-defined]
        page.screenshot(path=Path(SHOTS) / name, full_page=True)


def code_for(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_setting_up_the_authenticator_app_survives_a_reload(page: Page, live_server: Any) -> None:
    UserFactory(email="new.nurse@ashdown-vale.example")
    page.goto(live_server.url + "/staff/")
    check(page, "Sign in", "sign-in")
    page.get_by_role("button", name="Sign in").click()  # nothing typed
    check(page, "Sign in", "sign-in-errors")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    summary.get_by_role("link", name="Enter your email address").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    page.get_by_label("Email address").fill("new.nurse@ashdown-vale.example")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Staff pages need the second factor; changing how one signs in asks for the password.
    check(page, "Enter your password again", "password-again")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    check(page, "Set up your authenticator app", "set-up")
    secret = page.locator("#authenticator-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4})+", secret), secret
    secret = secret.replace(" ", "")

    # The app was set up from the first page; the person reloads before typing the code.
    page.reload()
    expect(page.locator("#authenticator-secret")).to_have_text(
        " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    )
    page.get_by_label("Code from the app").fill("123")
    page.get_by_role("button", name="Turn on the second factor").click()
    check(page, "Set up your authenticator app", "set-up-error")
    page.get_by_label("Code from the app").fill(code_for(secret))
    page.get_by_role("button", name="Turn on the second factor").click()
    check(page, "Your recovery codes", "recovery-codes")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Security").click()
    check(page, "Security", "security")
    page.get_by_role("link", name="Make new recovery codes").click()
    check(page, "Make new recovery codes", "generate-codes")
    page.go_back()
    page.get_by_role("link", name="Remove the authenticator app").click()
    check(page, "Remove your authenticator app", "remove-app")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign out").click()
    check(page, "Sign out", "sign-out")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")


def test_resetting_a_forgotten_password(
    page: Page, live_server: Any, settings: Any, django_user_model: type[User]
) -> None:
    settings.SITE_URL = live_server.url
    with_second_factor(UserFactory(email="sam.patel@ashdown-vale.example"))
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    check(page, "Reset your password", "reset")
    page.get_by_label("Email address").fill("sam.patel@ashdown-vale.example")
    page.get_by_role("button", name="Send the link").click()
    check(page, "Check your email", "reset-sent")

    (email,) = [m for m in mail.outbox if m.to == ["sam.patel@ashdown-vale.example"]]
    link = re.search(r"https?://\S+/password/reset/key/\S+", email.body)
    assert link is not None
    assert link.group(0).startswith(live_server.url)
    page.goto(link.group(0))
    check(page, "Choose a new password", "new-password")
    page.get_by_label("New password", exact=True).fill("a-new-and-unusual-passphrase")
    page.get_by_label("Type the new password again").fill("something-else-entirely")
    page.get_by_role("button", name="Save the new password").click()
    check(page, "Choose a new password", "new-password-error")
    page.get_by_label("New password", exact=True).fill("a-new-and-unusual-passphrase")
    page.get_by_label("Type the new password again").fill("a-new-and-unusual-passphrase")
    page.get_by_role("button", name="Save the new password").click()
    check(page, "Your password has been changed", "reset-done")

    page.get_by_role("link", name="Sign in").last.click()
    page.get_by_label("Email address").fill("sam.patel@ashdown-vale.example")
    page.get_by_label("Password").fill("a-new-and-unusual-passphrase")
    page.get_by_role("button", name="Sign in").click()
    check(page, "Enter the code from your authenticator app", "code")
    page.get_by_label("Code").fill(totp_code())
    page.get_by_role("button", name="Sign in").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign out")
    ).to_be_visible()
