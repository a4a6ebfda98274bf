"""The form of an organisation's description and its Welsh name and description."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import Form
from apps.organisations.models import DESCRIPTION_MAX

from .about import NAME_MAX

# The Welsh fields say what language their text is in, so a screen reader reads it, and
# a browser checks its spelling, in Welsh.
WELSH = {"lang": "cy"}


class AboutForm(Form):
    description = forms.CharField(
        label=_("Description"),
        help_text=_(
            "In English. A sentence or two shown under the name on the organisation’s "
            "public page: what it is, where it is and who it cares for. Plain text."
        ),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    name_cy = forms.CharField(
        label=_("Welsh name"),
        help_text=_(
            "Shown instead of the English name on the Welsh pages. Leave it empty if the "
            "organisation has no Welsh name: the Welsh pages then show the English name."
        ),
        required=False,
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs=WELSH),
    )
    description_cy = forms.CharField(
        label=_("Welsh description"),
        help_text=_(
            "Shown instead of the English description on the Welsh pages. Where it is empty, "
            "they show the English description."
        ),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={**WELSH, "rows": 5}),
    )
