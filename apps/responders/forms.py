from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.core.forms import Form, LongSelect, choice_field
from apps.core.text import strip_control
from apps.organisations.models import Organisation


class NewAccountForm(Form):
    """An invited person makes their account: the email is the one invited."""

    display_name = forms.CharField(label=_("Your name as shown on your responses"), max_length=150)
    job_title = forms.CharField(label=_("Your job title"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput,
        help_text=_("At least 12 characters, not a common password."),
    )
    password2 = forms.CharField(label=_("The same password again"), widget=forms.PasswordInput)

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if User.objects.filter(email=self.email).exists():
            raise forms.ValidationError(
                _("An account with this email address exists already: sign in, then accept.")
            )
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords are not the same."))
        elif data.get("password1"):
            try:
                validate_password(
                    data["password1"],
                    User(email=self.email, display_name=data.get("display_name", "")),
                )
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


ROLE_CHOICES = [
    ("reader", _("Reader: sees staff-only details and gets alerts")),
    ("responder", _("Responder: also answers stories in public")),
    ("super_user", _("Super-user: also invites staff, gives roles and refers stories")),
]


class _NodeChoiceMixin(forms.BaseForm):
    """A `node` choice of the managed node and everything beneath it, in tree order."""

    nodes: dict[str, Organisation]

    def _set_nodes(self, nodes: list[Organisation]) -> None:
        self.nodes = {str(node.pk): node for node in nodes}
        top = min((node.depth for node in nodes), default=1)
        choice_field(self, "node").choices = [
            (str(node.pk), "\u2003" * (node.depth - top) + node.name) for node in nodes
        ]

    def chosen_node(self) -> Organisation:
        return self.nodes[self.cleaned_data["node"]]


class GrantRoleForm(_NodeChoiceMixin, Form):
    email = forms.EmailField(
        label=_("Email address of their account"),
        help_text=_("For someone without an account, send an invitation instead."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, widget=forms.RadioSelect)
    node = forms.ChoiceField(label=_("Where"), widget=LongSelect)

    def __init__(self, *args: Any, nodes: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_nodes(nodes)
        self.person: User | None = None

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        self.person = User.objects.filter(email=email, is_active=True).first()
        if self.person is None:
            raise forms.ValidationError(
                _("Nobody with that email address has an account here: invite them instead.")
            )
        return email


class InviteForm(_NodeChoiceMixin, Form):
    first_name = forms.CharField(label=_("First name"), max_length=75)
    last_name = forms.CharField(label=_("Last name"), max_length=75)
    email = forms.EmailField(label=_("Email address"))
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES, widget=forms.RadioSelect)
    node = forms.ChoiceField(label=_("Where"), widget=LongSelect)

    def __init__(self, *args: Any, nodes: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_nodes(nodes)


CSV_MAX_BYTES = 1_000_000


NUL_IN_LINE = _(
    "Line %(line)s holds a character that is not allowed (a NUL byte): save the file "
    "again as “CSV UTF-8”."
)


class InvitationCsvForm(Form):
    file = forms.FileField(
        label=_("CSV file"),
        required=False,
        help_text=_(
            "Columns: first name, last name, email, job title, role, node (an ODS "
            "code or the organisation's address on this site). At most 1 MB."
        ),
    )
    # After the preview, the checked text comes back to be applied.
    text = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > CSV_MAX_BYTES:
                self.add_error("file", _("The file is larger than 1 MB: split it into parts."))
                return data
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", _("The file is not text in UTF-8: save it as “CSV UTF-8”."))
                return data
            # A file is not a form value, so the site-wide cleaning has not seen it.
            for number, line in enumerate(text.split("\n"), start=1):
                if "\x00" in line:
                    self.add_error("file", NUL_IN_LINE % {"line": number})
                    return data
            data["text"] = strip_control(text)
        if not data.get("text"):
            self.add_error("file", _("Choose a CSV file."))
        return data


class TeamForm(Form):
    name = forms.CharField(label=_("Team name"), max_length=150)


class TeamMemberForm(Form):
    email = forms.EmailField(label=_("Email address of the member of staff"))
    person: User  # the account named, once the form is valid

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        person = User.objects.filter(email=email, is_active=True).first()
        if person is None:
            raise forms.ValidationError(_("Nobody with that email address has an account here."))
        self.person = person
        return email
