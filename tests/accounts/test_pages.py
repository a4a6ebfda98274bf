"""Every sign-in, sign-out, password-reset and second-factor page is in the site's
layout and words: its heading, labels without colons, one "Forgotten your password?",
an error summary linking to the fields, and none of allauth's own phrasing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.app_settings import PASSWORD_RESET_TOKEN_GENERATOR as token_generator
from allauth.account.utils import user_pk_to_url_str
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from tests.factories import TEST_PASSWORD, UserFactory, totp_code

pytestmark = pytest.mark.django_db

ALLAUTH_WORDING = (
    "Confirm Access",
    "reauthenticate",
    "Are you sure",
    "Forgot your password",
    "Two-Factor Authentication",
    "Sign In",
    "Sign Out",
    "Password Reset",
    "Bad Token",
    "Activate",
    "Deactivate",
    "Menu:",
)


def page_text(response: Any) -> str:
    assert response.status_code == 200, response
    return response.content.decode()


def heading(html: str) -> str:
    found = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert len(found) == 1, found
    return found[0].strip()


def labels(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", label).strip()
        for label in re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)
    ]


def assert_site_page(html: str, title: str, field_labels: list[str] | None = None) -> None:
    assert 'class="site-header"' in html  # base.html
    assert 'class="site-footer"' in html
    assert heading(html) == title
    assert f"<title>{title} – " in html
    if field_labels is not None:
        assert labels(html) == field_labels
    assert not [label for label in labels(html) if label.endswith(":")]
    text = re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1])  # what a person reads
    for words in ALLAUTH_WORDING:
        assert words not in text, words


def signed_in(user: User) -> Client:
    """A client signed in the way a person is: password, then the app's code."""
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    return client


def test_sign_in_page(client: Client) -> None:
    html = page_text(client.get(reverse("account_login")))
    assert_site_page(html, "Sign in", ["Email address", "Password"])
    assert html.count("Forgotten your password?") == 1
    assert 'autocomplete="current-password"' in html
    assert "placeholder" not in html.split("<main", 1)[1]


def test_sign_in_errors_are_summarised_at_the_top_and_link_to_their_fields(client: Client) -> None:
    html = page_text(client.post(reverse("account_login"), {"login": "", "password": ""}))
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "There is a problem" in summary
    assert '<a href="#id_login">Enter your email address</a>' in summary
    assert '<a href="#id_password">Enter your password</a>' in summary
    assert html.index("error-summary") < html.index("<h1")
    assert 'aria-describedby="id_login-error"' in html
    assert 'aria-invalid="true"' in html


def test_a_wrong_password_links_the_summary_to_the_first_field(client: Client) -> None:
    UserFactory(email="sam.patel@trust.example")
    html = page_text(
        client.post(
            reverse("account_login"),
            {"login": "sam.patel@trust.example", "password": "not-the-password"},
        )
    )
    assert (
        '<a href="#id_login">The email address or password is not right. '
        "Check them and try again.</a>" in html
    )
    assert 'value="sam.patel@trust.example"' in html
    assert "not-the-password" not in html


def test_second_factor_page_at_sign_in(responder: User) -> None:
    client = Client()
    client.post(reverse("account_login"), {"login": responder.email, "password": TEST_PASSWORD})
    html = page_text(client.get(reverse("mfa_authenticate")))
    assert_site_page(html, "Enter the code from your authenticator app", ["Code"])
    assert "Cancel and sign out" in html
    wrong = page_text(client.post(reverse("mfa_authenticate"), {"code": "000000"}))
    assert '<a href="#id_code">That code is not right.' in wrong


def test_sign_out_page(responder: User) -> None:
    html = page_text(signed_in(responder).get(reverse("account_logout")))
    assert_site_page(html, "Sign out")
    assert ">Sign out</button>" in html


def test_password_again_page(responder: User) -> None:
    client = Client()
    client.force_login(responder)
    html = page_text(client.get(reverse("account_reauthenticate")))
    assert_site_page(html, "Enter your password again", ["Password"])
    assert html.count("Forgotten your password?") == 1
    assert "Use a code from your authenticator app instead" in html
    code = page_text(client.get(reverse("mfa_reauthenticate")))
    assert_site_page(code, "Enter the code from your authenticator app", ["Code"])
    assert "Enter your password instead" in code


