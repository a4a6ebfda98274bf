"""The form of a trust's Friends and Family Test setting."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import Form

FFT_CHOICES = [
    ("", _("Do not ask it")),
    ("before", _("Ask it before the story")),
    ("after", _("Ask it after the story")),
]


class FftSettingForm(Form):
    fft_asked = forms.ChoiceField(
        label=_("The Friends and Family Test question"),
        choices=FFT_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "“Overall, how was your experience of our service?”, asked once for each of the "
            "trust’s services a story names. People may skip it."
        ),
    )
