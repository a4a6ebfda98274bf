"""The platform admin's forms for restricting a published story and lifting it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import Form, model_choice_field
from apps.organisations.models import Organisation

from .restrictions import REASON_MAX


class RestrictForm(Form):
    organisation = forms.ModelChoiceField(
        label=_("Who asked for the restriction"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        help_text=_("The service the story is about, or an organisation above it."),
        error_messages={"invalid_choice": _("Choose one of the organisations listed.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            'The page will say "This story has been restricted by [organisation] because '
            '[reason]": write it to follow "because", for example "it names a member of '
            'staff who is the subject of an investigation".'
        ),
        error_messages={"required": _("Give the reason, as the story's page will show it.")},
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = model_choice_field(self, "organisation")
        field.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])


class LiftRestrictionForm(Form):
    lift_reason = forms.CharField(
        label=_("Why the restriction is lifted"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the audit log; not shown on the story's page."),
        error_messages={"required": _("Say why the restriction is lifted.")},
    )