def test_password_reset_pages(client: Client) -> None:
    html = page_text(client.get(reverse("account_reset_password")))
    assert_site_page(html, "Reset your password", ["Email address"])
    empty = page_text(client.post(reverse("account_reset_password"), {"email": ""}))
    assert '<a href="#id_email">Enter your email address</a>' in empty
    bad = page_text(client.post(reverse("account_reset_password"), {"email": "not an address"}))
    assert '<a href="#id_email">Enter an email address in the correct format' in bad
    done = page_text(client.get(reverse("account_reset_password_done")))
    assert_site_page(done, "Check your email")
    finished = page_text(client.get(reverse("account_reset_password_from_key_done")))
    assert_site_page(finished, "Your password has been changed")


def test_choosing_a_new_password_from_the_emailed_link(client: Client) -> None:
    user = UserFactory(email="sam.patel@trust.example")
    url = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": token_generator().make_token(user)},
    )
    page = client.get(url, follow=True)
    html = page_text(page)
    assert_site_page(html, "Choose a new password", ["New password", "Type the new password again"])
    form_url = page.redirect_chain[-1][0]
    mismatch = page_text(
        client.post(form_url, {"password1": "a-long-new-password-1", "password2": "something"})
    )
    assert "There is a problem" in mismatch
    done = client.post(
        form_url, {"password1": "a-long-new-password-1", "password2": "a-long-new-password-1"}
    )
    assert done["Location"] == reverse("account_reset_password_from_key_done")
    user.refresh_from_db()
    assert user.check_password("a-long-new-password-1")


def test_a_used_or_wrong_reset_link_says_so(client: Client) -> None:
    user = UserFactory(email="sam.patel@trust.example")
    url = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": "nope"},
    )
    html = page_text(client.get(url))
    assert_site_page(html, "This link no longer works")
    assert reverse("account_reset_password") in html


def test_setting_up_the_authenticator_app_page(db: None) -> None:
    user = UserFactory(email="new.nurse@staff.example")
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    # Changing how one signs in asks for the password again first (allauth's rule).
    asked = client.get(reverse("mfa_activate_totp"))
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    html = page_text(client.get(reverse("mfa_activate_totp")))
    assert_site_page(html, "Set up your authenticator app", ["Code from the app"])
    assert 'inputmode="numeric"' in html
    assert 'autocomplete="one-time-code"' in html


def test_security_page_and_the_pages_it_leads_to(responder: User) -> None:
    client = signed_in(responder)
    client.post(reverse("mfa_reauthenticate"), {"code": totp_code(offset=1)})
    html = page_text(client.get(reverse("mfa_index")))
    assert_site_page(html, "Security")
    for section in ("Authenticator app", "Recovery codes", "Password and email address"):
        assert f">{section}</h2>" in html
    for name, title in (
        ("mfa_deactivate_totp", "Remove your authenticator app"),
        ("mfa_view_recovery_codes", "Your recovery codes"),
        ("mfa_generate_recovery_codes", "Make new recovery codes"),
        ("account_change_password", "Change your password"),
        ("account_email", "Your email addresses"),
    ):
        assert reverse(name) in html or name == "mfa_view_recovery_codes", name
        assert_site_page(page_text(client.get(reverse(name))), title)


def test_change_password_page_labels(responder: User) -> None:
    html = page_text(signed_in(responder).get(reverse("account_change_password")))
    assert labels(html) == ["Current password", "New password", "Type the new password again"]


def test_nobody_signs_up_but_the_page_says_why(client: Client) -> None:
    html = page_text(client.get(reverse("account_signup")))
    assert_site_page(html, "Staff accounts are made by invitation")


def test_email_confirmation_pages(client: Client) -> None:
    sent = page_text(client.get(reverse("account_email_verification_sent")))
    assert_site_page(sent, "Check your email")
    wrong = page_text(client.get(reverse("account_confirm_email", args=["not-a-real-key"])))
    assert_site_page(wrong, "This link no longer works")


def test_email_addresses_page(responder: User) -> None:
    client = signed_in(responder)
    html = page_text(client.get(reverse("account_email")))
    assert "Main address" in html
    empty = page_text(client.post(reverse("account_email"), {"action_add": "", "email": ""}))
    assert '<a href="#id_email">Enter your email address</a>' in empty


def test_pages_left_to_allauth_render_the_sites_fields(db: None) -> None:
    user = UserFactory(email="no.password@staff.example")
    user.set_unusable_password()
    user.save()
    client = Client()
    client.force_login(user)
    html = page_text(client.get(reverse("account_set_password")))
    assert 'class="site-header"' in html
    assert '<div class="field">' in html
    assert "<p><label" not in html  # not allauth's form.as_p
    assert labels(html)
    assert not [label for label in labels(html) if label.endswith(":")]
