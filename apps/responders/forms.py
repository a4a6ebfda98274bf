from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password

from apps.accounts.models import User
from apps.core.forms import Form


class NewAccountForm(Form):
    """An invited person makes their account: the email is the one invited."""

    display_name = forms.CharField(label="Your name as shown on your responses", max_length=150)
    job_title = forms.CharField(label="Your job title", max_length=150, required=False)
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput,
        help_text="At least 12 characters, not a common password.",
    )
    password2 = forms.CharField(label="The same password again", widget=forms.PasswordInput)

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if User.objects.filter(email=self.email).exists():
            raise forms.ValidationError(
                "An account with this email address exists already: sign in, then accept."
            )
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords are not the same.")
        elif data.get("password1"):
            try:
                validate_password(
                    data["password1"],
                    User(email=self.email, display_name=data.get("display_name", "")),
                )
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data
