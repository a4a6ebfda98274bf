"""django-allauth's sign-in forms in the site's words (labels, and what to do when a
field is left empty), and the authenticator-app set-up that keeps its secret."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account import forms as account_forms
from allauth.core import context
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.totp.internal import auth as totp_auth
from django import forms
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

EMAIL = (
    _("Email address"),
    _("Enter your email address"),
    _("Enter an email address in the correct format, like name@example.nhs.uk"),
)
CODE = (_("Code"), _("Enter the 6-digit code from your authenticator app"), None)
NEW_PASSWORD = (_("New password"), _("Enter a new password"), None)
NEW_PASSWORD_AGAIN = (_("Type the new password again"), _("Type the new password again"), None)
PASSWORD_HINT = _(
    "At least 12 characters. A few unrelated words together are easy to remember and hard to guess."
)


def reword(
    form: forms.BaseForm,
    fields: dict[str, tuple[_StrPromise, _StrPromise, _StrPromise | None]],
) -> None:
    """Give each named field the site's label and its own messages, with no placeholder
    (a placeholder disappears as soon as someone types, so it cannot carry a label)."""
    for name, (label, required, invalid) in fields.items():
        field = form.fields[name]
        field.label = label
        field.error_messages = {**field.error_messages, "required": required}
        if invalid is not None:
            field.error_messages["invalid"] = invalid
        field.widget.attrs.pop("placeholder", None)


class LoginForm(account_forms.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reword(
            self,
            {"login": EMAIL, "password": (_("Password"), _("Enter your password"), None)},
        )
        self.fields["login"].widget.attrs["autocomplete"] = "email"
        # allauth's help text repeats the "Forgotten your password?" link the page has.
        self.fields["password"].help_text = ""


class ResetPasswordForm(account_forms.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reword(self, {"email": EMAIL})


class AddEmailForm(account_forms.AddEmailForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reword(self, {"email": EMAIL})


class ResetPasswordKeyForm(account_forms.ResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reword(self, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD_AGAIN})
        self.fields["password1"].help_text = PASSWORD_HINT


class ChangePasswordForm(account_forms.ChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reword(
            self,
            {
                "oldpassword": (
                    _("Current password"),
                    _("Enter your current password"),
                    None,
                ),
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD_AGAIN,
            },
        )
        self.fields["password1"].help_text = PASSWORD_HINT
        self.fields["oldpassword"].help_text = ""


class ReauthenticateForm(account_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reword(self, {"password": (_("Password"), _("Enter your password"), None)})
        self.fields["password"].help_text = ""


class AuthenticateForm(mfa_forms.AuthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reword(self, {"code": CODE})


class MfaReauthenticateForm(mfa_forms.ReauthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reword(self, {"code": CODE})


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    """allauth makes a new secret each time the page is shown, so someone who reloads it
    after scanning the QR code has an app whose codes are refused. The secret of a set-up
    in progress stays in the session instead, until the app is turned on (allauth then
    removes it) or the person signs out (the session is emptied)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        session = context.request.session
        kept = session.get(totp_auth.SECRET_SESSION_KEY)
        super().__init__(*args, **kwargs)  # on a GET this draws a new secret: undo that
        if kept:
            self.secret = session[totp_auth.SECRET_SESSION_KEY] = kept
        reword(self, {"code": (_("Code from the app"), CODE[1], None)})

    @property
    def secret_in_groups(self) -> str:
        """The secret as people copy it: in groups of four ("ABCD EFGH …")."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))
