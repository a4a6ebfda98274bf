"""The platform admin's forms for restricting a published story and lifting it, and for a
trust's right of reply."""

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


class TrustChoiceForm(Form):
    """Which trust's right of reply to open (the platform admin page's chooser)."""

    trust = forms.ModelChoiceField(
        label=_("Trust"),
        queryset=Organisation.objects.filter(depth=1).order_by("name"),
        to_field_name="slug",
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the trusts listed.")},
    )


class RightOfReplyForm(Form):
    working_days = forms.IntegerField(
        label=_("Right-of-reply period, in working days"),
        min_value=1,
        max_value=20,
        help_text=_(
            "How long a held story waits after moderation so the trust can respond before "
            "it is published: 1 to 20 working days (Monday to Friday)."
        ),
        error_messages={
            "required": _("Give the period in working days, from 1 to 20."),
            "invalid": _("Give the period as a whole number of working days, from 1 to 20."),
            "min_value": _("Give at least 1 working day."),
            "max_value": _("Give at most 20 working days."),
        },
    )
    hold_every_story = forms.BooleanField(
        label=_("Hold every story about this trust's services, not only severely critical ones"),
        required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "hold-every-story-hint"}),
        help_text=_(
            "For a provider that has agreed a right of reply on every story, for example an "
            "independent provider. Severely critical stories (rated 5) are always held."
        ),
    )
