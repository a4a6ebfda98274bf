"""Forms of the safeguarding pages: what was done, the platform's settings, a node's
contacts and help text."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import Form

NOTE_MAX = 4000
HELP_MAX = 4000


class RecordForm(Form):
    note = forms.CharField(
        label=_("Record what was done"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who was told, what was done, and whether anyone is still at risk."),
        error_messages={"required": _("Say what was done.")},
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)


class SettingsForm(Form):
    help_text = forms.CharField(
        label=_("Where to get help now"),
        max_length=HELP_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Sent to authors. Leave empty for the shipped UK text (999, NHS 111, Samaritans)."
        ),
    )
    fallback_email = forms.EmailField(
        label=_("Fallback safeguarding address"),
        required=False,
        help_text=_("Told of a serious case when no node above the story names contacts."),
    )
    risk_words = forms.CharField(
        label=_("More words that suggest risk now"),
        max_length=HELP_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One word or phrase a line, added to the shipped list."),
    )


class ContactForm(Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The address they sign in with, so they can open a case's page."),
    )


class HelpTextForm(Form):
    text = forms.CharField(
        label=_("This organisation's own help text"),
        max_length=HELP_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Sent to authors of stories about this part of the tree. Empty: the text from above."
        ),
    )
