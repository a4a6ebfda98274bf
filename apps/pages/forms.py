from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import Form

from .services import BODY_MAX


class PageForm(Form):
    body = forms.CharField(
        label=_("Text of the page"),
        help_text=_(
            "Leave a blank line between paragraphs. Start a line with ## for a heading and "
            "with - for a list; **bold**, *italic* and [links](https://example.org) work too."
        ),
        max_length=BODY_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24}),
        error_messages={"required": _("Write the page's text.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
