from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailConfirmation
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core import extensions
from apps.core.outbox import outbox_add


def site_url(path: str) -> str:
    """An address on this site for an email: SITE_URL, never the request's Host header,
    which a visitor chooses (a forged one would put their server in a reset link)."""
    return settings.SITE_URL + path


@dataclass(frozen=True)
class EmailSite:
    """What allauth's own email templates know as `current_site`, from SITE_URL too."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    """Staff accounts are created from invitations, never by signing up."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _(
            "The email address or password is not right. Check them and try again."
        ),
        "too_many_login_attempts": _(
            "Too many failed attempts to sign in. Wait a few minutes, then try again."
        ),
        "incorrect_password": _("The password is not right. Check it and try again."),
        "enter_current_password": _("Enter your current password"),
        "invalid_password_reset": _("This link to reset your password no longer works."),
        "rate_limited": _("Too many attempts. Wait a few minutes, then try again."),
        "account_inactive": _("This account is closed."),
        "cannot_remove_primary_email": _(
            "You cannot remove your main email address. Make another address the main one first."
        ),
        "duplicate_email": _("This email address is already on your account."),
        "email_taken": _("Another account already uses this email address."),
        "invalid_or_expired_key": _("This link or code no longer works. Ask for a new one."),
        "unverified_primary_email": _("Confirm your main email address first."),
        "select_only_one": _("Choose only one."),
        "same_as_current": _("This is the same as the current one: enter a different one."),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Staff land on their work (the registry's staff landing, from the app that knows
        roles, which sits above this one; LOGIN_REDIRECT_URL without it). allauth asks only
        when there is no safe `next`, so a `next` still wins; after a second factor it asks
        once that step is passed."""
        landing = extensions.staff_landing.get()
        if landing is None:
            return str(super().get_login_redirect_url(request))
        return landing(request.user)

    # --- email: through the outbox, in the site's words, links from SITE_URL ---------
    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_url(path.replace("UID-KEY", key))

    def get_email_confirmation_url(
        self, request: HttpRequest, emailconfirmation: EmailConfirmation
    ) -> str:
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def format_email_subject(self, subject: str) -> str:
        # allauth prefixes the site's name from the request's Host header.
        return subject

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Queue allauth's email (a password reset, a note that no account has this
        address, ...) in the outbox, rendered from our templates without the request."""
        ctx = {
            **context,
            "email": email,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "current_site": EmailSite(settings.SITE_NAME, urlsplit(settings.SITE_URL).netloc),
            "sign_in_url": site_url(reverse("account_login")),
            "reset_url": site_url(reverse("account_reset_password")),
        }
        # allauth builds these from the Host header; our templates use the ones above.
        for built_from_request in ("request", "signup_url"):
            ctx.pop(built_from_request, None)
        if "password_reset_url" in ctx and template_prefix != "account/email/password_reset_key":
            ctx["password_reset_url"] = ctx["reset_url"]
        subject = " ".join(
            render_to_string(f"{template_prefix}_subject.txt", ctx).splitlines()
        ).strip()
        text = render_to_string(f"{template_prefix}_message.txt", ctx).strip() + "\n"
        # Asking twice within a minute (a double click) makes one email; later requests
        # each get theirs. The text carries any one-time link, so it is part of the key.
        minute = timezone.now().strftime("%Y%m%d%H%M")
        digest = hashlib.sha256(f"{minute}\n{text}".encode()).hexdigest()[:32]
        outbox_add(
            kind=f"accounts.{template_prefix.rsplit('/', 1)[-1]}"[:60],
            key=digest,
            to=email,
            subject=self.format_email_subject(subject),
            text=text,
        )


class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _(
            "That code is not right. Check it and try again: the app shows a new code "
            "every 30 seconds."
        ),
        "unverified_email": _("Confirm your email address before you set up an authenticator app."),
        "add_email_blocked": _(
            "You cannot add an email address while your account has an authenticator app."
        ),
        "cannot_delete_authenticator": _(
            "You cannot remove the authenticator app of this account."
        ),
        "cannot_generate_recovery_codes": _(
            "Set up an authenticator app before you make recovery codes."
        ),
    }
